/* stats.h -- the counters behind the public statistics page (/thong-ke,
 * GET /api/v1/stats/public), read in one script (store/lua/stats_read.lua).
 *
 * Keys (each bounded; store/README.md):
 *   dvcbot:stats:complaints        hash {agency}:received|answered (complaints.h)
 *   dvcbot:stats:ratings           hash agency:{e}:count|sum|s1..s5,
 *                                  procedure:{e}:{p}:count|sum|s1..s5 (ratings.h)
 *   dvcbot:stats:dossiers          hash {e}:{status} (subscriptions.h)
 *   dvcbot:stats:dossiers-month    hash {e}:{yyyy-mm}:received|on_time|late
 *                                  (store/lua/dossiers_put.lua)
 *   dvcbot:stats:dossier-done      hash code -> 1 once counted on_time / late
 *   dvcbot:stats:answer-s          list, the last 1000 complaint answer times (s)
 *   dvcbot:stats:csat              hash {operator}|all:count|sum|s1..s5 (csat.h)
 *
 * The callback gets the replies (valid during the call only), or status -1
 * and NULLs when Redis fails. */
#ifndef DVC_STORE_STATS_H
#define DVC_STORE_STATS_H

#include "store/redis.h"

typedef struct stats_replies {
    const redisReply *complaints, *ratings, *dossiers, *months, *answer_s, *csat;
} stats_replies;

typedef void stats_read_fn(int status, const stats_replies *r, void *privdata);

/* Returns 0 (fn is called once later) or -1 (not sent; fn is not called). */
int stats_read(store *s, stats_read_fn *fn, void *privdata);

#endif
