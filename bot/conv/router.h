/* router.h -- message -> session -> intent -> dialog -> session -> reply.
 *
 * router_handle() takes one inbound message from any channel, loads the
 * user's session from Redis, classifies the text (or decodes the button
 * payload), runs the intent's dialog, saves the session, and hands the reply
 * to the caller's callback. Everything runs on the loop thread.
 *
 * Ownership: router_handle() takes the message. The callback receives a reply
 * it must free with reply_free() (NULL when status is not 200), and an intent
 * name that is a static string. The ctx pointer is given back untouched: make
 * it a heap object that outlives the client connection (docs/architecture.md,
 * "pending requests"), because the callback may come after the client left.
 *
 * Status: ROUTER_OK on success; ROUTER_UNAVAILABLE when Redis is down or
 * failed (nothing was acknowledged to the user: the caller says "try again
 * later"); ROUTER_LIMITED when the identity (and, for web chat, the
 * message's address) spent its budget (limits.identity_per_window and
 * limits.addr_per_window per limits.window_s, store/ratelimit.h): the reply
 * then holds the polite "errors.rate_limited" text for the text channels, and
 * router_retry_after() tells when to come back; ROUTER_REPLAYED and ROUTER_BUSY
 * only for a turn with a claim (router_handle_turn). The values equal HTTP's 200 and 503 so that an HTTP endpoint can
 * pass them on, but the router itself speaks no HTTP. */
#ifndef DVC_BOT_CONV_ROUTER_H
#define DVC_BOT_CONV_ROUTER_H

#include "bot/app/config.h"
#include "bot/app/messages.h"
#include "bot/app/metrics.h"
#include "channels/message.h"
#include "intents/intents.h"
#include "store/redis.h"
#include "store/sessions.h"

typedef struct router router;
struct catalogue;

enum router_status {
    ROUTER_OK = 200,
    ROUTER_REPLAYED = 208,      /* the turn's claim was answered before: router_replayed() */
    ROUTER_BUSY = 409,          /* a live instance still processes the claim's id */
    ROUTER_LIMITED = 429,
    ROUTER_UNAVAILABLE = 503,
};

typedef void router_done_fn(int status, reply *r, const char *intent, void *ctx);

typedef struct router_deps {
    store *store;               /* borrowed */
    intents *intents;           /* borrowed */
    const messages *msgs;       /* borrowed */
    metrics *metrics;           /* borrowed, may be NULL */
    int session_ttl_s;
    const config *cfg;          /* borrowed */
    const struct catalogue *catalogue; /* borrowed, may be NULL */
    struct agent_hub *agent;    /* borrowed, may be NULL: no hand-off to operators (bot/agent.h) */
} router_deps;

router *router_new(const router_deps *deps);
void router_free(router *r);

/* Messages of one user (channel session name + user id) are handled one at
 * a time, in arrival order, whatever connection they came on: a second one
 * waits until the first one's session was saved, so no update is lost:
 * within this process by a queue, across instances by the session's lease
 * (store/sessions.h; a message that waits on another instance's turn longer
 * than 5 s gets ROUTER_UNAVAILABLE; store/README.md "Sessions").
 *
 * Returns 0 if the message is being handled (fn is called exactly once,
 * possibly before this returns), -1 if Redis is down (fn is not called; the
 * message is freed). */
int router_handle(router *r, message *m, router_done_fn *fn, void *ctx);

/* Called with the turn's reply and intent right before the turn's commit
 * (the reply stays the router's: fn gets it afterwards, whatever the commit
 * answers): returns what the commit writes with the session, atomically
 * (an SMS MO's answer record, store/sessions.h sessions_write.mo), valid
 * until fn is called, or NULL for nothing. */
typedef const smsmo_result *router_reply_fn(const reply *out, const char *intent, void *ctx);

/* What a channel flow adds to a message's turn. claim: an SMS MO's Kannel
 * id claimed as the first step of the turn's start (store/sessions.h): a
 * retry of an answered id gets ROUTER_REPLAYED (nothing counted, no
 * session read or written), one that a live instance still processes gets
 * ROUTER_BUSY after claim->wait_ms. Its strings are borrowed until fn. */
typedef struct router_turn {
    const sessions_claim *claim;    /* or NULL */
    router_reply_fn *reply;         /* or NULL; called with router_handle's ctx */
} router_turn;

/* router_handle with what t adds (t may be NULL: router_handle). */
int router_handle_turn(router *r, message *m, const router_turn *t, router_done_fn *fn,
                       void *ctx);

/* The stored answer of the claim being called back with ROUTER_REPLAYED
 * (as smsmo_take's: *len bytes, NUL-terminated), valid inside that
 * router_done_fn only; NULL otherwise. */
const char *router_replayed(const router *r, size_t *len);

/* Seconds until the budget that refused a message ends; valid inside a
 * router_done_fn called with ROUTER_LIMITED. */
int router_retry_after(const router *r);

/* The reply being called back with ROUTER_OK, escaped as JSON once for
 * the turn's chat log lines (channels/chat.h, reply_json.h):
 * valid inside that router_done_fn only, for a CHANNEL_CHAT message; NULL
 * otherwise. The answer renders from it (chat_render_json) instead of
 * escaping the texts again. */
struct chat_json;
const struct chat_json *router_reply_json(const router *r);

#endif
