/* agent.h -- hand-off of a web-chat conversation to a human operator.
 *
 * The agent hub is created by `serve` next to the router and the server and
 * borrowed by both. It owns:
 *   - the router hook: agent_check() tells the router whether an operator
 *     holds the conversation (the bot then stays silent and the citizen's
 *     text goes to the operator), agent_note() logs each exchange so that an
 *     operator who takes a conversation sees its history;
 *   - the operator connections of the console (bot/agent_ws.c, protocol
 *     dvcbot.agent.v1 on /ws/agent): a registry, so that a citizen's message
 *     reaches the operator who holds the conversation at once;
 *   - a timer (every second): conversations waiting longer than
 *     webchat.agent_wait_s leave the queue and the citizen is told and offered
 *     a complaint; logged-in operators get the queue.
 * The queue itself is in Redis (store/agent_queue.h). Only the chat channel
 * (REST and WebSocket: sessions "chat") is handed off; SMS and USSD citizens
 * are offered a complaint (bot/dialogs/agent.c).
 *
 * Errors: calls returning int give 0, or -1 when Redis is down (no callback).
 * Shutdown: agent_stop() before store_close(); agent_free() after the loop
 * drained; both accept NULL. */
#ifndef DVC_BOT_CONV_AGENT_H
#define DVC_BOT_CONV_AGENT_H

#include <uv.h>

#include "bot/app/config.h"
#include "bot/app/messages.h"
#include "channels/message.h"
#include "store/pubsub.h"
#include "store/redis.h"

typedef struct agent_hub agent_hub;
struct agent_op;

agent_hub *agent_new(uv_loop_t *loop, store *s, const config *cfg, const messages *msgs);
/* Listen on this instance's subscriber (store/pubsub.h): a citizen's message
 * for an operator is published (dvcbot:ev:agent) and reaches that operator's
 * consoles on every instance; a revoked key (dvcbot:ev:revoked) closes the
 * consoles logged in with it at once, on every instance. Without it (NULL)
 * only this instance's consoles are reached. Call before the first message. */
void agent_set_events(agent_hub *h, store_sub *events);
void agent_stop(agent_hub *h);
void agent_free(agent_hub *h);

/* Router hook for a message whose session is flagged "agent" (set by the
 * human_agent dialog). fn gets status -1 (Redis failed), or 0 with held = 1
 * when an operator holds the conversation (the text was logged and sent to
 * the operator: the bot must stay silent), held = 0 otherwise, and
 * queued = 1 while it is still waiting or held (keep the flag). */
typedef void agent_check_fn(int status, int held, int queued, void *ctx);
int agent_check(agent_hub *h, const message *m, agent_check_fn *fn, void *ctx);

struct json_t;

/* While the session is flagged "agent", log the message and the bot's reply
 * for the operator (fire-and-forget). h may be NULL. */
void agent_note(agent_hub *h, const message *m, const reply *r, const struct json_t *session);

/* --- for the console protocol (bot/agent_ws.c) --- */
store *agent_store(const agent_hub *h);
const config *agent_config(const agent_hub *h);
const messages *agent_messages(const agent_hub *h);
/* What the hub may do with an operator connection: given by the transport
 * that owns it (bot/http/agent_ws.c), so that the hub links no transport. */
typedef struct agent_op_ops {
    /* send a frame (text copied) to one operator */
    void (*send)(struct agent_op *op, const char *text, size_t len);
    /* the operator's name ("" before login) */
    const char *(*name)(const struct agent_op *op);
    /* the SHA-256 hex of the key it logged in with ("" before login) */
    const char *(*key)(const struct agent_op *op);
    /* that key was revoked: tell the operator and close the console */
    void (*revoke)(struct agent_op *op);
} agent_op_ops;
/* Register an operator connection (op and ops borrowed until agent_op_remove). */
void agent_op_add(agent_hub *h, struct agent_op *op, const agent_op_ops *ops);
void agent_op_remove(agent_hub *h, struct agent_op *op);

#endif
