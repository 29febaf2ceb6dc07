/* outbox.h -- the durable queue of outbound SMS, and chat notices.
 *
 * Owner: [domain] (complaints/subscriptions) writes; the [sms] drainer reads.
 * The exact Redis structure is documented in store/README.md ("Outbox"):
 *
 *   dvcbot:outbox:seq              string   INCR -> message id
 *   dvcbot:outbox:msg:{id}         hash     id, to, text, kind, status, attempts,
 *                                           created_at (epoch ms), dedupe, ref
 *   dvcbot:outbox:q:reply          list     ids ready to send, high priority (RPUSH)
 *   dvcbot:outbox:q:notify         list     ids ready to send, bulk (RPUSH)
 *   dvcbot:outbox:dedupe:{key}     string   id of the message queued for that key (30 days)
 *
 * Enqueueing is idempotent: a second enqueue with the same dedupe key returns
 * the first message's id and queues nothing. The same enqueue is available as
 * a Lua function (store/lua/lib_outbox.lua, a prelude the generator prepends
 * to the scripts that "--! use" it) so that other modules' scripts can queue
 * a message atomically with their own writes.
 *
 * Notices for web-chat users (a complaint answered, a dossier changed) are
 * JSON objects appended to dvcbot:notices:{channel}:{user} (a list, capped at
 * NOTICES_MAX, oldest dropped); outbox_notices_pop() takes them out.
 *
 * All calls are asynchronous on the store's loop. They return -1 (no
 * callback) when the store is down or an argument is invalid; otherwise the
 * callback runs exactly once. Every value is passed binary-safe. */
#ifndef DVC_STORE_OUTBOX_H
#define DVC_STORE_OUTBOX_H

#include <stddef.h>

#include "store/redis.h"

/* Also read by the Lua scripts ("--! const", scripts/embed-lua.py). */
#define NOTICES_MAX 100
#define OUTBOX_DEDUPE_TTL_S 2592000

typedef struct outbox_msg {
    const char *to;         /* normalised MSISDN 84xxxxxxxxx */
    const char *text;       /* the final text (rendered by the caller) */
    const char *kind;       /* "reply" or "notify" */
    const char *dedupe;     /* idempotency key, or NULL/"" */
    const char *ref;        /* what it is about (a code), or NULL */
} outbox_msg;

/* status 0: id is the message (created 1 if queued now, 0 if the dedupe key
 * had already queued it); status -1: Redis failed. */
typedef void outbox_done_fn(int status, long long id, int created, void *privdata);

int outbox_enqueue(store *s, const outbox_msg *m, outbox_done_fn *fn, void *privdata);

/* Up to max notices (JSON texts, oldest first; valid during the callback
 * only), removed from the list. status -1 on failure (n is then 0). */
typedef void notices_pop_fn(int status, const char *const *notices, size_t n, void *privdata);

int outbox_notices_pop(store *s, const char *channel, const char *user, size_t max,
                notices_pop_fn *fn, void *privdata);

/* A notice delivered live (it came by dvcbot:ev:notice, store/pubsub.h) is
 * removed from the user's list (LREM of that exact text, once), so that a
 * later catch-up does not deliver it again. Fire and forget: 0, or -1 when
 * the store is down or an argument is invalid. */
int outbox_notice_ack(store *s, const char *channel, const char *user, const char *json,
                      size_t len);

#endif
