/* sessions.h -- per-user, per-channel conversation state in Redis.
 *
 * A session is a small object (owned by the router and the dialogs; the
 * store neither reads nor checks its fields) kept under
 *   dvcbot:sess:{channel}:{user}
 * with a TTL refreshed on every save. Key layout: store/README.md.
 *
 * Load and save are asynchronous; callbacks run on the loop thread.
 *
 * The bytes are the caller's; the router and the USSD engine store
 * store/sesscodec.h's encoding.
 *
 * A lease makes one turn at a time hold across instances: a turn takes it
 * with its budgets and the read (sessions_begin), and gives it back with the
 * write (sessions_commit) or without one (sessions_release). It lives under
 *   dvcbot:sess-lease:{channel}:{user}   (the owner's token, PX lease_ms)
 * Why a lease and not a compare-and-set: store/README.md "Sessions".
 * Plain load and save (no lease) are for tools and tests. */
#ifndef DVC_STORE_SESSIONS_H
#define DVC_STORE_SESSIONS_H

#include <stddef.h>
#include "store/ratelimit.h"
#include "store/redis.h"
#include "store/smsmo.h"

/* json is the stored text (NUL-terminated, valid only during the callback),
 * NULL with status 0 when the session does not exist (new or expired), and
 * NULL with status -1 when Redis failed. */
typedef void sessions_load_fn(int status, const char *json, size_t len, void *privdata);
/* status 0 when Redis confirmed the write, -1 otherwise. */
typedef void sessions_save_fn(int status, void *privdata);

/* Return -1 (no callback) when the store is down, or on a programming
 * error: channel not 1-32 chars of [a-z0-9_-], user NULL or empty.
 * channel, user and json are copied before the call returns; user and json
 * may hold any bytes (they are passed to Redis as binary-safe arguments).
 * fn may be NULL for a fire-and-forget save. ttl_s must be > 0 (Redis
 * refuses other values: the save then fails with status -1). */
int sessions_load(store *s, const char *channel, const char *user,
                  sessions_load_fn *fn, void *privdata);
int sessions_save(store *s, const char *channel, const char *user,
                  const char *json, size_t len, int ttl_s,
                  sessions_save_fn *fn, void *privdata);

/* A turn: sessions_begin, then sessions_commit (or sessions_release when
 * the turn fails). token: the owner, any 1-SESSIONS_TOKEN_MAX bytes unique
 * to one turn of one instance (e.g. store_instance() + a counter). */
#define SESSIONS_TOKEN_MAX 128
/* A turn's token "{instance}{sep}{n}" into out (SESSIONS_TOKEN_MAX + 1
 * bytes), without printf: the instance (store_instance()) is cut so that sep
 * and n (below 2^63) always fit, so one process's tokens stay distinct. */
void sessions_token(char *out, const char *instance, const char *sep, unsigned long n);
#define SESSIONS_WAIT_STEP_MS 20    /* a held lease is asked again this often */

enum sessions_begin_status {
    SESSIONS_FAILED = -1,   /* Redis failed, or the store closed while waiting */
    SESSIONS_OWNED = 0,     /* the lease is the caller's: value is the session */
    SESSIONS_HELD = 1,      /* another owner still holds it after wait_ms */
    SESSIONS_LIMITED = 2,   /* a budget refused the turn: nothing counted or taken */
    SESSIONS_ANSWERED = 3,  /* the claim's id was answered: value is its answer */
    SESSIONS_BUSY = 4,      /* a live instance still processes the claim's id after
                               its wait_ms */
};

/* value: the stored session (len bytes, NUL-terminated, valid during the
 * call), NULL when it does not exist or status is not SESSIONS_OWNED; for
 * SESSIONS_ANSWERED the claimed id's stored answer (as smsmo_take's).
 * retry_after_s: for SESSIONS_LIMITED, seconds until the refusing window
 * ends (>= 1), else 0. */
typedef void sessions_begin_fn(int status, int retry_after_s, const char *value, size_t len,
                               void *privdata);

/* An SMS MO's Kannel id claimed as the first step of its turn's start
 * (smsmo_take's claim, store/smsmo.h, in the same script call): a retry of
 * an answered id gets SESSIONS_ANSWERED, one that a live instance still
 * processes is asked again every SMSMO_WAIT_STEP_MS up to wait_ms, then
 * gets SESSIONS_BUSY; in both no budget is counted and no lease taken. */
typedef struct sessions_claim {
    const char *id;                 /* the Kannel id, not empty */
    const char *instance;           /* store_instance() */
    unsigned wait_ms;
} sessions_claim;

typedef struct sessions_turn {
    const char *channel, *user, *token;
    int lease_ms;                   /* >= 1: the lease's life */
    unsigned wait_ms;               /* how long to wait for another owner's lease */
    const ratelimit_rule *rules;    /* budgets of the turn (store/ratelimit.h), */
    size_t nrules;                  /* counted once, with the first attempt */
    const sessions_claim *claim;    /* NULL: none (USSD, chat: the script has no
                                       claim arguments then) */
} sessions_turn;

/* Start a turn in one script call (store/lua/sessions_begin.lua): the
 * budgets are checked and counted (as ratelimit_hit), the lease taken
 * (SET NX PX) and the session read. While another owner holds the lease the
 * store asks again every SESSIONS_WAIT_STEP_MS (store_after, budgets not
 * counted again) until wait_ms have passed. -1 (no callback) under the same
 * rules as above, and for a bad token, lease_ms < 1, a bad rule, a claim
 * with an empty id or instance, or fn NULL; else fn runs exactly once. */
int sessions_begin(store *s, const sessions_turn *t, sessions_begin_fn *fn, void *privdata);

/* What the end of a turn writes: the session (value, len bytes), its TTL,
 * and 0..SESSIONS_CHATLOG_MAX lines appended to the web chat's log of user
 * (store/chatlog.h; channel "chat" only), which is also the conversation's
 * hand-off history (store/agent_queue.h). */
#define SESSIONS_CHATLOG_MAX 16
typedef struct sessions_write {
    const char *value;
    size_t len;
    int ttl_s;
    const char *const *chatlog;
    size_t nchatlog;
    const smsmo_result *mo;         /* an SMS MO's answer record and pages
                                       (smsmo_save's write), written with the
                                       session or, like it, not at all; NULL:
                                       none (no arguments for it are sent) */
} sessions_write;

/* End a turn in one script call: write the session (SET .. EX ttl_s), append
 * the history lines and delete the lease, only while the lease is still
 * token's: status 0 written; -1 Redis failed, or the lease expired or went
 * to another owner (then nothing was written, w->mo neither). -1 without a
 * call also for an invalid w->mo (smsmo_save's rules). */
int sessions_commit(store *s, const char *channel, const char *user, const char *token,
                    const sessions_write *w, sessions_save_fn *fn, void *privdata);
/* Give the lease back without a write (fire and forget; a lease that is not
 * token's any more is left alone). */
int sessions_release(store *s, const char *channel, const char *user, const char *token);

#endif
