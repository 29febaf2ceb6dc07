/* agent.c -- human_agent: the citizen wants a person.
 *
 * On the web chat (channel "chat", REST and WebSocket) the conversation joins
 * the operator queue (store/agent_queue.h) and the session is flagged
 * "agent": the router then asks the agent hub (bot/agent.h) about it on
 * every message, and stays silent while an operator holds it. A citizen who
 * waits longer than webchat.agent_wait_s is told so and offered a complaint
 * (a notice from bot/agent.c). SMS and USSD citizens cannot be handed to the
 * console: they are offered a complaint at once.
 *
 * A question for the contact details themselves ("số điện thoại đường dây
 * nóng", "email liên hệ") is answered with them (human_agent.contact), with
 * a button to talk to a person instead: nobody is queued for a number. */
#include "bot/conv/dialogs/dialog.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/xmalloc.h"
#include "intents/normalize.h"
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

/* Whether the typed text (not a tapped button) asks for contact details. */
static int dialog_agent_contact(const dialog_ctx *ctx)
{
    const char *t = ctx->msg->payload ? NULL : ctx->msg->text;
    size_t n = t ? strlen(t) : 0;
    if (!n)
        return 0;
    char *norm = xmalloc(n + 1);
    int is = norm_text(t, n, norm, n + 1, NULL) == 0 && dialog_answer_contact(norm);
    free(norm);
    return is;
}

void dialog_agent(dialog_ctx *ctx)
{
    if (dialog_agent_contact(ctx)) {
        dialog_say(ctx, "human_agent.contact", NULL);
        if (ctx->msg->channel == CHANNEL_CHAT)
            dialog_menu_button(ctx, INTENT_HUMAN_AGENT);
        dialog_menu_button(ctx, INTENT_COMPLAINT_NEW);
        dialog_finish(ctx);
        return;
    }
    if (ctx->msg->channel == CHANNEL_CHAT) {
        /* the session's hand-off history (bot/agent.h) starts the operator's log */
        char *conv = agentq_conv(channel_name(ctx->msg->channel), ctx->msg->user);
        int rc = conv ? agentq_enqueue(ctx->store, conv, "human_agent", (long long)time(NULL),
                                       ctx->msg->addr, ctx->cfg->limits.handoffs_per_hour,
                                       dialog_agent_queued, ctx) : -1;
        free(conv);
        if (rc == 0)
            return;
    }
    dialog_say(ctx, "human_agent.queued", NULL);
    dialog_menu_button(ctx, INTENT_COMPLAINT_NEW);
    dialog_finish(ctx);
}
