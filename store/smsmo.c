/* smsmo.c -- the once-per-Kannel-id record and the reply pages of the SMS
 * flow (see smsmo.h). Plain SET/GET, each with its argument vector (binary
 * safe); the claim is "SET NX", so of two processes that see the same id
 * first, one claims it. smsmo_take is one script per attempt, with its
 * bounded wait on store_after() (smsmo_take_pages: the same script also
 * reads the pages record once it claimed); the pages record is a small hash
 * read and written by scripts (smsmo_pages.lua, smsmo_save.lua: the answer
 * and the pages in one call, no JSON). */
#include "store/smsmo.h"

#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/xmalloc.h"
#include "store/arg.h"
#include "store/smsmo_int.h"
#include "store/store_lua.h"

#define SMSMO_CLAIMED 'P'
#define SMSMO_ANSWERED 'D'
#define SMSMO_STACK_ITEMS 9     /* pages and buttons whose arguments fit the stack */

typedef struct smsmo_call {
    smsmo_done_fn *done;
    smsmo_answer_fn *answer;
    smsmo_pages_fn *pages;
    void *privdata;
} smsmo_call;

static smsmo_call *smsmo_call_new(void *privdata)
{
    smsmo_call *c = xcalloc(1, sizeof(*c));
    c->privdata = privdata;
    return c;
}

static int smsmo_nonempty(const char *s)
{
    return s != NULL && *s != '\0';
}

static int smsmo_failed(const redisReply *r)
{
    return r == NULL || r->type == REDIS_REPLY_ERROR;
}

/* One command: argv[1] is prefix + id, argv[2] (when there is one) is
 * mark + the len bytes of val (mark '\0': none). 0 if queued, else -1. */
static int smsmo_send(store *s, store_reply_fn *cb, void *pd, const char **argv, int argc,
                      const char *prefix, const char *id, char mark, const char *val,
                      size_t len)
{
    buf key = {0}, value = {0};
    size_t lens[6];

    buf_puts(&key, prefix);
    buf_puts(&key, id);
    argv[1] = key.data;
    if (argc > 2) {
        if (mark)
            buf_putc(&value, mark);
        buf_append(&value, val, len);
        argv[2] = value.data;
    }
    for (int i = 0; i < argc; i++)
        lens[i] = i == 1 ? key.len : i == 2 ? value.len : strlen(argv[i]);
    int rc = store_commandargv(s, cb, pd, argc, argv, lens);
    buf_free(&key);
    buf_free(&value);
    return rc;
}

/* SET prefix+id mark+val [NX] EX ttl_s. */
static int smsmo_set(store *s, store_reply_fn *cb, void *pd, const char *prefix, const char *id,
                     char mark, const char *val, size_t len, int nx, int ttl_s)
{
    char ttl[NUM_MAX];
    const char *argv[6] = {"SET", NULL, NULL, "NX", "EX", ttl};

    num_format(ttl, ttl_s);
    if (!nx) {
        argv[3] = "EX";
        argv[4] = ttl;
    }
    return smsmo_send(s, cb, pd, argv, nx ? 6 : 5, prefix, id, mark, val, len);
}

/* Run a one-command call; c is freed when it is refused. */
static int smsmo_finish_send(smsmo_call *c, int rc)
{
    if (rc < 0)
        free(c);
    return rc;
}

static void smsmo_on_claim(redisReply *r, void *privdata)
{
    smsmo_call c = *(smsmo_call *)privdata;

    free(privdata);
    if (c.done)
        c.done(smsmo_failed(r) ? -1 : r->type == REDIS_REPLY_STATUS ? 0 : 1, c.privdata);
}

int smsmo_claim(store *s, const char *id, const char *instance, smsmo_done_fn *fn,
                void *privdata)
{
    if (!s || !smsmo_nonempty(id) || !smsmo_nonempty(instance))
        return -1;
    smsmo_call *c = smsmo_call_new(privdata);
    c->done = fn;
    return smsmo_finish_send(c, smsmo_set(s, smsmo_on_claim, c, SMSMO_ID_PREFIX, id, SMSMO_CLAIMED,
                                          instance, strlen(instance), 1, SMSMO_CLAIM_TTL_S));
}

static void smsmo_on_done(redisReply *r, void *privdata)
{
    smsmo_call c = *(smsmo_call *)privdata;

    free(privdata);
    if (c.done)
        c.done(smsmo_failed(r) ? -1 : 0, c.privdata);
}

int smsmo_reclaim(store *s, const char *id, const char *instance, smsmo_done_fn *fn,
                  void *privdata)
{
    if (!s || !smsmo_nonempty(id) || !smsmo_nonempty(instance))
        return -1;
    smsmo_call *c = smsmo_call_new(privdata);
    c->done = fn;
    return smsmo_finish_send(c, smsmo_set(s, smsmo_on_done, c, SMSMO_ID_PREFIX, id, SMSMO_CLAIMED,
                                          instance, strlen(instance), 0, SMSMO_CLAIM_TTL_S));
}

static void smsmo_on_answer(redisReply *r, void *privdata)
{
    smsmo_call c = *(smsmo_call *)privdata;

    free(privdata);
    if (smsmo_failed(r))
        c.answer(-1, NULL, 0, c.privdata);
    else if (r->type == REDIS_REPLY_STRING && r->len >= 2 && r->str[0] == SMSMO_ANSWERED)
        c.answer(0, r->str + 1, r->len - 1, c.privdata);
    else
        c.answer(1, NULL, 0, c.privdata);
}

int smsmo_answer(store *s, const char *id, smsmo_answer_fn *fn, void *privdata)
{
    const char *argv[2] = {"GET", NULL};

    if (!s || !fn || !smsmo_nonempty(id))
        return -1;
    smsmo_call *c = smsmo_call_new(privdata);
    c->answer = fn;
    return smsmo_finish_send(c, smsmo_send(s, smsmo_on_answer, c, argv, 2, SMSMO_ID_PREFIX, id, 0,
                                           NULL, 0));
}

/* The pages record from HGETALL's field/value pairs; -1 when there is none
 * (no fields, or a page count the fields do not hold). */
static int smsmo_pages_parse(const redisReply *r, smsmo_pages_rec *rec, const char **slots,
                             size_t nslots)
{
    long np = -1, nb = -1;
    memset(rec, 0, sizeof(*rec));
    rec->cmd = "";
    for (size_t i = 0; i + 1 < r->elements; i += 2) {
        const redisReply *k = r->element[i], *v = r->element[i + 1];
        if (k->type != REDIS_REPLY_STRING || v->type != REDIS_REPLY_STRING)
            return -1;
        if (!strcmp(k->str, "cmd"))
            rec->cmd = v->str;
        else if (!strcmp(k->str, "next"))
            rec->next = atoi(v->str);
        else if (!strcmp(k->str, "np"))
            np = atol(v->str);
        else if (!strcmp(k->str, "nb"))
            nb = atol(v->str);
    }
    if (np < 0 || nb < 0 || (size_t)(np + nb) > nslots)
        return -1;
    for (long j = 0; j < np + nb; j++)
        slots[j] = NULL;
    for (size_t i = 0; i + 1 < r->elements; i += 2) {
        const char *k = r->element[i]->str;
        long j = (k[0] == 'p' || k[0] == 'b') && k[1] >= '1' && k[1] <= '9' ? atol(k + 1) : 0;
        if (k[0] == 'p' && j >= 1 && j <= np)
            slots[j - 1] = r->element[i + 1]->str;
        else if (k[0] == 'b' && j >= 1 && j <= nb)
            slots[np + j - 1] = r->element[i + 1]->str;
    }
    for (long j = 0; j < np + nb; j++)
        if (!slots[j])
            return -1;
    rec->pages = slots;
    rec->npages = (size_t)np;
    rec->buttons = slots + np;
    rec->nbuttons = (size_t)nb;
    return 0;
}

/* The record of the HGETALL reply a into rec: 0, or 1 when there is none.
 * *slots (the caller frees it) holds rec's page and button pointers into a. */
static int smsmo_pages_read(const redisReply *a, smsmo_pages_rec *rec, const char ***slots)
{
    size_t nslots = a->elements / 2;
    *slots = xcalloc(nslots ? nslots : 1, sizeof(**slots));
    return smsmo_pages_parse(a, rec, *slots, nslots) == 0 ? 0 : 1;
}

static void smsmo_on_pages(redisReply *r, void *privdata)
{
    smsmo_call c = *(smsmo_call *)privdata;

    free(privdata);
    if (smsmo_failed(r) || r->type != REDIS_REPLY_ARRAY) {
        c.pages(-1, NULL, c.privdata);
        return;
    }
    const char **slots;
    smsmo_pages_rec rec;
    int st = smsmo_pages_read(r, &rec, &slots);
    c.pages(st, st == 0 ? &rec : NULL, c.privdata);
    free(slots);
}

int smsmo_pages(store *s, const char *msisdn, smsmo_pages_fn *fn, void *privdata)
{
    if (!s || !fn || !smsmo_nonempty(msisdn))
        return -1;
    smsmo_call *c = smsmo_call_new(privdata);
    c->pages = fn;
    const char *argv[1] = {msisdn};
    return smsmo_finish_send(c, store_eval(s, smsmo_on_pages, c, &store_lua_smsmo_pages, 0, 1,
                                           argv, NULL));
}

/* Append one argument (p, len bytes) to argv/lens at *n. */
static void smsmo_arg(const char **argv, size_t *lens, int *n, const char *p, size_t len)
{
    argv[*n] = p;
    lens[(*n)++] = len;
}

static void smsmo_arg_int(const char **argv, size_t *lens, int *n, char *num, long long v)
{
    smsmo_arg(argv, lens, n, num, num_format(num, v));
}

int smsmo_save_nargs(const smsmo_result *r)
{
    if (!r || !smsmo_nonempty(r->msisdn) || (smsmo_nonempty(r->id) && !r->answer) ||
        (unsigned)r->op > SMSMO_PAGES_NEXT ||
        ((r->op == SMSMO_PAGES_WRITE || r->op == SMSMO_PAGES_NEXT) && !r->pages))
        return -1;
    if (!smsmo_nonempty(r->id) && r->op == SMSMO_PAGES_KEEP)
        return 0;
    if (r->op == SMSMO_PAGES_NEXT)
        return 5;
    if (r->op == SMSMO_PAGES_WRITE)
        return 8 + (int)(r->pages->npages + r->pages->nbuttons);
    return 4;
}

/* smsmo_save.lua's arguments: the four every call has (id, answer, TTL,
 * op + msisdn); "n" adds next; "w" adds next, the pages' TTL, cmd, np, the
 * pages and the buttons. */
int smsmo_save_args(const smsmo_result *r, const char **argv, size_t *lens, smsmo_argbuf *b)
{
    static const char ops[] = {'k', 'd', 'w', 'n'};
    const smsmo_pages_rec *pg = r->pages;
    const char *id = smsmo_nonempty(r->id) ? r->id : "";
    int n = 0;
    smsmo_arg(argv, lens, &n, id, strlen(id));
    smsmo_arg(argv, lens, &n, r->answer ? r->answer : "", r->answer ? r->len : 0);
    smsmo_arg_int(argv, lens, &n, b->nums[0], r->ttl_s);
    size_t ml = strlen(r->msisdn);
    b->opm = ml + 2 <= sizeof(b->opm_s) ? b->opm_s : xmalloc(ml + 2);
    b->opm[0] = ops[r->op];
    memcpy(b->opm + 1, r->msisdn, ml + 1);
    smsmo_arg(argv, lens, &n, b->opm, ml + 1);
    if (r->op != SMSMO_PAGES_WRITE && r->op != SMSMO_PAGES_NEXT)
        return n;
    smsmo_arg_int(argv, lens, &n, b->nums[1], pg->next);
    if (r->op == SMSMO_PAGES_NEXT)
        return n;
    smsmo_arg_int(argv, lens, &n, b->nums[2], r->pages_ttl_s);
    smsmo_arg(argv, lens, &n, pg->cmd ? pg->cmd : "", pg->cmd ? strlen(pg->cmd) : 0);
    smsmo_arg_int(argv, lens, &n, b->nums[3], (long long)pg->npages);
    for (size_t i = 0; i < pg->npages + pg->nbuttons; i++) {
        const char *v = i < pg->npages ? pg->pages[i] : pg->buttons[i - pg->npages];
        smsmo_arg(argv, lens, &n, v ? v : "", v ? strlen(v) : 0);
    }
    return n;
}

void smsmo_argbuf_free(smsmo_argbuf *b)
{
    if (b->opm != b->opm_s)
        free(b->opm);
    b->opm = NULL;
}

int smsmo_save(store *s, const smsmo_result *r, smsmo_done_fn *fn, void *privdata)
{
    int need = smsmo_save_nargs(r);
    if (!s || need < 0 || !store_is_up(s))
        return -1;
    if (need == 0) {
        if (fn)
            fn(0, privdata);
        return 0;
    }
    const char *argv_s[8 + 2 * SMSMO_STACK_ITEMS];
    size_t lens_s[8 + 2 * SMSMO_STACK_ITEMS];
    int heap = need > 8 + 2 * SMSMO_STACK_ITEMS;
    const char **argv = heap ? xcalloc((size_t)need, sizeof(*argv)) : argv_s;
    size_t *lens = heap ? xcalloc((size_t)need, sizeof(*lens)) : lens_s;
    smsmo_argbuf b = {.opm = NULL};
    int n = smsmo_save_args(r, argv, lens, &b);
    smsmo_call *c = smsmo_call_new(privdata);
    c->done = fn;
    int rc = smsmo_finish_send(c, store_eval(s, smsmo_on_done, c, &store_lua_smsmo_save, 0, n,
                                             argv, lens));
    smsmo_argbuf_free(&b);
    if (heap) {
        free(argv);
        free(lens);
    }
    return rc;
}

typedef struct smsmo_taking {
    store *s;
    const char *id, *instance;  /* in text[] */
    const char *msisdn;         /* in text[] for smsmo_take_pages, else NULL */
    unsigned steps;             /* attempts left after this one */
    smsmo_take_fn *fn;          /* one of the two */
    smsmo_take_pages_fn *pfn;
    void *privdata;
    char text[];                /* id, instance, msisdn: one allocation */
} smsmo_taking;

static void smsmo_taking_free(smsmo_taking *t)
{
    free(t);
}

/* A taking with copies of its strings (msisdn may be NULL). */
static smsmo_taking *smsmo_taking_new(const char *id, const char *instance, const char *msisdn)
{
    size_t li = strlen(id) + 1, ln = strlen(instance) + 1, lm = msisdn ? strlen(msisdn) + 1 : 0;
    smsmo_taking *t = xmalloc(sizeof(*t) + li + ln + lm);
    memset(t, 0, sizeof(*t));
    memcpy(t->text, id, li);
    memcpy(t->text + li, instance, ln);
    if (msisdn)
        memcpy(t->text + li + ln, msisdn, lm);
    t->id = t->text;
    t->instance = t->text + li;
    t->msisdn = msisdn ? t->text + li + ln : NULL;
    return t;
}

/* Answer and free t; pages: the HGETALL reply that came with a claim of
 * smsmo_take_pages (NULL otherwise). */
static void smsmo_taking_end(smsmo_taking *t, smsmo_take_status st, const char *a, size_t len,
                             const redisReply *pages)
{
    if (t->pfn) {
        const char **slots = NULL;
        smsmo_pages_rec rec;
        int ps = pages ? smsmo_pages_read(pages, &rec, &slots) : 1;
        t->pfn(st, a, len, ps, ps == 0 ? &rec : NULL, t->privdata);
        free(slots);
    } else {
        t->fn(st, a, len, t->privdata);
    }
    smsmo_taking_free(t);
}

static int smsmo_take_send(smsmo_taking *t);

static void smsmo_take_again(void *privdata, int ok)
{
    smsmo_taking *t = privdata;
    if (!ok || smsmo_take_send(t) < 0)
        smsmo_taking_end(t, SMSMO_TAKE_FAILED, NULL, 0, NULL);
}

/* A claim's answer: {code}, or {code, pages} for smsmo_take_pages. */
static void smsmo_took(smsmo_taking *t, const redisReply *r, long long code)
{
    const redisReply *pages = r->elements == 2 ? r->element[1] : NULL;
    if (t->msisdn && (!pages || pages->type != REDIS_REPLY_ARRAY))
        smsmo_taking_end(t, SMSMO_TAKE_FAILED, NULL, 0, NULL);
    else
        smsmo_taking_end(t, (smsmo_take_status)code, NULL, 0, t->msisdn ? pages : NULL);
}

static void smsmo_on_take(redisReply *r, void *privdata)
{
    smsmo_taking *t = privdata;
    if (smsmo_failed(r) || r->type != REDIS_REPLY_ARRAY || r->elements < 1 ||
        r->element[0]->type != REDIS_REPLY_INTEGER) {
        smsmo_taking_end(t, SMSMO_TAKE_FAILED, NULL, 0, NULL);
        return;
    }
    long long code = r->element[0]->integer;
    if (code == SMSMO_TAKE_ANSWERED && r->elements == 2 && r->element[1]->type == REDIS_REPLY_STRING)
        smsmo_taking_end(t, SMSMO_TAKE_ANSWERED, r->element[1]->str, r->element[1]->len, NULL);
    else if (code == SMSMO_TAKE_BUSY && t->steps > 0) {
        t->steps--;
        if (store_after(t->s, SMSMO_WAIT_STEP_MS, smsmo_take_again, t) < 0)
            smsmo_taking_end(t, SMSMO_TAKE_FAILED, NULL, 0, NULL);
    } else if (code == SMSMO_TAKE_CLAIMED || code == SMSMO_TAKE_OVER)
        smsmo_took(t, r, code);
    else if (code == SMSMO_TAKE_BUSY)
        smsmo_taking_end(t, SMSMO_TAKE_BUSY, NULL, 0, NULL);
    else
        smsmo_taking_end(t, SMSMO_TAKE_FAILED, NULL, 0, NULL);
}

static int smsmo_take_send(smsmo_taking *t)
{
    const char *args[3] = {t->id, t->instance, t->msisdn}; /* the TTL is the script's */
    return store_eval(t->s, smsmo_on_take, t, &store_lua_smsmo_take, 0, t->msisdn ? 3 : 2, args,
                      NULL);
}

static int smsmo_take_start(store *s, const char *id, const char *instance, const char *msisdn,
                            unsigned wait_ms, smsmo_take_fn *fn, smsmo_take_pages_fn *pfn,
                            void *privdata)
{
    if (!s || !smsmo_nonempty(id) || !smsmo_nonempty(instance))
        return -1;
    smsmo_taking *t = smsmo_taking_new(id, instance, msisdn);
    t->s = s;
    t->steps = wait_ms / SMSMO_WAIT_STEP_MS;
    t->fn = fn;
    t->pfn = pfn;
    t->privdata = privdata;
    if (smsmo_take_send(t) < 0) {
        smsmo_taking_free(t);
        return -1;
    }
    return 0;
}

int smsmo_take(store *s, const char *id, const char *instance, unsigned wait_ms,
               smsmo_take_fn *fn, void *privdata)
{
    return fn ? smsmo_take_start(s, id, instance, NULL, wait_ms, fn, NULL, privdata) : -1;
}

int smsmo_take_pages(store *s, const char *id, const char *instance, const char *msisdn,
                     unsigned wait_ms, smsmo_take_pages_fn *fn, void *privdata)
{
    if (!fn || !smsmo_nonempty(msisdn))
        return -1;
    return smsmo_take_start(s, id, instance, msisdn, wait_ms, NULL, fn, privdata);
}
