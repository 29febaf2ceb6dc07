/* outbox.c -- durable outbound SMS queue and chat notices (see outbox.h).
 *
 * Everything is one Lua script per call (store/lua/outbox_enqueue.lua,
 * outbox_notices_pop.lua), so a message record, its dedupe key and its queue entry
 * appear together or not at all. The Lua functions of
 * store/lua/lib_outbox.lua are also prepended to the scripts of
 * complaints.c, subscriptions.c and agent_queue.c, which queue messages or
 * notices atomically with their own writes. */
#include "store/outbox.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/xmalloc.h"
#include "store/store_lua.h"

typedef struct outbox_call {
    outbox_done_fn *done;
    notices_pop_fn *pop;
    void *privdata;
} outbox_call;

static void outbox_on_enqueue(redisReply *r, void *privdata)
{
    outbox_call *c = privdata;
    outbox_done_fn *fn = c->done;
    void *up = c->privdata;
    free(c);
    if (!fn)
        return;
    if (store_reply_shape(r, 2, (const int[]){REDIS_REPLY_INTEGER, REDIS_REPLY_INTEGER}))
        fn(0, r->element[0]->integer, (int)r->element[1]->integer, up);
    else
        fn(-1, 0, 0, up);
}

int outbox_enqueue(store *s, const outbox_msg *m, outbox_done_fn *fn, void *privdata)
{
    if (!s || !m || !m->to || !*m->to || !m->text || !m->kind)
        return -1;
    const char *args[5] = {m->to, m->text, m->kind, m->dedupe, m->ref};
    outbox_call *c = xcalloc(1, sizeof(*c));
    c->done = fn;
    c->privdata = privdata;
    int rc = store_eval(s, outbox_on_enqueue, c, &store_lua_outbox_enqueue, 0, 5, args, NULL);
    if (rc < 0)
        free(c);
    return rc;
}

static void outbox_on_pop(redisReply *r, void *privdata)
{
    outbox_call *c = privdata;
    notices_pop_fn *fn = c->pop;
    void *up = c->privdata;
    free(c);
    if (!fn)
        return;
    if (!r || r->type != REDIS_REPLY_ARRAY) {
        fn(-1, NULL, 0, up);
        return;
    }
    const char **v = xcalloc(r->elements + 1, sizeof(*v));
    size_t n = 0;
    for (size_t i = 0; i < r->elements; i++)
        if (r->element[i]->type == REDIS_REPLY_STRING)
            v[n++] = r->element[i]->str;
    fn(0, v, n, up);
    free(v);
}

int outbox_notices_pop(store *s, const char *channel, const char *user, size_t max,
                notices_pop_fn *fn, void *privdata)
{
    if (!s || !channel || !*channel || strchr(channel, ':') || !user || !*user || max == 0)
        return -1;
    char nbuf[24];
    snprintf(nbuf, sizeof(nbuf), "%zu", max);
    const char *args[3] = {channel, user, nbuf};
    outbox_call *c = xcalloc(1, sizeof(*c));
    c->pop = fn;
    c->privdata = privdata;
    if (store_eval(s, outbox_on_pop, c, &store_lua_notices_pop, 0, 3, args, NULL) < 0) {
        free(c);
        return -1;
    }
    return 0;
}

int outbox_notice_ack(store *s, const char *channel, const char *user, const char *json,
                      size_t len)
{
    if (!s || !channel || !*channel || strchr(channel, ':') || !user || !*user || !json)
        return -1;
    buf key = {0};
    buf_printf(&key, "dvcbot:notices:%s:%s", channel, user);
    const char *argv[4] = {"LREM", key.data, "1", json};
    size_t lens[4] = {4, key.len, 1, len};
    int rc = store_commandargv(s, NULL, NULL, 4, argv, lens);
    buf_free(&key);
    return rc;
}
