/* outbox_drain.h -- the outbox drainer's steps in Redis: a Streams consumer
 * group (read, pending, claim, finish), retries, delivery reports.
 *
 * Owner: [sms]. bot/outbox/outbox_worker.c calls these and does the HTTP to
 * Kannel itself; the messages are queued by store/outbox.h. A message's life
 * after "queued" (store/README.md, "Outbox: delivery"):
 *
 *   dvcbot:outbox:msg:{id}        hash    (outbox.h) + status sending|sent|
 *                                         failed|retry|skipped, attempts,
 *                                         sending_at, sent_at, done_at,
 *                                         last_error, dlr, dlr_at (epoch ms)
 *                                         owner, entry (while sending)
 *   dvcbot:outbox:busy:{msisdn}   string  the number's head: id streamed, being
 *                                         sent or waiting for its retry
 *   dvcbot:outbox:wait:{msisdn}   list    the number's next ids, in order
 *   dvcbot:outbox:stream:{kind}   stream  entries {id} of ready heads, group
 *                                         "senders"; acknowledged and deleted
 *                                         when the message leaves "sending"
 *   dvcbot:outbox:retry           zset    id -> time of the next attempt (ms)
 *   dvcbot:outbox:budget          hash    tokens, at: the fleet's send budget
 *
 * Every step is one Lua script (store/lua/outbox_drain_*.lua), so a message
 * is claimed once and only a "sending" message can become "sent". Only one
 * message per number is ever in a stream, so any number of consumers keep
 * each number's order.
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

/* One stream entry of the consumer group "senders": the message id it
 * carries, on the stream of its kind. */
typedef struct outbox_entry {
    char kind[8];               /* "reply" or "notify" */
    char entry[32];             /* stream entry id, e.g. "1700000000000-0" */
    char id[24];                /* message id */
} outbox_entry;

/* status 0: n entries (valid during the callback only), replies first. */
typedef void outbox_entries_fn(int status, const outbox_entry *e, size_t n, const char *err,
                               void *privdata);

/* Entries to look at again: min_idle_ms -1 = this consumer's own pending
 * entries (what an earlier run of it left); otherwise entries of any
 * consumer idle for min_idle_ms or more, taken over (XAUTOCLAIM; a dead
 * instance's). Creates the group on both streams when missing: call once
 * before outbox_drain_read. At most count per stream. */
int outbox_drain_pending(store *s, const char *consumer, long min_idle_ms, int count,
                         outbox_entries_fn *fn, void *privdata);

/* XREADGROUP ... BLOCK block_ms of new entries (at most count per stream)
 * for consumer. A blocking command: s must be a connection of its own whose
 * timeout exceeds block_ms. n is 0 when nothing came within block_ms. */
int outbox_drain_read(store *s, const char *consumer, int count, int block_ms,
                      outbox_entries_fn *fn, void *privdata);

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

/* status 0: the n messages claimed; done: how many of the entries given
 * were handled (claimed, or found stale, waiting, skipped, a live owner's);
 * the others wait for the budget, wait_ms until its next token. */
typedef void outbox_claim_fn(int status, const outbox_claimed *m, size_t n, size_t done,
                             long wait_ms, const char *err, void *privdata);

/* status 0: value is the script's answer (see each call). */
typedef void outbox_drain_fn(int status, long long value, const char *err, void *privdata);

typedef struct outbox_claim_args {
    const char *owner;          /* "{consumer}|{boot}": boot differs on every run */
    uint64_t now_ms;
    long lease_ms;              /* a "sending" claim older than this is taken over */
    double rate;                /* segments per second for the whole fleet */
    double debt;                /* segments sent beyond one per message since the last call */
    long retention_s;           /* a skipped (or sent) record expires after this (0: 30 days) */
} outbox_claim_args;

/* Claim entries e[0..n) in order (n >= 1, at most 64) within the budget
 * shared in dvcbot:outbox:budget (rate, burst rate/5, Redis's clock): a
 * queued message becomes "sending" with a.owner; one "sending" under an
 * earlier run of this consumer or past its lease is taken over (or marked
 * sent if a delivery report proves Kannel took it); a notification to an
 * opted-out number becomes "skipped". */
int outbox_drain_claim(store *s, const outbox_claim_args *a, const outbox_entry *e, size_t n,
                       outbox_claim_fn *fn, void *privdata);

typedef enum outbox_drain_outcome {
    OUTBOX_DRAIN_SENT,          /* Kannel took it: "sent", the number released */
    OUTBOX_DRAIN_FAILED,        /* no more attempts: "failed", the number released */
    OUTBOX_DRAIN_RETRY,         /* try again at due_ms: "retry", the number kept */
    OUTBOX_DRAIN_REQUEUE,       /* not attempted: "queued" again, streamed anew */
} outbox_drain_outcome;

/* Record the outcome of sending message id, claimed by owner; error (may be
 * NULL) is kept as last_error. value 1 recorded, 0 the message was not
 * "sending" under that owner (taken over: nothing changes). */
int outbox_drain_finish(store *s, const char *owner, const char *id, outbox_drain_outcome o,
                        uint64_t now_ms, uint64_t due_ms, const char *error,
                        outbox_drain_fn *fn, void *privdata);

/* How long a sent, failed or skipped record is kept (sms.retention_days):
 * outbox_drain_finish and the takeovers of outbox_drain_claim set it as the
 * record's TTL. Default 30 days; set once at start. */
#define OUTBOX_RETENTION_DEFAULT_S (30L * 86400)
void outbox_drain_set_retention(long seconds);

/* Retries due at now_ms are streamed again, at most max; records of the
 * list-based outbox of earlier versions (dvcbot:outbox:q:*, and
 * dvcbot:outbox:sending claims older than lease_ms) are moved over.
 * value: how many. */
int outbox_drain_pump(store *s, uint64_t now_ms, int max, long lease_ms, outbox_drain_fn *fn,
                      void *privdata);

/* Record a delivery report: state (e.g. "delivered") of rank (its order:
 * a report is kept only if its rank is above the current one's). value -1
 * unknown id, 0 not a step forward, 1 recorded. */
int outbox_drain_dlr(store *s, const char *id, const char *state, int rank, uint64_t now_ms,
                     outbox_drain_fn *fn, void *privdata);

#endif
