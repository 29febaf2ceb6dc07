/* csat.c -- one rating per hand-back of an operator (csat.h). */
#include "store/csat.h"

#include <stdio.h>
#include <stdlib.h>

#include "common/xmalloc.h"
#include "store/store_lua.h"

typedef struct csat_call {
    csat_done_fn *fn;
    void *privdata;
} csat_call;

static void csat_on_put(redisReply *r, void *privdata)
{
    csat_call *c = privdata;
    csat_done_fn *fn = c->fn;
    void *up = c->privdata;
    free(c);
    if (r && r->type == REDIS_REPLY_STRING)
        fn(0, r->str, up);
    else if (r && r->type == REDIS_REPLY_NIL)
        fn(1, NULL, up);
    else
        fn(-1, NULL, up);
}

int csat_put(store *s, const char *conv, int score, csat_done_fn *fn, void *privdata)
{
    if (!s || !conv || !*conv || score < 1 || score > 5 || !fn)
        return -1;
    char sc[4];
    snprintf(sc, sizeof(sc), "%d", score);
    const char *args[2] = {conv, sc};
    csat_call *c = xcalloc(1, sizeof(*c));
    c->fn = fn;
    c->privdata = privdata;
    if (store_eval(s, csat_on_put, c, &store_lua_csat_put, 0, 2, args, NULL) < 0) {
        free(c);
        return -1;
    }
    return 0;
}
