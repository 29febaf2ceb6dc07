/* agent.c -- human_agent: the citizen wants a person.
 *
 * On the web chat (channel "chat", REST and WebSocket) the conversation joins
 * the operator queue (store/agent_queue.h) and the session is flagged
 * "agent": the router then asks the agent hub (bot/agent.h) about it on
 * every message, and stays silent while an operator holds it. A citizen who
 * waits longer than webchat.agent_wait_s is told so and offered a complaint
 * (a notice from bot/agent.c). SMS and USSD citizens cannot be handed to the
 * console: they are offered a complaint at once. */
#include "bot/conv/dialogs/dialog.h"

#include <stdlib.h>
#include <time.h>

#include "store/agent_queue.h"

static void dialog_agent_queued(int status, void *privdata)
{
    dialog_ctx *ctx = privdata;
    if (status < 0) {
        dialog_say(ctx, "errors.unavailable", NULL);
    } else if (status == 2) { /* the hand-off budget (limits.handoffs_per_hour) */
        dialog_say(ctx, "errors.rate_limited", NULL);
    } else {
        json_object_set_new(ctx->session, "agent", json_true());
        dialog_say(ctx, "human_agent.waiting", NULL);
    }
    dialog_finish(ctx);
}

void dialog_agent(dialog_ctx *ctx)
{
    if (ctx->msg->channel == CHANNEL_CHAT) {
        /* the last lines kept in the session (bot/agent.h) start the operator's log */
        char *conv = agentq_conv(channel_name(ctx->msg->channel), ctx->msg->user);
        json_t *recent = json_object_get(ctx->session, "recent");
        char *history = recent ? json_dumps(recent, JSON_COMPACT) : NULL;
        int rc = conv ? agentq_enqueue(ctx->store, conv, "human_agent", history,
                                       (long long)time(NULL), ctx->msg->addr,
                                       ctx->cfg->limits.handoffs_per_hour,
                                       dialog_agent_queued, ctx) : -1;
        free(history);
        free(conv);
        if (rc == 0)
            return;
    }
    dialog_say(ctx, "human_agent.queued", NULL);
    dialog_menu_button(ctx, INTENT_COMPLAINT_NEW);
    dialog_finish(ctx);
}
