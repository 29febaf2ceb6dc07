/* sessions.h -- per-user, per-channel conversation state in Redis.
 *
 * A session is a small JSON object (owned by the router and the dialogs; the
 * store neither reads nor checks its fields) kept under
 *   dvcbot:sess:{channel}:{user}
 * with a TTL refreshed on every save. Key layout: store/README.md.
 *
 * Load and save are asynchronous; callbacks run on the loop thread.
 *
 * A lease makes one turn at a time hold across instances: the router takes
 * it with the read (sessions_claim), and gives it back with the write
 * (sessions_commit) or without one (sessions_release). It lives under
 *   dvcbot:sess-lease:{channel}:{user}   (the owner's token, PX lease_ms)
 * Why a lease and not a compare-and-set: store/README.md "Sessions". */
#ifndef DVC_STORE_SESSIONS_H
#define DVC_STORE_SESSIONS_H

#include <stddef.h>
#include "store/redis.h"

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

/* The lease. token: the owner, any 1-SESSIONS_TOKEN_MAX bytes unique to one
 * turn of one instance (e.g. store_instance() + a counter). Same -1 rules as
 * above (and -1 for a bad token or lease_ms < 1).
 *
 * sessions_claim: fn gets status 0 and the session as sessions_load does when
 * the lease was free and is now the caller's, status 1 (json NULL, len 0)
 * when it is held (by another owner, or by this
 * token's own earlier claim: a token claims once): nothing was read, try
 * again later; -1 when Redis failed. */
#define SESSIONS_TOKEN_MAX 128
int sessions_claim(store *s, const char *channel, const char *user, const char *token,
                   int lease_ms, sessions_load_fn *fn, void *privdata);
/* Write the session (SET .. EX ttl_s) and delete the lease, only while the
 * lease is still token's: status 0 written; -1 Redis failed, or the lease
 * expired or went to another owner (then nothing was written). */
int sessions_commit(store *s, const char *channel, const char *user, const char *token,
                    const char *json, size_t len, int ttl_s, sessions_save_fn *fn,
                    void *privdata);
/* Give the lease back without a write (fire and forget; a lease that is not
 * token's any more is left alone). */
int sessions_release(store *s, const char *channel, const char *user, const char *token);

#endif
