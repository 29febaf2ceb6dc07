/* stats.c -- one script reads every counter of the public statistics
 * (stats.h). */
#include "store/stats.h"

#include <stdlib.h>

#include "common/xmalloc.h"
#include "store/store_lua.h"

typedef struct stats_call {
    stats_read_fn *fn;
    void *privdata;
} stats_call;

static void stats_on_read(redisReply *r, void *privdata)
{
    stats_call *c = privdata;
    stats_read_fn *fn = c->fn;
    void *up = c->privdata;
    free(c);
    if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != 6) {
        fn(-1, NULL, up);
        return;
    }
    for (size_t i = 0; i < 6; i++)
        if (r->element[i]->type != REDIS_REPLY_ARRAY) {
            fn(-1, NULL, up);
            return;
        }
    stats_replies sr = {r->element[0], r->element[1], r->element[2], r->element[3],
                        r->element[4], r->element[5]};
    fn(0, &sr, up);
}

int stats_read(store *s, stats_read_fn *fn, void *privdata)
{
    if (!s || !fn)
        return -1;
    stats_call *c = xcalloc(1, sizeof(*c));
    c->fn = fn;
    c->privdata = privdata;
    if (store_eval(s, stats_on_read, c, &store_lua_stats_read, 0, 0, NULL, NULL) < 0) {
        free(c);
        return -1;
    }
    return 0;
}
