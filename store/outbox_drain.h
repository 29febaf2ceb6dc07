/* outbox_drain.h -- the outbox drainer's steps in Redis: claim, finish,
 * pump, recover, delivery report.
 *
 * Owner: [sms]. bot/outbox/outbox_worker.c calls these and does the HTTP to
 * Kannel itself; the messages are queued by store/outbox.h. A message's life
 * after "queued" (store/README.md, "Outbox: delivery"):
 *
 *   dvcbot:outbox:msg:{id}        hash    (outbox.h) + status sending|sent|
 *                                         failed|retry|skipped, attempts,
 *                                         sending_at, sent_at, done_at,
 *                                         last_error, dlr, dlr_at (epoch ms)
 *   dvcbot:outbox:busy:{msisdn}   string  id being sent to that number, or
 *                                         waiting for its retry (one at a time)
 *   dvcbot:outbox:wait:{msisdn}   list    ids claimed while the number was busy
 *   dvcbot:outbox:sending         zset    id -> claim time (ms)
 *   dvcbot:outbox:retry           zset    id -> time of the next attempt (ms)
 *
 * Every step is one Lua script (store/lua/outbox_drain_*.lua), so a message
 * is claimed once and only a "sending" message can become "sent".
 *
 * All calls are asynchronous on the store's loop. They return -1 (no
 * callback) when the store is down or an argument is invalid; otherwise fn
 * (which may be NULL) runs exactly once. On failure (status -1) err is
 * Redis's error text, or NULL when there was no answer. Ids, states and error
 * texts are NUL-terminated strings, sent binary safe. */
#ifndef DVC_STORE_OUTBOX_DRAIN_H
#define DVC_STORE_OUTBOX_DRAIN_H

#include <stddef.h>
#include <stdint.h>

#include "store/redis.h"

/* One claimed message, now "sending"; the strings are valid during the
 * callback only (len bytes each, NUL-terminated). */
typedef struct outbox_claimed {
    const char *id;
    size_t id_len;
    const char *to;             /* MSISDN 84... */
    size_t to_len;
    const char *text;           /* final UTF-8 text */
    size_t text_len;
    const char *kind;           /* "reply" or "notify" */
    int attempts;               /* this one included */
} outbox_claimed;

/* status 0: the n messages claimed (n 0 when the queues are empty). */
typedef void outbox_claim_fn(int status, const outbox_claimed *m, size_t n, const char *err,
                             void *privdata);

/* status 0: value is the script's answer (see each call). */
typedef void outbox_drain_fn(int status, long long value, const char *err, void *privdata);

/* Claim up to max (>= 1) queued messages, replies before notifications.
 * A message to a busy number waits for it; a notification to an opted-out
 * number becomes "skipped". */
int outbox_drain_claim(store *s, int max, uint64_t now_ms, outbox_claim_fn *fn,
                       void *privdata);

typedef enum outbox_drain_outcome {
    OUTBOX_DRAIN_SENT,          /* Kannel took it: "sent", the number released */
    OUTBOX_DRAIN_FAILED,        /* no more attempts: "failed", the number released */
    OUTBOX_DRAIN_RETRY,         /* try again at due_ms: "retry", the number kept */
    OUTBOX_DRAIN_REQUEUE,       /* not attempted: "queued" again, front of its queue */
} outbox_drain_outcome;

/* Record the outcome of sending message id; error (may be NULL) is kept as
 * last_error. value 1 recorded, 0 the message was not "sending". */
int outbox_drain_finish(store *s, const char *id, outbox_drain_outcome o, uint64_t now_ms,
                        uint64_t due_ms, const char *error, outbox_drain_fn *fn,
                        void *privdata);

/* Retries due at now_ms go back to the front of their queue, at most max.
 * value: how many. */
int outbox_drain_pump(store *s, uint64_t now_ms, int max, outbox_drain_fn *fn,
                      void *privdata);

/* Messages claimed before cutoff_ms and still "sending" are queued again at
 * the front, or marked sent when a delivery report proves Kannel took them.
 * value: how many. */
int outbox_drain_recover(store *s, uint64_t now_ms, uint64_t cutoff_ms, outbox_drain_fn *fn,
                         void *privdata);

/* Record a delivery report: state (e.g. "delivered") of rank (its order:
 * a report is kept only if its rank is above the current one's). value -1
 * unknown id, 0 not a step forward, 1 recorded. */
int outbox_drain_dlr(store *s, const char *id, const char *state, int rank, uint64_t now_ms,
                     outbox_drain_fn *fn, void *privdata);

#endif
