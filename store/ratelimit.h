/* ratelimit.h -- request budgets shared in Redis, so they hold across every
 * gateway instance (SPEC.md "Errors": 429 per client address and per
 * identity), and the code miss limit shared by every code-taking command.
 *
 * Owner: [security]. Keys (store/README.md):
 *   dvcbot:rl:{kind}:{id}           string counter of one fixed window,
 *                                   TTL = the window (kinds: see callers)
 *   dvcbot:rl-miss:{channel}:{user} unknown dossier/complaint codes of one
 *                                   identity, TTL domain.miss_window_s
 *   dvcbot:rl-miss-addr:{addr}      the same for one client address
 * {kind} is a fixed word of the caller (no ':'); {id} may hold any bytes.
 *
 * Asynchronous like every store call: -1 without callback when the store is
 * down or an argument is invalid, else the callback runs exactly once. */
#ifndef DVC_STORE_RATELIMIT_H
#define DVC_STORE_RATELIMIT_H

#include <stddef.h>

#include "store/arg.h"
#include "store/redis.h"

#define RATELIMIT_RULES_MAX 8

/* One budget: at most limit requests per window_s seconds for (kind, id).
 * A rule with limit <= 0 or a NULL/empty id is skipped (no budget). */
typedef struct ratelimit_rule {
    const char *kind;
    const char *id;
    int limit;
    int window_s;
} ratelimit_rule;

/* status 1: accepted (counted in every rule); 0: refused by a rule, counted
 * nowhere, retry_after_s = seconds until that window ends (>= 1); -1: Redis
 * failed (the caller answers 503). */
typedef void ratelimit_fn(int status, int retry_after_s, void *privdata);

/* The Retry-After seconds (>= 1) of a refusal whose window ends in ms. */
int ratelimit_retry_after_s(long long ms);

/* One request against up to RATELIMIT_RULES_MAX rules, in one script. When
 * every rule is skipped, fn(1, 0) runs before the call returns. */
int ratelimit_hit(store *s, const ratelimit_rule *rules, size_t n, ratelimit_fn *fn,
                  void *privdata);

/* The script arguments of a request's budgets (lib_ratelimit.lua's
 * triples: key, limit, window_s), for the scripts of store/ that count them
 * with other work (sessions_begin). argv[0..n) is valid until
 * ratelimit_argv_free. Skipped rules (see above) have no triple. */
typedef struct ratelimit_argv {
    char *keys[RATELIMIT_RULES_MAX];
    char nums[RATELIMIT_RULES_MAX][2][NUM_MAX];
    const char *argv[RATELIMIT_RULES_MAX * 3];
    int n;
} ratelimit_argv;

/* Fill out from rules (n <= RATELIMIT_RULES_MAX); -1 (nothing to free) for
 * a bad rule: a kind that is empty or holds ':', or window_s < 1. */
int ratelimit_argv_init(ratelimit_argv *out, const ratelimit_rule *rules, size_t n);
void ratelimit_argv_free(ratelimit_argv *a); /* accepts NULL */

/* The miss limit of one citizen: the identity (channel, user) and, when
 * known, the client address (web chat; NULL for phones, whose channel is
 * authenticated). limit/addr_limit misses per window_s. */
typedef struct ratelimit_miss {
    const char *channel;
    const char *user;
    const char *addr;
    int limit;
    int addr_limit;
    int window_s;
} ratelimit_miss;

/* The 5 script arguments of store/lua/lib_miss.lua, built from a miss. */
typedef struct ratelimit_miss_argv {
    char *id_key;
    char *addr_key;
    char lim[NUM_MAX], alim[NUM_MAX], win[NUM_MAX];
    const char *argv[5];
} ratelimit_miss_argv;

/* Fill out (free with ratelimit_miss_argv_free); -1 for a bad miss (no
 * channel or user, a ':' in the channel, window_s < 1). */
int ratelimit_miss_argv_init(ratelimit_miss_argv *out, const ratelimit_miss *m);
void ratelimit_miss_argv_free(ratelimit_miss_argv *a); /* accepts NULL */

#endif
