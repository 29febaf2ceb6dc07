/* pushq.h -- the durable queues and records of the push chat channels
 * (Zalo OA, Telegram; channels/push.h): one Redis Stream per platform and
 * direction with a consumer group, delayed retries, access tokens with a
 * refresh lock, opt-in/opt-out, linked phone numbers.
 *
 * Owner: [zalo]. Keys ({p} = "zalo" or "telegram"; store/README.md):
 *   dvcbot:push:{p}:in             stream  webhook events accepted, not yet handled
 *   dvcbot:push:{p}:out            stream  API calls and notices to send
 *       (group "dvcbot" on both; entries are field/value pairs, see below)
 *   dvcbot:push:{p}:{in|out}:later zset    entries waiting for a retry -> due (ms)
 *   dvcbot:push:{p}:ev:{event id}  string  "1": the event was accepted (dedup)
 *   dvcbot:push:{p}:seen           zset    user -> time of their last event (ms):
 *                                          the interaction window, the notices poll
 *   dvcbot:push:{p}:optin          set     users who followed / started the bot
 *   dvcbot:push:{p}:optout         set     users who unfollowed / blocked us
 *   dvcbot:push:{p}:link           hash    user -> the phone number they linked (84...)
 *   dvcbot:push:{p}:code:{user}    string  "{msisdn} {code} {tries}": an SMS link code
 *                                          sent and not typed yet (the caller's TTL)
 *   dvcbot:push:{p}:token          hash    access, refresh, expires_at (ms)
 *   dvcbot:push:{p}:token:lock     string  owner of a refresh in progress (PX)
 *
 * Delivery is at least once: an entry read and not acknowledged (the
 * process died) is claimed again after PUSHQ_CLAIM_IDLE_MS by any instance.
 *
 * All calls are asynchronous on the store's loop; they return -1 without
 * calling back when the store is down or an argument is invalid, otherwise
 * the callback runs exactly once (status -1 when Redis failed). Strings
 * given to callbacks are valid during the call only. Every value is sent
 * binary safe. */
#ifndef DVC_STORE_PUSHQ_H
#define DVC_STORE_PUSHQ_H

#include <stddef.h>

#include "store/redis.h"

#define PUSHQ_CLAIM_IDLE_MS 30000   /* an unacknowledged entry is claimed after this */
#define PUSHQ_FIELDS_MAX 8          /* field/value pairs of one entry */

typedef enum pushq_dir { PUSHQ_IN = 0, PUSHQ_OUT = 1 } pushq_dir;

typedef void pushq_done_fn(int status, void *privdata);

/* Create the consumer groups of platform's two streams (MKSTREAM; an
 * existing group is fine). fn may be NULL. */
int pushq_init(store *s, const char *platform, pushq_done_fn *fn, void *privdata);

/* Accept one webhook event once: unless dvcbot:push:{p}:ev:{id} exists
 * (kept dedup_ttl_s), append {ev: json} to the in stream and, when active,
 * note user's last interaction (now_ms). status 1 accepted now, 0 a
 * replay (nothing appended), -1 Redis failed. */
int pushq_accept(store *s, const char *platform, const char *id, const char *user,
                 const char *json, int active, int dedup_ttl_s, long long now_ms,
                 pushq_done_fn *fn, void *privdata);

/* Append one entry of n field/value pairs to the out stream. fn may be NULL. */
int pushq_add(store *s, const char *platform, size_t n, const char *const *fields,
              const char *const *values, pushq_done_fn *fn, void *privdata);

/* Append {kind: "calls", user, calls, next: 0, attempts: 0} to the out stream
 * (calls: the JSON array of push_calls_json, channels/push.h). fn may be NULL. */
int pushq_add_calls(store *s, const char *platform, const char *user, const char *calls,
                    pushq_done_fn *fn, void *privdata);

typedef struct pushq_entry {
    const char *id;             /* the stream id */
    size_t n;
    const char *field[PUSHQ_FIELDS_MAX];
    const char *value[PUSHQ_FIELDS_MAX];
    size_t vlen[PUSHQ_FIELDS_MAX];
} pushq_entry;

/* The value of field in e, or NULL. */
const char *pushq_get(const pushq_entry *e, const char *field);

typedef void pushq_read_fn(int status, const pushq_entry *entries, size_t n, void *privdata);

/* Up to count entries for consumer: first those idle longer than
 * PUSHQ_CLAIM_IDLE_MS (another consumer died holding them), else new ones.
 * Never blocks. A missing group (the database was flushed) is created again. */
int pushq_read(store *s, const char *platform, pushq_dir dir, const char *consumer,
               size_t count, pushq_read_fn *fn, void *privdata);

/* Done with an entry: XACK and XDEL. fn may be NULL. */
int pushq_ack(store *s, const char *platform, pushq_dir dir, const char *id, pushq_done_fn *fn,
              void *privdata);

/* Retry later: acknowledge id and keep its n pairs (changed by the caller,
 * e.g. an attempt counter) until due_ms, when pushq_pump puts them back.
 * fn may be NULL. */
int pushq_later(store *s, const char *platform, pushq_dir dir, const char *id, size_t n,
                const char *const *fields, const char *const *values, long long due_ms,
                pushq_done_fn *fn, void *privdata);

/* Move up to max entries whose time has come back into the stream. status =
 * how many, -1 failed. fn may be NULL. */
int pushq_pump(store *s, const char *platform, pushq_dir dir, long long now_ms, int max,
               pushq_done_fn *fn, void *privdata);

/* Move the chat notices (dvcbot:notices:{p}:{user}, store/outbox.h) of up
 * to count users seen within window_ms into the out stream as entries
 * {kind: "notice", user, notice}, starting at rank cursor of the seen set.
 * status = the next cursor (0: wrapped around), -1 failed. */
int pushq_notices(store *s, const char *platform, long cursor, int count, long long now_ms,
                  long long window_ms, pushq_done_fn *fn, void *privdata);

/* Opt-in (on 1: followed, started) or opt-out (on 0: unfollowed, blocked). */
int pushq_follow(store *s, const char *platform, const char *user, int on, pushq_done_fn *fn,
                 void *privdata);

/* Link user to msisdn (84...). fn may be NULL. */
int pushq_link(store *s, const char *platform, const char *user, const char *msisdn,
               pushq_done_fn *fn, void *privdata);

typedef struct pushq_user_info {
    int optin, optout;
    const char *msisdn;         /* linked number or NULL */
    long long seen_ms;          /* last interaction, 0 never */
    int code_pending;           /* an SMS link code waits to be typed */
} pushq_user_info;

typedef void pushq_user_fn(int status, const pushq_user_info *u, void *privdata);

int pushq_user(store *s, const char *platform, const char *user, pushq_user_fn *fn,
               void *privdata);

/* Keep a new SMS link code for user (SET NX with ttl_s): status 1 kept, 0 a
 * code is pending already (one at a time: no SMS flood). */
int pushq_code_new(store *s, const char *platform, const char *user, const char *msisdn,
                   const char *code, int ttl_s, pushq_done_fn *fn, void *privdata);

/* status 1: code matched, user linked to msisdn (valid during the call);
 * 0: wrong (tries_left more, 0 = the code is void now); -2: no code
 * pending; -1: Redis failed. */
typedef void pushq_code_fn(int status, const char *msisdn, int tries_left, void *privdata);
int pushq_code_try(store *s, const char *platform, const char *user, const char *code,
                   int max_tries, pushq_code_fn *fn, void *privdata);

/* --- access tokens ------------------------------------------------------ */
typedef void pushq_token_fn(int status, const char *access, const char *refresh,
                            long long expires_at_ms, void *privdata);

/* status 0 with the stored pair (access/refresh NULL when none). */
int pushq_token_get(store *s, const char *platform, pushq_token_fn *fn, void *privdata);

/* Store the configured first pair unless a pair is stored already (Redis
 * holds the live one: refresh tokens are single-use). fn may be NULL. */
int pushq_token_seed(store *s, const char *platform, const char *access, const char *refresh,
                     long long expires_at_ms, pushq_done_fn *fn, void *privdata);

/* Take the refresh lock for owner for ttl_ms (SET NX PX). status 1 taken,
 * 0 someone else holds it. */
int pushq_token_lock(store *s, const char *platform, const char *owner, int ttl_ms,
                     pushq_done_fn *fn, void *privdata);

/* Store a refreshed pair and release the lock, only if owner still holds it
 * (status 1), else nothing (0). access NULL: only release the lock. */
int pushq_token_put(store *s, const char *platform, const char *owner, const char *access,
                    const char *refresh, long long expires_at_ms, pushq_done_fn *fn,
                    void *privdata);

#endif
