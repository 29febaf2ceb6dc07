/* redis_durable.c -- "acknowledged means durable" (redis.h, store_durable):
 * the answer of a script that acknowledges a citizen's write (a complaint, a
 * PAKN, an SMS accepted for sending) is held until a replica has it.
 *
 * WAIT covers only the writes of the connection it is sent on, and it
 * blocks that connection; so it goes on a connection of its own, after a
 * tiny write there (SET dvcbot:durable:{instance}): the replication stream is
 * one ordered log, and every held write was executed before that SET was
 * sent, so a replica that acknowledged the SET has them too. Writes held
 * while a round is in flight share the next round (group commit): one
 * SET + WAIT per round, whatever the number of writes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/xmalloc.h"
#include "store/redis_int.h"
#include "store/store_lua.h"

typedef struct durable_waiter {
    struct durable_waiter *next;
    store_durable_fn *fn;
    void *privdata;
} durable_waiter;

struct store_durable {
    store *conn;
    int replicas, timeout_ms;
    durable_waiter *next_round, **next_tail;
    int inflight;
    unsigned long seq, rounds, failed;
};

store_durable *store_durable_new(uv_loop_t *loop, const store_options *opt, int replicas,
                                 int timeout_ms, char *err, size_t errlen)
{
    store *conn = store_new(loop, opt, err, errlen);
    if (!conn)
        return NULL;
    store_durable *d = xcalloc(1, sizeof(*d));
    d->conn = conn;
    d->replicas = replicas;
    d->timeout_ms = timeout_ms > 0 ? timeout_ms : 1000;
    d->next_tail = &d->next_round;
    return d;
}

static void durable_round(store_durable *d);

typedef struct durable_round_ctx {
    store_durable *d;
    durable_waiter *waiters;
} durable_round_ctx;

static void durable_on_round(redisReply *r, void *privdata)
{
    durable_round_ctx *x = privdata;
    store_durable *d = x->d;
    int enough = r && r->type == REDIS_REPLY_INTEGER && r->integer >= d->replicas;
    if (!enough)
        d->failed++;
    for (durable_waiter *w = x->waiters, *next; w; w = next) {
        next = w->next;
        w->fn(enough ? 0 : -1, w->privdata);
        free(w);
    }
    free(x);
    d->inflight = 0;
    if (d->next_round)
        durable_round(d);
}

/* SET our mark, then WAIT: the waiters queued so far ride on it. */
static void durable_round(store_durable *d)
{
    char key[160], val[24], n[16], ms[16];
    durable_round_ctx *x = xmalloc(sizeof(*x));
    x->d = d;
    x->waiters = d->next_round;
    d->next_round = NULL;
    d->next_tail = &d->next_round;
    snprintf(key, sizeof(key), "dvcbot:durable:%s", store_instance(d->conn));
    snprintf(val, sizeof(val), "%lu", ++d->seq);
    snprintf(n, sizeof(n), "%d", d->replicas);
    snprintf(ms, sizeof(ms), "%d", d->timeout_ms);
    const char *set[5] = {"SET", key, val, "PX", "60000"};
    const char *wait[3] = {"WAIT", n, ms};
    if (store_commandargv(d->conn, NULL, NULL, 5, set, NULL) < 0 ||
        store_commandargv(d->conn, durable_on_round, x, 3, wait, NULL) < 0) {
        durable_on_round(NULL, x); /* the connection is down: every waiter fails */
        return;
    }
    d->inflight = 1;
    d->rounds++;
}

int store_durable_wait(store_durable *d, store_durable_fn *fn, void *privdata)
{
    if (!d || !fn)
        return -1;
    durable_waiter *w = xcalloc(1, sizeof(*w));
    w->fn = fn;
    w->privdata = privdata;
    *d->next_tail = w;
    d->next_tail = &w->next;
    if (!d->inflight)
        durable_round(d);
    return 0;
}

unsigned long store_durable_rounds(const store_durable *d) { return d ? d->rounds : 0; }
unsigned long store_durable_failed(const store_durable *d) { return d ? d->failed : 0; }

void store_durable_close(store_durable *d)
{
    if (!d)
        return;
    store_close(d->conn); /* a round in flight is answered -1 inside */
    for (durable_waiter *w = d->next_round, *next; w; w = next) {
        next = w->next;
        w->fn(-1, w->privdata);
        free(w);
    }
    free(d);
}

/* A deep copy of a reply (hiredis 0.14 has none), freed by freeReplyObject's
 * rules: ours, so freed by durable_reply_free. */
static redisReply *durable_reply_copy(const redisReply *r)
{
    redisReply *c = xcalloc(1, sizeof(*c));
    c->type = r->type;
    c->integer = r->integer;
    if (r->str) {
        c->str = xmalloc(r->len + 1);
        memcpy(c->str, r->str, r->len);
        c->str[r->len] = '\0';
        c->len = r->len;
    }
    if (r->type == REDIS_REPLY_ARRAY && r->elements) {
        c->element = xcalloc(r->elements, sizeof(*c->element));
        c->elements = r->elements;
        for (size_t i = 0; i < r->elements; i++)
            c->element[i] = durable_reply_copy(r->element[i]);
    }
    return c;
}

static void durable_reply_free(redisReply *r)
{
    for (size_t i = 0; i < r->elements; i++)
        durable_reply_free(r->element[i]);
    free(r->element);
    free(r->str);
    free(r);
}

typedef struct durable_held {
    store_reply_fn *fn;
    void *privdata;
    redisReply *reply;
} durable_held;

static void durable_release(int status, void *privdata)
{
    durable_held *h = privdata;
    h->fn(status == 0 ? h->reply : NULL, h->privdata);
    durable_reply_free(h->reply);
    free(h);
}

/* The scripts whose answer tells a citizen (or an agency) a write is done. */
static int durable_script(const store_script *sc)
{
    return sc == &store_lua_complaints_create || sc == &store_lua_complaints_answer ||
           sc == &store_lua_subs_notify || sc == &store_lua_outbox_enqueue;
}

int store_hold_reply(store *s, const store_script *script, const redisReply *r,
                     store_reply_fn *fn, void *privdata)
{
    if (!s->durable || !r || r->type == REDIS_REPLY_ERROR || !durable_script(script))
        return 0;
    durable_held *h = xmalloc(sizeof(*h));
    h->fn = fn;
    h->privdata = privdata;
    h->reply = durable_reply_copy(r);
    if (store_durable_wait(s->durable, durable_release, h) < 0)
        durable_release(-1, h);
    return 1;
}
