/* sessions.h -- per-user, per-channel conversation state in Redis.
 *
 * A session is a small JSON object (owned by the router and the dialogs; the
 * store neither reads nor checks its fields) kept under
 *   dvcbot:sess:{channel}:{user}
 * with a TTL refreshed on every save. Key layout: store/README.md.
 *
 * Load and save are asynchronous; callbacks run on the loop thread. */
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

#endif
