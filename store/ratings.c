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

int ratings_put(store *s, const char *code, const char *agency, const char *member, int score,
                ratings_done_fn *fn, void *privdata)
{
    if (!s || !code || !*code || !agency || !*agency || strchr(agency, ':') || !member ||
        !strchr(member, ':') || score < 1 || score > 5)
        return -1;
    char sc[4];
    snprintf(sc, sizeof(sc), "%d", score);
    const char *args[4] = {code, agency, member, sc};
    ratings_call *c = xcalloc(1, sizeof(*c));
    c->fn = fn;
    c->privdata = privdata;
    if (store_eval(s, ratings_on_put, c, &store_lua_ratings_put, 0, 4, args, NULL) < 0) {
        free(c);
        return -1;
    }
    return 0;
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
