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
 * same script, so nothing is counted twice. Only a returned dossier (status
 * done or returned) can be rated, and only by its applicant's number or by
 * a citizen whose lookup saw it returned (dvcbot:rating-ok:{code}:{member},
 * set by dossiers_lookup_miss): no ballot stuffing from made-up ids. An
 * unknown code counts a miss (store/ratelimit.h), shared with TRACUU, DK and
 * TTPA. The procedure comes from the dossier record (hash field
 * procedure_code, or the same key of a JSON string).
 *
 * Asynchronous: -1 without callback when the store is down or an argument
 * is invalid, else the callback runs exactly once. */
#ifndef DVC_STORE_RATINGS_H
#define DVC_STORE_RATINGS_H

#include "store/ratelimit.h"
#include "store/redis.h"

enum {
    RATINGS_NEW = 0,        /* first rating of this citizen for this dossier */
    RATINGS_REPLACED = 1,   /* replaced an earlier score (old_score) */
    RATINGS_NO_DOSSIER = 2, /* no such dossier: nothing stored, a miss counted */
    RATINGS_NOT_FINISHED = 3, /* the dossier is not returned yet */
    RATINGS_NOT_YOURS = 4,  /* neither the applicant nor a lookup after it was returned */
    RATINGS_LIMITED = 5,    /* the miss limit is reached: nothing read */
};

/* status: one of the above, or -1 when Redis failed. */
typedef void ratings_done_fn(int status, int old_score, void *privdata);

typedef struct ratings_vote {
    const char *code;       /* the dossier */
    const char *agency;     /* its agency e-id (complaints_agency_of the code) */
    const char *member;     /* subs_member() of the citizen */
    const char *msisdn;     /* the citizen's number (SMS, USSD), NULL for chat */
    int score;              /* 1-5 */
    ratelimit_miss miss;    /* the citizen's miss limit */
} ratings_vote;

int ratings_put(store *s, const ratings_vote *v, ratings_done_fn *fn, void *privdata);

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
