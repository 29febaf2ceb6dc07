/* ratings.c -- one rating per dossier per citizen, with running aggregates
 * (see ratings.h). One Lua script (store/lua/ratings_put.lua) reads the
 * dossier, swaps the citizen's score and adjusts the counters, so concurrent
 * or repeated ratings never leave the aggregates out of step with the
 * ratings. */
#include "store/ratings.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/xmalloc.h"
#include "store/store_lua.h"

typedef struct ratings_call {
    ratings_done_fn *fn;
    ratings_stats_fn *stats;
    void *privdata;
} ratings_call;

static void ratings_on_put(redisReply *r, void *privdata)
{
    ratings_call *c = privdata;
    ratings_done_fn *fn = c->fn;
    void *up = c->privdata;
    free(c);
    if (!fn)
        return;
    if (store_reply_shape(r, 2, (const int[]){REDIS_REPLY_INTEGER, REDIS_REPLY_INTEGER}))
        fn((int)r->element[0]->integer, (int)r->element[1]->integer, up);
    else
        fn(-1, 0, up);
}

int ratings_put(store *s, const ratings_vote *v, ratings_done_fn *fn, void *privdata)
{
    ratelimit_miss_argv ma;
    if (!s || !v || !v->code || !*v->code || !v->agency || !*v->agency ||
        strchr(v->agency, ':') || !v->member || !strchr(v->member, ':') || v->score < 1 ||
        v->score > 5 || ratelimit_miss_argv_init(&ma, &v->miss) < 0)
        return -1;
    char sc[4];
    snprintf(sc, sizeof(sc), "%d", v->score);
    const char *args[10] = {v->code, v->agency, v->member, sc, v->msisdn ? v->msisdn : "",
                            ma.argv[0], ma.argv[1], ma.argv[2], ma.argv[3], ma.argv[4]};
    ratings_call *c = xcalloc(1, sizeof(*c));
    c->fn = fn;
    c->privdata = privdata;
    int rc = store_eval(s, ratings_on_put, c, &store_lua_ratings_put, 0, 10, args, NULL);
    if (rc < 0)
        free(c);
    ratelimit_miss_argv_free(&ma);
    return rc;
}

static void ratings_on_stats(redisReply *r, void *privdata)
{
    ratings_call *c = privdata;
    ratings_stats_fn *fn = c->stats;
    void *up = c->privdata;
    free(c);
    if (r && r->type == REDIS_REPLY_ARRAY && r->elements == 3)
        fn(0, r->element[0], r->element[1], r->element[2], up);
    else
        fn(-1, NULL, NULL, NULL, up);
}

int ratings_stats(store *s, ratings_stats_fn *fn, void *privdata)
{
    if (!s || !fn)
        return -1;
    ratings_call *c = xcalloc(1, sizeof(*c));
    c->stats = fn;
    c->privdata = privdata;
    if (store_eval(s, ratings_on_stats, c, &store_lua_ratings_stats, 0, 0, NULL, NULL) < 0) {
        free(c);
        return -1;
    }
    return 0;
}
