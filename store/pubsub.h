/* pubsub.h -- this instance's subscriber connection: events that Redis
 * scripts and other instances PUBLISH reach every instance at once, so idle
 * connections cost no Redis work and nothing depends on which instance a
 * citizen or an operator is connected to (SPEC.md "Running more than one").
 *
 *   dvcbot:ev:notice    "{channel}:{user}\n{json}" a notice was queued on
 *                       dvcbot:notices:{channel}:{user} (lib_outbox.lua)
 *   dvcbot:ev:agent     a console event (bot/conv/agent.c, its own format)
 *   dvcbot:ev:revoked   "{sha256 hex}" an API key was revoked (keys.c)
 *
 * One dedicated connection (its own store, same url / Sentinels / password
 * as the main one), SUBSCRIBEd to the three channels on every (re)connect.
 * Messages published while it was down are not replayed: each listener's
 * up callback runs after every (re)subscribe so it can catch up from the
 * durable records (the notice lists, the agent queue).
 *
 * Owner: created and freed by `serve`, borrowed by the endpoints (app.h).
 * Listeners are borrowed until store_sub_unlisten. Errors: store_sub_new
 * returns NULL with a message (bad url). */
#ifndef DVC_STORE_PUBSUB_H
#define DVC_STORE_PUBSUB_H

#include <stddef.h>
#include <uv.h>

#include "store/redis.h"

#define STORE_EV_NOTICE "dvcbot:ev:notice"
#define STORE_EV_AGENT "dvcbot:ev:agent"
#define STORE_EV_REVOKED "dvcbot:ev:revoked"

typedef struct store_sub store_sub;

/* msg: len bytes, valid during the call only. */
typedef void store_sub_fn(const char *chan, const char *msg, size_t len, void *privdata);
/* After each (re)subscribe (the first one included): catch up. */
typedef void store_sub_up_fn(void *privdata);

store_sub *store_sub_new(uv_loop_t *loop, const store_options *opt, char *err, size_t errlen);

/* Messages of channel (one of STORE_EV_*) go to fn; up (may be NULL) after
 * each subscribe. At most STORE_SUB_LISTENERS. 0, or -1 (full, or sub NULL). */
#define STORE_SUB_LISTENERS 8
int store_sub_listen(store_sub *sub, const char *channel, store_sub_fn *fn,
                     store_sub_up_fn *up, void *privdata);
/* Remove every listener with this privdata. Accepts NULL. */
void store_sub_unlisten(store_sub *sub, void *privdata);

/* 1 while subscribed. */
int store_sub_is_up(const store_sub *sub);
/* Messages received, for tests and /metrics. */
unsigned long store_sub_received(const store_sub *sub);

/* Close the connection (the loop must then drain, as for store_close).
 * Accepts NULL. */
void store_sub_close(store_sub *sub);

/* Publish msg on channel through the main store s (fire and forget): 0, or
 * -1 when s is down. */
int store_publish(store *s, const char *channel, const char *msg, size_t len);

#endif
