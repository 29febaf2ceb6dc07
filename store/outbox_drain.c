/* outbox_drain.c -- the drainer's Redis steps (see outbox_drain.h): each is
 * one embedded Lua script (store/lua/outbox_drain_*.lua) whose ids, numbers
 * and texts are ARGV (binary safe); numbers are sent in decimal. */
#include "store/outbox_drain.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/xmalloc.h"
#include "store/store_lua.h"

typedef struct drain_call {
    outbox_claim_fn *claim;
    outbox_drain_fn *done;
    void *privdata;
} drain_call;

static const char *drain_err(const redisReply *r)
{
    return r && r->type == REDIS_REPLY_ERROR ? r->str : NULL;
}

/* Run script with nargs ARGV; c is freed when it is refused. */
static int drain_eval(store *s, store_reply_fn *cb, drain_call *c, const store_script *script,
                      int nargs, const char *const *args)
{
    int rc = store_eval(s, cb, c, script, 0, nargs, args, NULL);
    if (rc < 0)
        free(c);
    return rc;
}

static drain_call *drain_call_new(outbox_claim_fn *claim, outbox_drain_fn *done, void *pd)
{
    drain_call *c = xmalloc(sizeof(*c));
    c->claim = claim;
    c->done = done;
    c->privdata = pd;
    return c;
}

/* A string element, or "" (length 0) for any other type. */
static const char *drain_str(const redisReply *e, size_t *len)
{
    *len = e->type == REDIS_REPLY_STRING ? e->len : 0;
    return e->type == REDIS_REPLY_STRING && e->str ? e->str : "";
}

/* {id, to, text, kind, attempts} -> m; 0, or -1 when it has another shape. */
static int drain_claimed(const redisReply *e, outbox_claimed *m)
{
    size_t kl;
    if (e->type != REDIS_REPLY_ARRAY || e->elements != 5 ||
        e->element[0]->type != REDIS_REPLY_STRING)
        return -1;
    m->id = drain_str(e->element[0], &m->id_len);
    m->to = drain_str(e->element[1], &m->to_len);
    m->text = drain_str(e->element[2], &m->text_len);
    m->kind = drain_str(e->element[3], &kl);
    m->attempts = (int)e->element[4]->integer;
    return 0;
}

static void drain_on_claim(redisReply *r, void *privdata)
{
    drain_call c = *(drain_call *)privdata;
    free(privdata);
    if (!c.claim)
        return;
    if (!r || r->type != REDIS_REPLY_ARRAY) {
        c.claim(-1, NULL, 0, drain_err(r), c.privdata);
        return;
    }
    outbox_claimed *m = xcalloc(r->elements + 1, sizeof(*m));
    size_t n = 0;
    for (size_t i = 0; i < r->elements; i++)
        if (drain_claimed(r->element[i], &m[n]) == 0)
            n++;
    c.claim(0, m, n, NULL, c.privdata);
    free(m);
}

static void drain_on_int(redisReply *r, void *privdata)
{
    drain_call c = *(drain_call *)privdata;
    free(privdata);
    if (!c.done)
        return;
    if (r && r->type == REDIS_REPLY_INTEGER)
        c.done(0, r->integer, NULL, c.privdata);
    else
        c.done(-1, 0, drain_err(r), c.privdata);
}

int outbox_drain_claim(store *s, int max, uint64_t now_ms, outbox_claim_fn *fn,
                       void *privdata)
{
    char maxbuf[16], now[24];
    if (!s || max < 1)
        return -1;
    snprintf(maxbuf, sizeof(maxbuf), "%d", max);
    snprintf(now, sizeof(now), "%llu", (unsigned long long)now_ms);
    const char *args[2] = {maxbuf, now};
    return drain_eval(s, drain_on_claim, drain_call_new(fn, NULL, privdata),
                      &store_lua_outbox_drain_claim, 2, args);
}

int outbox_drain_finish(store *s, const char *id, outbox_drain_outcome o, uint64_t now_ms,
                        uint64_t due_ms, const char *error, outbox_drain_fn *fn,
                        void *privdata)
{
    static const char *const what[] = {
        [OUTBOX_DRAIN_SENT] = "sent", [OUTBOX_DRAIN_FAILED] = "failed",
        [OUTBOX_DRAIN_RETRY] = "retry", [OUTBOX_DRAIN_REQUEUE] = "requeue",
    };
    char now[24], due[24];
    if (!s || !id || !*id || (unsigned)o > OUTBOX_DRAIN_REQUEUE)
        return -1;
    snprintf(now, sizeof(now), "%llu", (unsigned long long)now_ms);
    snprintf(due, sizeof(due), "%llu", (unsigned long long)due_ms);
    const char *args[5] = {id, what[o], now, due, error ? error : ""};
    return drain_eval(s, drain_on_int, drain_call_new(NULL, fn, privdata),
                      &store_lua_outbox_drain_finish, 5, args);
}

int outbox_drain_pump(store *s, uint64_t now_ms, int max, outbox_drain_fn *fn,
                      void *privdata)
{
    char now[24], maxbuf[16];
    if (!s || max < 1)
        return -1;
    snprintf(now, sizeof(now), "%llu", (unsigned long long)now_ms);
    snprintf(maxbuf, sizeof(maxbuf), "%d", max);
    const char *args[2] = {now, maxbuf};
    return drain_eval(s, drain_on_int, drain_call_new(NULL, fn, privdata),
                      &store_lua_outbox_drain_pump, 2, args);
}

int outbox_drain_recover(store *s, uint64_t now_ms, uint64_t cutoff_ms, outbox_drain_fn *fn,
                         void *privdata)
{
    char now[24], cutoff[24];
    if (!s)
        return -1;
    snprintf(now, sizeof(now), "%llu", (unsigned long long)now_ms);
    snprintf(cutoff, sizeof(cutoff), "%llu", (unsigned long long)cutoff_ms);
    const char *args[2] = {now, cutoff};
    return drain_eval(s, drain_on_int, drain_call_new(NULL, fn, privdata),
                      &store_lua_outbox_drain_recover, 2, args);
}

int outbox_drain_dlr(store *s, const char *id, const char *state, int rank, uint64_t now_ms,
                     outbox_drain_fn *fn, void *privdata)
{
    char rk[16], now[24];
    if (!s || !id || !state || !*state)
        return -1;
    snprintf(rk, sizeof(rk), "%d", rank);
    snprintf(now, sizeof(now), "%llu", (unsigned long long)now_ms);
    const char *args[4] = {id, state, rk, now};
    return drain_eval(s, drain_on_int, drain_call_new(NULL, fn, privdata),
                      &store_lua_outbox_drain_dlr, 4, args);
}
