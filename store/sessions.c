/* sessions.c -- per-user, per-channel conversation state in Redis.
 *
 * One string key per conversation, dvcbot:sess:{channel}:{user}, holding the
 * router's JSON verbatim; every save rewrites it with a fresh TTL (SET .. EX).
 * Every caller-supplied part goes to hiredis as a length-counted argument
 * (store_commandargv), so any bytes in a user id or a value reach Redis as
 * data, never as protocol.
 *
 * Each call allocates a small sessions_call that wraps the user callback; it
 * is the privdata of the store command and is freed when the reply (or the
 * NULL of a failure) arrives.
 *
 * A turn is two script calls (store/lua/sessions_begin.lua, then
 * sessions_commit.lua): the start spends the turn's budgets, takes the lease
 * dvcbot:sess-lease:{channel}:{user} and reads the session; the end writes
 * it, gives the lease back and appends the web chat's log lines
 * (store/chatlog.h). The bytes of a session are the
 * caller's (store/sesscodec.h encodes them). An SMS MO's turn adds its
 * Kannel id's claim to the start and its answer record to the end (the
 * records and their Lua are smsmo.c's: smsmo_int.h, lib_smsmo.lua), so the
 * MO needs no script calls of its own. */
#include "store/sessions.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/num.h"
#include "common/xmalloc.h"
#include "store/arg.h"
#include "store/chatlog.h"
#include "store/ratelimit.h"
#include "store/smsmo_int.h"
#include "store/store_lua.h"

#define SESSIONS_KEY_PREFIX "dvcbot:sess:"
#define SESSIONS_LEASE_PREFIX "dvcbot:sess-lease:"
#define SESSIONS_CHANNEL_MAX 32

typedef struct sessions_call {
    sessions_load_fn *load;
    sessions_save_fn *save;
    void *privdata;
} sessions_call;

/* Channels are fixed names chosen by the code (sms, ussd, web...), never
 * user input; checking them keeps "a:b" + "c" apart from "a" + "b:c". */
static int sessions_channel_ok(const char *channel)
{
    size_t i, n;

    if (channel == NULL)
        return 0;
    n = strlen(channel);
    if (n == 0 || n > SESSIONS_CHANNEL_MAX)
        return 0;
    for (i = 0; i < n; i++) {
        char c = channel[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
            return 0;
    }
    return 1;
}

static int sessions_args_ok(store *s, const char *channel, const char *user)
{
    return s != NULL && sessions_channel_ok(channel) && user != NULL && *user != '\0';
}

static sessions_call *sessions_call_new(sessions_load_fn *load, sessions_save_fn *save,
                                        void *privdata)
{
    sessions_call *c = xmalloc(sizeof(*c));

    c->load = load;
    c->save = save;
    c->privdata = privdata;
    return c;
}

static void sessions_on_load(redisReply *r, void *privdata)
{
    sessions_call *c = privdata;
    sessions_load_fn *fn = c->load;
    void *up = c->privdata;

    free(c);
    if (fn == NULL)
        return;
    if (r != NULL && r->type == REDIS_REPLY_STRING)
        fn(0, r->str, r->len, up);
    else if (r != NULL && r->type == REDIS_REPLY_NIL)
        fn(0, NULL, 0, up);
    else
        fn(-1, NULL, 0, up);
}

static void sessions_on_save(redisReply *r, void *privdata)
{
    sessions_call *c = privdata;
    sessions_save_fn *fn = c->save;
    void *up = c->privdata;
    int ok;

    free(c);
    ok = r != NULL && r->type == REDIS_REPLY_STATUS && r->len == 2 &&
         memcmp(r->str, "OK", 2) == 0;
    if (fn != NULL)
        fn(ok ? 0 : -1, up);
}

/* The key {prefix}{channel}:{user} into buf (or a heap copy when it does
 * not fit); returns it, and its length in *len. */
static char *sessions_key_of(const char *prefix, char *buf, size_t cap, const char *channel,
                             const char *user, size_t *len)
{
    size_t pre = strlen(prefix), nc = strlen(channel), nu = strlen(user);
    *len = pre + nc + 1 + nu;
    char *k = *len < cap ? buf : xmalloc(*len + 1);
    memcpy(k, prefix, pre);
    memcpy(k + pre, channel, nc);
    k[pre + nc] = ':';
    memcpy(k + pre + nc + 1, user, nu);
    k[*len] = '\0';
    return k;
}

static char *sessions_key(char *buf, size_t cap, const char *channel, const char *user,
                          size_t *len)
{
    return sessions_key_of(SESSIONS_KEY_PREFIX, buf, cap, channel, user, len);
}

/* GET and SET go to hiredis as argument vectors, not format strings: no
 * printf-style parsing per request (measured ~10% of the request path's
 * instructions with the format strings; docs/performance.md). */
int sessions_load(store *s, const char *channel, const char *user,
                  sessions_load_fn *fn, void *privdata)
{
    sessions_call *c;
    char kb[256];
    size_t klen;

    if (!sessions_args_ok(s, channel, user))
        return -1;
    c = sessions_call_new(fn, NULL, privdata);
    char *key = sessions_key(kb, sizeof(kb), channel, user, &klen);
    const char *argv[2] = {"GET", key};
    const size_t lens[2] = {3, klen};
    int rc = store_commandargv(s, sessions_on_load, c, 2, argv, lens);
    if (key != kb)
        free(key);
    if (rc != 0) {
        free(c);
        return -1;
    }
    return 0;
}

int sessions_save(store *s, const char *channel, const char *user,
                  const char *json, size_t len, int ttl_s,
                  sessions_save_fn *fn, void *privdata)
{
    sessions_call *c;

    if (!sessions_args_ok(s, channel, user))
        return -1;
    if (json == NULL) {
        json = "";
        len = 0;
    }
    c = sessions_call_new(NULL, fn, privdata);
    char kb[256], ttl[24];
    size_t klen;
    char *key = sessions_key(kb, sizeof(kb), channel, user, &klen);
    int tn = snprintf(ttl, sizeof(ttl), "%d", ttl_s);
    const char *argv[5] = {"SET", key, json, "EX", ttl};
    const size_t lens[5] = {3, klen, len, 2, (size_t)tn};
    int rc = store_commandargv(s, sessions_on_save, c, 5, argv, lens);
    if (key != kb)
        free(key);
    if (rc != 0) {
        free(c);
        return -1;
    }
    return 0;
}

/* ---- the lease ---------------------------------------------------------- */

void sessions_token(char *out, const char *instance, const char *sep, unsigned long n)
{
    size_t sl = strlen(sep);
    size_t il = strnlen(instance, SESSIONS_TOKEN_MAX - sl - (NUM_MAX - 1));
    memcpy(out, instance, il);
    memcpy(out + il, sep, sl);
    num_format(out + il + sl, (long long)n);
}

static int sessions_token_ok(const char *token)
{
    size_t n = token ? strlen(token) : 0;
    return n > 0 && n <= SESSIONS_TOKEN_MAX;
}

/* One turn start in flight: what a retry needs again (the budgets only go
 * with the first attempt: they were counted then). */
typedef struct sessions_begin_call {
    store *s;
    sessions_begin_fn *fn;
    void *privdata;
    char *key, *lease, *token;
    char *claim_key, *instance; /* the MO's claim (sessions_claim), or NULL */
    unsigned claim_steps;       /* its attempts left while a live instance has it */
    char ms[24];
    ratelimit_argv budgets;
    int first;
    double give_up_ms;   /* monotonic time after which a held lease is answered */
} sessions_begin_call;

static double sessions_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void sessions_begin_free(sessions_begin_call *c)
{
    free(c->key);
    free(c->lease);
    free(c->token);
    free(c->claim_key);
    free(c->instance);
    ratelimit_argv_free(&c->budgets);
    free(c);
}

static void sessions_on_begin(redisReply *r, void *privdata);

/* The first attempt (and one repeated while the claim is busy) has the
 * claim and the budgets; one repeated while the lease is held has neither
 * (the claim is the caller's then, the budgets were counted). */
static int sessions_begin_send(sessions_begin_call *c)
{
    const char *argv[6 + RATELIMIT_RULES_MAX * 3] = {c->key, c->lease};
    int claim = c->first && c->claim_key, nk = claim ? 3 : 2, n = nk;
    if (claim)
        argv[2] = c->claim_key;
    argv[n++] = c->token;
    argv[n++] = c->ms;
    if (claim)
        argv[n++] = c->instance;
    for (int i = 0; c->first && i < c->budgets.n; i++)
        argv[n++] = c->budgets.argv[i];
    return store_eval(c->s, sessions_on_begin, c, &store_lua_sessions_begin, nk, n, argv, NULL);
}

static void sessions_begin_again(void *privdata, int ok)
{
    sessions_begin_call *c = privdata;
    if (!ok || sessions_begin_send(c) != 0) {
        c->fn(SESSIONS_FAILED, 0, NULL, 0, c->privdata);   /* the store is closing */
        sessions_begin_free(c);
    }
}

/* Whether the answer st asks for another attempt, and it was sent: a held
 * lease until give_up_ms (without claim and budgets), a busy claim for its
 * steps (with them: nothing was counted). */
static int sessions_begin_later(sessions_begin_call *c, long long st)
{
    unsigned ms = SESSIONS_WAIT_STEP_MS;
    if (st == SESSIONS_BUSY && c->claim_steps > 0) {
        c->claim_steps--;
        ms = SMSMO_WAIT_STEP_MS;
    } else if (st == SESSIONS_HELD && sessions_now_ms() < c->give_up_ms) {
        c->first = 0;
    } else {
        return 0;
    }
    return store_after(c->s, ms, sessions_begin_again, c) == 0;
}

static void sessions_on_begin(redisReply *r, void *privdata)
{
    sessions_begin_call *c = privdata;
    long long st = -1, ms = 0;
    if (r && r->type == REDIS_REPLY_ARRAY && r->elements >= 2 &&
        r->element[0]->type == REDIS_REPLY_INTEGER && r->element[1]->type == REDIS_REPLY_INTEGER) {
        st = r->element[0]->integer;
        ms = r->element[1]->integer;
    }
    if (sessions_begin_later(c, st))
        return;
    const redisReply *v = (st == SESSIONS_OWNED || st == SESSIONS_ANSWERED) && r->elements == 3
                              ? r->element[2] : NULL;
    if (st == SESSIONS_OWNED && v && v->type == REDIS_REPLY_STRING)
        c->fn(SESSIONS_OWNED, 0, v->str, v->len, c->privdata);
    else if (st == SESSIONS_OWNED && (!v || v->type == REDIS_REPLY_NIL))
        c->fn(SESSIONS_OWNED, 0, NULL, 0, c->privdata);
    else if (st == SESSIONS_ANSWERED && v && v->type == REDIS_REPLY_STRING)
        c->fn(SESSIONS_ANSWERED, 0, v->str, v->len, c->privdata);
    else if (st == SESSIONS_HELD || st == SESSIONS_BUSY)
        c->fn((int)st, 0, NULL, 0, c->privdata);
    else if (st == SESSIONS_LIMITED)
        c->fn(SESSIONS_LIMITED, ratelimit_retry_after_s(ms), NULL, 0, c->privdata);
    else
        c->fn(SESSIONS_FAILED, 0, NULL, 0, c->privdata);
    sessions_begin_free(c);
}

/* The claim's key and instance into c; -1 for a bad claim. */
static int sessions_begin_claim(sessions_begin_call *c, const sessions_claim *cl)
{
    if (!cl)
        return 0;
    if (!cl->id || !*cl->id || !cl->instance || !*cl->instance)
        return -1;
    const char *parts[2] = {SMSMO_ID_PREFIX, cl->id};
    c->claim_key = store_arg_cat(parts, 2, NULL);
    c->instance = xstrdup(cl->instance);
    c->claim_steps = cl->wait_ms / SMSMO_WAIT_STEP_MS;
    return 0;
}

int sessions_begin(store *s, const sessions_turn *t, sessions_begin_fn *fn, void *privdata)
{
    if (!t || !sessions_args_ok(s, t->channel, t->user) || !sessions_token_ok(t->token) ||
        t->lease_ms < 1 || !fn)
        return -1;
    sessions_begin_call *c = xcalloc(1, sizeof(*c));
    if (ratelimit_argv_init(&c->budgets, t->rules, t->nrules) < 0) {
        free(c);
        return -1;
    }
    if (sessions_begin_claim(c, t->claim) < 0) {
        sessions_begin_free(c);
        return -1;
    }
    size_t len;
    c->s = s;
    c->fn = fn;
    c->privdata = privdata;
    c->key = sessions_key_of(SESSIONS_KEY_PREFIX, NULL, 0, t->channel, t->user, &len);
    c->lease = sessions_key_of(SESSIONS_LEASE_PREFIX, NULL, 0, t->channel, t->user, &len);
    c->token = xstrdup(t->token);
    num_format(c->ms, t->lease_ms);     /* >= 1, checked above */
    c->first = 1;
    c->give_up_ms = sessions_now_ms() + t->wait_ms;
    if (sessions_begin_send(c) != 0) {
        sessions_begin_free(c);
        return -1;
    }
    return 0;
}

static void sessions_on_commit(redisReply *r, void *privdata)
{
    sessions_call *c = privdata;
    sessions_save_fn *fn = c->save;
    void *up = c->privdata;

    free(c);
    if (fn != NULL)
        fn(r != NULL && r->type == REDIS_REPLY_INTEGER && r->integer == 1 ? 0 : -1, up);
}

/* The commit's arguments: 4 keys, token, value, ttl, the chat log's lines,
 * and an MO's write's count (its own arguments are counted apart). */
#define SESSIONS_COMMIT_ARGS (8 + SESSIONS_CHATLOG_MAX)
#define SESSIONS_KEY_BUF CHATLOG_KEY_MAX /* room for a key on the stack */
#define SESSIONS_MO_STACK 24    /* an MO's write's arguments that fit the stack */

static size_t sessions_lines(const char **argv, size_t *lens, const char *const *lines, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        argv[i] = lines[i] ? lines[i] : "";
        lens[i] = strlen(argv[i]);
    }
    return n;
}

/* An MO's write (w->mo) at the end of the commit's arguments, argv[n..]:
 * smsmo_save's arguments, then their count (num). Returns the new n. */
static size_t sessions_mo_args(const smsmo_result *mo, const char **argv, size_t *lens,
                               size_t n, smsmo_argbuf *b, char *num)
{
    int k = smsmo_save_args(mo, argv + n, lens + n, b);
    n += (size_t)k;
    argv[n] = num;
    lens[n] = num_format(num, k);
    return n + 1;
}

/* The commit's keys into argv/lens (the session's, its lease's, its
 * chat log's, and an MO's pages key), each in its kb[i] or on
 * the heap (kh[i], freed by the caller). Returns how many. */
static int sessions_commit_keys(const char *channel, const char *user, const sessions_write *w,
                                const char **argv, size_t *lens, char (*kb)[SESSIONS_KEY_BUF], char **kh)
{
    static const char *const pre[2] = {SESSIONS_KEY_PREFIX, SESSIONS_LEASE_PREFIX};
    for (int i = 0; i < 2; i++) {
        argv[i] = sessions_key_of(pre[i], kb[i], sizeof(kb[i]), channel, user, &lens[i]);
        kh[i] = argv[i] != kb[i] ? (char *)argv[i] : NULL;
    }
    int cn = w->nchatlog ? chatlog_key(user, kb[2], sizeof(kb[2])) : 0;
    argv[2] = cn > 0 ? kb[2] : "";
    lens[2] = cn > 0 ? (size_t)cn : 0;
    if (!w->mo)
        return 3;
    size_t pl = strlen(SMSMO_PAGES_PREFIX), ml = strlen(w->mo->msisdn);
    char *pk = pl + ml < sizeof(kb[3]) ? kb[3] : (kh[3] = xmalloc(pl + ml + 1));
    memcpy(pk, SMSMO_PAGES_PREFIX, pl);
    memcpy(pk + pl, w->mo->msisdn, ml + 1);
    argv[3] = pk;
    lens[3] = pl + ml;
    return 4;
}

static int sessions_write_ok(const sessions_write *w)
{
    return w && w->nchatlog <= SESSIONS_CHATLOG_MAX && (!w->nchatlog || w->chatlog) &&
           (!w->mo || smsmo_save_nargs(w->mo) >= 0);
}

int sessions_commit(store *s, const char *channel, const char *user, const char *token,
                    const sessions_write *w, sessions_save_fn *fn, void *privdata)
{
    if (!sessions_args_ok(s, channel, user) || !sessions_token_ok(token) ||
        !sessions_write_ok(w))
        return -1;
    sessions_write wm = *w;
    int nmo = w->mo ? smsmo_save_nargs(w->mo) : 0;
    if (nmo == 0)
        wm.mo = NULL;           /* nothing to write for it */
    char kb[4][SESSIONS_KEY_BUF], *kh[4] = {NULL}, ttl[NUM_MAX], nk[NUM_MAX];
    size_t lens_s[SESSIONS_COMMIT_ARGS + SESSIONS_MO_STACK];
    const char *argv_s[SESSIONS_COMMIT_ARGS + SESSIONS_MO_STACK];
    int heap = nmo > SESSIONS_MO_STACK;
    const char **argv = heap ? xcalloc(SESSIONS_COMMIT_ARGS + (size_t)nmo, sizeof(*argv)) : argv_s;
    size_t *lens = heap ? xcalloc(SESSIONS_COMMIT_ARGS + (size_t)nmo, sizeof(*lens)) : lens_s;
    int keys = sessions_commit_keys(channel, user, &wm, argv, lens, kb, kh);
    size_t n = (size_t)keys;
    argv[n] = token;
    lens[n++] = strlen(token);
    argv[n] = w->value ? w->value : "";
    lens[n++] = w->value ? w->len : 0;
    argv[n] = ttl;
    lens[n++] = num_format(ttl, w->ttl_s);
    if (lens[2] > 0)
        n += sessions_lines(argv + n, lens + n, w->chatlog, w->nchatlog);
    smsmo_argbuf mb = {.opm = NULL};
    if (wm.mo)
        n = sessions_mo_args(wm.mo, argv, lens, n, &mb, nk);
    sessions_call *c = sessions_call_new(NULL, fn, privdata);
    int rc = store_eval(s, sessions_on_commit, c, &store_lua_sessions_commit, keys, (int)n, argv,
                        lens);
    if (rc != 0)
        free(c);
    smsmo_argbuf_free(&mb);
    for (int i = 0; i < 4; i++)
        free(kh[i]);
    if (heap) {
        free(argv);
        free(lens);
    }
    return rc != 0 ? -1 : 0;
}

int sessions_release(store *s, const char *channel, const char *user, const char *token)
{
    if (!sessions_args_ok(s, channel, user) || !sessions_token_ok(token))
        return -1;
    char lb[256];
    size_t lens[2];
    char *lease = sessions_key_of(SESSIONS_LEASE_PREFIX, lb, sizeof(lb), channel, user, &lens[0]);
    const char *argv[2] = {lease, token};
    lens[1] = strlen(token);
    int rc = store_eval(s, NULL, NULL, &store_lua_sessions_release, 1, 2, argv, lens);
    if (lease != lb)
        free(lease);
    return rc != 0 ? -1 : 0;
}
