/* outbox_drain.c -- the drainer's Redis steps (see outbox_drain.h): each is
 * one embedded Lua script (store/lua/outbox_drain_*.lua) whose ids, numbers
 * and texts are ARGV (binary safe); numbers are sent in decimal. The blocking
 * read is a plain XREADGROUP for a connection of its own. */
#include "store/outbox_drain.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/xmalloc.h"
#include "store/store_lua.h"

typedef struct drain_call {
    outbox_claim_fn *claim;
    outbox_drain_fn *done;
    outbox_entries_fn *entries;
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
    drain_call *c = xcalloc(1, sizeof(*c));
    c->claim = claim;
    c->done = done;
    c->privdata = pd;
    return c;
}

static drain_call *drain_entries_call(outbox_entries_fn *fn, void *pd)
{
    drain_call *c = drain_call_new(NULL, NULL, pd);
    c->entries = fn;
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
    static const int shape[3] = {REDIS_REPLY_INTEGER, REDIS_REPLY_INTEGER, REDIS_REPLY_ARRAY};
    if (!store_reply_shape(r, 3, shape)) {
        c.claim(-1, NULL, 0, 0, 0, drain_err(r), c.privdata);
        return;
    }
    const redisReply *l = r->element[2];
    outbox_claimed *m = xcalloc(l->elements + 1, sizeof(*m));
    size_t n = 0;
    for (size_t i = 0; i < l->elements; i++)
        if (drain_claimed(l->element[i], &m[n]) == 0)
            n++;
    c.claim(0, m, n, (size_t)r->element[0]->integer, (long)r->element[1]->integer, NULL,
            c.privdata);
    free(m);
}

/* Copy a string reply into dst (size dstlen); -1 when it is not one or too long. */
static int drain_copy(char *dst, size_t dstlen, const redisReply *e)
{
    if (e->type != REDIS_REPLY_STRING || e->len >= dstlen)
        return -1;
    memcpy(dst, e->str, e->len);
    dst[e->len] = '\0';
    return 0;
}

/* Flat {kind, entry, id, ...} (the pending script's answer). */
static size_t drain_flat_entries(const redisReply *r, outbox_entry *e)
{
    size_t n = 0;
    for (size_t i = 0; i + 2 < r->elements; i += 3) {
        if (drain_copy(e[n].kind, sizeof(e[n].kind), r->element[i]) == 0 &&
            drain_copy(e[n].entry, sizeof(e[n].entry), r->element[i + 1]) == 0 &&
            drain_copy(e[n].id, sizeof(e[n].id), r->element[i + 2]) == 0)
            n++;
    }
    return n;
}

/* XREADGROUP's {{stream, {{entry, {"id", id}}...}}...}. */
static size_t drain_stream_entries(const redisReply *r, outbox_entry *e, size_t max)
{
    static const char pre[] = "dvcbot:outbox:stream:";
    size_t n = 0;
    for (size_t i = 0; i < r->elements; i++) {
        const redisReply *st = r->element[i];
        if (st->type != REDIS_REPLY_ARRAY || st->elements != 2 ||
            st->element[0]->type != REDIS_REPLY_STRING || st->element[1]->type != REDIS_REPLY_ARRAY ||
            st->element[0]->len <= sizeof(pre) - 1 || st->element[0]->len - (sizeof(pre) - 1) >= 8)
            continue;
        const char *kind = st->element[0]->str + sizeof(pre) - 1;
        const redisReply *l = st->element[1];
        for (size_t j = 0; j < l->elements && n < max; j++) {
            const redisReply *en = l->element[j];
            if (en->type != REDIS_REPLY_ARRAY || en->elements != 2 ||
                en->element[1]->type != REDIS_REPLY_ARRAY || en->element[1]->elements != 2)
                continue;
            snprintf(e[n].kind, sizeof(e[n].kind), "%s", kind);
            if (drain_copy(e[n].entry, sizeof(e[n].entry), en->element[0]) == 0 &&
                drain_copy(e[n].id, sizeof(e[n].id), en->element[1]->element[1]) == 0)
                n++;
        }
    }
    return n;
}

static void drain_on_entries(redisReply *r, void *privdata, int flat)
{
    drain_call c = *(drain_call *)privdata;
    free(privdata);
    if (!c.entries)
        return;
    if (r && r->type == REDIS_REPLY_NIL) {
        c.entries(0, NULL, 0, NULL, c.privdata);
        return;
    }
    if (!r || r->type != REDIS_REPLY_ARRAY) {
        c.entries(-1, NULL, 0, drain_err(r), c.privdata);
        return;
    }
    size_t max = flat ? r->elements / 3 + 1 : 0;
    for (size_t i = 0; !flat && i < r->elements; i++)
        if (r->element[i]->type == REDIS_REPLY_ARRAY && r->element[i]->elements == 2)
            max += r->element[i]->element[1]->elements;
    outbox_entry *e = xcalloc(max + 1, sizeof(*e));
    size_t n = flat ? drain_flat_entries(r, e) : drain_stream_entries(r, e, max);
    c.entries(0, e, n, NULL, c.privdata);
    free(e);
}

static void drain_on_pending(redisReply *r, void *privdata) { drain_on_entries(r, privdata, 1); }
static void drain_on_read(redisReply *r, void *privdata) { drain_on_entries(r, privdata, 0); }

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

int outbox_drain_pending(store *s, const char *consumer, long min_idle_ms, int count,
                         outbox_entries_fn *fn, void *privdata)
{
    char idle[24], cnt[16];
    if (!s || !consumer || !*consumer || count < 1)
        return -1;
    snprintf(idle, sizeof(idle), "%ld", min_idle_ms < 0 ? -1L : min_idle_ms);
    snprintf(cnt, sizeof(cnt), "%d", count);
    const char *args[3] = {consumer, idle, cnt};
    return drain_eval(s, drain_on_pending, drain_entries_call(fn, privdata),
                      &store_lua_outbox_drain_pending, 3, args);
}

int outbox_drain_read(store *s, const char *consumer, int count, int block_ms,
                      outbox_entries_fn *fn, void *privdata)
{
    char cnt[16], blk[16];
    if (!s || !consumer || !*consumer || count < 1 || block_ms < 0)
        return -1;
    snprintf(cnt, sizeof(cnt), "%d", count);
    snprintf(blk, sizeof(blk), "%d", block_ms);
    const char *argv[] = {"XREADGROUP", "GROUP", "senders", consumer, "COUNT", cnt, "BLOCK", blk,
                          "STREAMS", "dvcbot:outbox:stream:reply", "dvcbot:outbox:stream:notify",
                          ">", ">"};
    drain_call *c = drain_entries_call(fn, privdata);
    int rc = store_commandargv(s, drain_on_read, c, 13, argv, NULL);
    if (rc < 0)
        free(c);
    return rc;
}

#define DRAIN_CLAIM_MAX 64

static long drain_retention_s = OUTBOX_RETENTION_DEFAULT_S;

void outbox_drain_set_retention(long seconds)
{
    drain_retention_s = seconds > 0 ? seconds : OUTBOX_RETENTION_DEFAULT_S;
}

int outbox_drain_claim(store *s, const outbox_claim_args *a, const outbox_entry *e, size_t n,
                       outbox_claim_fn *fn, void *privdata)
{
    char now[24], lease[24], rate[32], debt[32], keep[24];
    const char *args[6 + 3 * DRAIN_CLAIM_MAX];
    if (!s || !a || !a->owner || !*a->owner || !e || n < 1 || n > DRAIN_CLAIM_MAX ||
        a->rate <= 0)
        return -1;
    snprintf(now, sizeof(now), "%llu", (unsigned long long)a->now_ms);
    snprintf(lease, sizeof(lease), "%ld", a->lease_ms);
    snprintf(rate, sizeof(rate), "%.3f", a->rate);
    snprintf(debt, sizeof(debt), "%.3f", a->debt);
    snprintf(keep, sizeof(keep), "%ld", a->retention_s > 0 ? a->retention_s : drain_retention_s);
    args[0] = a->owner, args[1] = now, args[2] = lease, args[3] = rate, args[4] = debt;
    args[5] = keep;
    for (size_t i = 0; i < n; i++) {
        args[6 + 3 * i] = e[i].kind;
        args[7 + 3 * i] = e[i].entry;
        args[8 + 3 * i] = e[i].id;
    }
    return drain_eval(s, drain_on_claim, drain_call_new(fn, NULL, privdata),
                      &store_lua_outbox_drain_claim, (int)(6 + 3 * n), args);
}

int outbox_drain_finish(store *s, const char *owner, const char *id, outbox_drain_outcome o,
                        uint64_t now_ms, uint64_t due_ms, const char *error,
                        outbox_drain_fn *fn, void *privdata)
{
    static const char *const what[] = {
        [OUTBOX_DRAIN_SENT] = "sent", [OUTBOX_DRAIN_FAILED] = "failed",
        [OUTBOX_DRAIN_RETRY] = "retry", [OUTBOX_DRAIN_REQUEUE] = "requeue",
    };
    char now[24], due[24], keep[24];
    if (!s || !owner || !*owner || !id || !*id || (unsigned)o > OUTBOX_DRAIN_REQUEUE)
        return -1;
    snprintf(now, sizeof(now), "%llu", (unsigned long long)now_ms);
    snprintf(due, sizeof(due), "%llu", (unsigned long long)due_ms);
    snprintf(keep, sizeof(keep), "%ld", drain_retention_s);
    const char *args[7] = {id, what[o], now, due, error ? error : "", owner, keep};
    return drain_eval(s, drain_on_int, drain_call_new(NULL, fn, privdata),
                      &store_lua_outbox_drain_finish, 7, args);
}

int outbox_drain_pump(store *s, uint64_t now_ms, int max, long lease_ms, outbox_drain_fn *fn,
                      void *privdata)
{
    char now[24], maxbuf[16], lease[24];
    if (!s || max < 1)
        return -1;
    snprintf(now, sizeof(now), "%llu", (unsigned long long)now_ms);
    snprintf(maxbuf, sizeof(maxbuf), "%d", max);
    snprintf(lease, sizeof(lease), "%ld", lease_ms);
    const char *args[3] = {now, maxbuf, lease};
    return drain_eval(s, drain_on_int, drain_call_new(NULL, fn, privdata),
                      &store_lua_outbox_drain_pump, 3, args);
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
