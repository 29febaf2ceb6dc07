/* ratings.h -- satisfaction ratings (1-5) of a dossier's handling.
 *
 * Owner: [domain]. Keys (store/README.md, "Ratings"):
 *   dvcbot:rating:{dossier code}   hash  member -> "{score}|{procedure code}"
 *   dvcbot:stats:ratings           hash  all:count, all:sum,
 *                                        agency:{e-id}:count|sum,
 *                                        procedure:{e-id}:{code}:count|sum
 * A member is the citizen's id from subs_member() ("sms:8490...", or
 * "chat:{user}"): one rating per dossier per citizen. Rating again replaces
 * the score; the aggregates lose the old score and gain the new one in the
 * same script, so nothing is counted twice. Only dossiers that exist
 * (dvcbot:dossier:{code}) can be rated; the procedure comes from the dossier
 * record (hash field procedure_code, or the same key of a JSON string).
 *
 * Asynchronous: -1 without callback when the store is down or an argument
 * is invalid, else the callback runs exactly once. */
#ifndef DVC_STORE_RATINGS_H
#define DVC_STORE_RATINGS_H

#include "store/redis.h"

enum {
    RATINGS_NEW = 0,        /* first rating of this citizen for this dossier */
    RATINGS_REPLACED = 1,   /* replaced an earlier score (old_score) */
    RATINGS_NO_DOSSIER = 2, /* no such dossier: nothing stored */
};

/* status: one of the above, or -1 when Redis failed. */
typedef void ratings_done_fn(int status, int old_score, void *privdata);

/* agency: the dossier's agency e-id (complaints_agency_of the code). */
int ratings_put(store *s, const char *code, const char *agency, const char *member, int score,
                ratings_done_fn *fn, void *privdata);

/* The counters behind GET /api/v1/stats, read in one script: the flat
 * HGETALL arrays (field, value, ...) of dvcbot:stats:complaints,
 * dvcbot:stats:ratings and dvcbot:stats:dossiers (the last is maintained by
 * store/dossiers.c: fields {e-id}:{status} -> dossiers in that status).
 * Replies are valid during the callback only. status 0 or -1. */
typedef void ratings_stats_fn(int status, const redisReply *complaints,
                              const redisReply *ratings, const redisReply *dossiers,
                              void *privdata);
int ratings_stats(store *s, ratings_stats_fn *fn, void *privdata);

#endif
