/* pushq.c -- the push channels' streams, retries, users and tokens (see
 * pushq.h). Multi-key steps are Lua scripts (store/lua/pushq_*.lua); the
 * rest are plain commands with argument vectors. */
#include "store/pushq.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/xmalloc.h"
#include "store/store_lua.h"

#define PUSHQ_GROUP "dvcbot"

typedef struct pushq_call {
    pushq_done_fn *done;
    pushq_read_fn *read;
    pushq_user_fn *user;
    pushq_token_fn *token;
    pushq_code_fn *code;
    void *privdata;
    store *s;
    char key[96];               /* the stream of a read */
    char platform[16];
    char consumer[64];
    size_t count;
    int step;                   /* read: 0 claim, 1 new entries */
} pushq_call;

static int pushq_platform_ok(const char *p)
{
    return p && (!strcmp(p, "zalo") || !strcmp(p, "telegram"));
}

static pushq_call *pushq_call_new(void *privdata)
{
    pushq_call *c = xcalloc(1, sizeof(*c));
    c->privdata = privdata;
    return c;
}

static void pushq_key(char *out, size_t cap, const char *platform, const char *suffix)
{
    snprintf(out, cap, "dvcbot:push:%s:%s", platform, suffix);
}

static const char *pushq_dir_name(pushq_dir d)
{
    return d == PUSHQ_IN ? "in" : "out";
}

/* An integer (or OK) reply as a status; errors and NULL are -1. */
static void pushq_on_int(redisReply *r, void *privdata)
{
    pushq_call *c = privdata;
    int st = -1;
    if (r && r->type == REDIS_REPLY_INTEGER)
        st = (int)r->integer;
    else if (r && r->type == REDIS_REPLY_STATUS)
        st = 1;
    else if (r && r->type == REDIS_REPLY_NIL)
        st = 0;
    if (c->done)
        c->done(st, c->privdata);
    free(c);
}

static int pushq_eval(store *s, const store_script *sc, int nargs, const char *const *args,
                      pushq_done_fn *fn, void *privdata)
{
    pushq_call *c = pushq_call_new(privdata);
    c->done = fn;
    if (store_eval(s, pushq_on_int, c, sc, 0, nargs, args, NULL) < 0) {
        free(c);
        return -1;
    }
    return 0;
}

static int pushq_argv(store *s, store_reply_fn *cb, pushq_call *c, int argc, const char **argv)
{
    size_t lens[24];
    for (int i = 0; i < argc; i++)
        lens[i] = strlen(argv[i]);
    if (store_commandargv(s, cb, c, argc, argv, lens) < 0) {
        free(c);
        return -1;
    }
    return 0;
}

/* --- groups ---------------------------------------------------------- */
static void pushq_on_group(redisReply *r, void *privdata)
{
    pushq_call *c = privdata;
    int ok = r && (r->type == REDIS_REPLY_STATUS ||
                   (r->type == REDIS_REPLY_ERROR && strstr(r->str, "BUSYGROUP")));
    if (c->done)
        c->done(ok ? 0 : -1, c->privdata);
    free(c);
}

/* The in stream's group first (answer ignored: the out one, sent behind it
 * on the same connection, reports). */
int pushq_init(store *s, const char *platform, pushq_done_fn *fn, void *privdata)
{
    if (!pushq_platform_ok(platform))
        return -1;
    char k[2][96];
    for (int d = 0; d < 2; d++) {
        pushq_key(k[d], sizeof(k[d]), platform, pushq_dir_name((pushq_dir)d));
        const char *argv[] = {"XGROUP", "CREATE", k[d], PUSHQ_GROUP, "0", "MKSTREAM"};
        pushq_call *c = d ? pushq_call_new(privdata) : NULL;
        if (c)
            c->done = fn;
        size_t lens[6];
        for (int i = 0; i < 6; i++)
            lens[i] = strlen(argv[i]);
        if (store_commandargv(s, c ? pushq_on_group : NULL, c, 6, argv, lens) < 0) {
            free(c);
            return -1;
        }
    }
    return 0;
}

/* --- events and entries ---------------------------------------------- */
int pushq_accept(store *s, const char *platform, const char *id, const char *user,
                 const char *json, int active, int dedup_ttl_s, long long now_ms,
                 pushq_done_fn *fn, void *privdata)
{
    if (!pushq_platform_ok(platform) || !id || !*id || !user || !json)
        return -1;
    char ttl[24], now[24];
    snprintf(ttl, sizeof(ttl), "%d", dedup_ttl_s);
    snprintf(now, sizeof(now), "%lld", now_ms);
    const char *args[] = {platform, id, user, json, active ? "1" : "0", ttl, now};
    return pushq_eval(s, &store_lua_pushq_accept, 7, args, fn, privdata);
}

int pushq_add(store *s, const char *platform, size_t n, const char *const *fields,
              const char *const *values, pushq_done_fn *fn, void *privdata)
{
    if (!pushq_platform_ok(platform) || n == 0 || n > PUSHQ_FIELDS_MAX)
        return -1;
    char k[96];
    pushq_key(k, sizeof(k), platform, "out");
    const char *argv[3 + 2 * PUSHQ_FIELDS_MAX] = {"XADD", k, "*"};
    for (size_t i = 0; i < n; i++) {
        argv[3 + 2 * i] = fields[i];
        argv[4 + 2 * i] = values[i] ? values[i] : "";
    }
    pushq_call *c = pushq_call_new(privdata);
    c->done = fn;
    return pushq_argv(s, pushq_on_int, c, 3 + 2 * (int)n, argv);
}

int pushq_add_calls(store *s, const char *platform, const char *user, const char *calls,
                    pushq_done_fn *fn, void *privdata)
{
    const char *f[] = {"kind", "user", "calls", "next", "attempts"};
    const char *v[] = {"calls", user, calls, "0", "0"};
    if (!user || !*user || !calls)
        return -1;
    return pushq_add(s, platform, 5, f, v, fn, privdata);
}

const char *pushq_get(const pushq_entry *e, const char *field)
{
    for (size_t i = 0; i < e->n; i++)
        if (!strcmp(e->field[i], field))
            return e->value[i];
    return NULL;
}

/* Entries [id, [f, v, ...]] of an array reply into out (deleted ones skipped). */
static size_t pushq_entries(const redisReply *arr, pushq_entry *out, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; arr && arr->type == REDIS_REPLY_ARRAY && i < arr->elements && n < max;
         i++) {
        const redisReply *e = arr->element[i];
        if (e->type != REDIS_REPLY_ARRAY || e->elements != 2 ||
            e->element[0]->type != REDIS_REPLY_STRING || e->element[1]->type != REDIS_REPLY_ARRAY)
            continue;
        const redisReply *kv = e->element[1];
        pushq_entry *x = &out[n++];
        memset(x, 0, sizeof(*x));
        x->id = e->element[0]->str;
        for (size_t j = 0; j + 1 < kv->elements && x->n < PUSHQ_FIELDS_MAX; j += 2) {
            if (kv->element[j]->type != REDIS_REPLY_STRING ||
                kv->element[j + 1]->type != REDIS_REPLY_STRING)
                continue;
            x->field[x->n] = kv->element[j]->str;
            x->value[x->n] = kv->element[j + 1]->str;
            x->vlen[x->n] = kv->element[j + 1]->len;
            x->n++;
        }
    }
    return n;
}

static void pushq_read_deliver(pushq_call *c, int status, const redisReply *arr)
{
    pushq_entry ents[32] = {{0}};
    size_t n = status == 0 ? pushq_entries(arr, ents, c->count < 32 ? c->count : 32) : 0;
    c->read(status, ents, n, c->privdata);
    free(c);
}

static int pushq_read_new(pushq_call *c);

static void pushq_on_read(redisReply *r, void *privdata)
{
    pushq_call *c = privdata;
    if (r && r->type == REDIS_REPLY_ERROR && strstr(r->str, "NOGROUP")) {
        pushq_init(c->s, c->platform, NULL, NULL);
        pushq_read_deliver(c, 0, NULL);
        return;
    }
    if (!r || r->type == REDIS_REPLY_ERROR) {
        pushq_read_deliver(c, -1, NULL);
        return;
    }
    if (c->step == 0) { /* XAUTOCLAIM: [cursor, entries, deleted] */
        const redisReply *ents = r->type == REDIS_REPLY_ARRAY && r->elements >= 2
                                 ? r->element[1] : NULL;
        pushq_entry tmp[32];
        if (ents && pushq_entries(ents, tmp, 32) > 0) {
            pushq_read_deliver(c, 0, ents);
            return;
        }
        c->step = 1;
        if (pushq_read_new(c) < 0)
            pushq_read_deliver(c, -1, NULL);
        return;
    }
    /* XREADGROUP: nil or [[key, entries]] */
    const redisReply *ents = r->type == REDIS_REPLY_ARRAY && r->elements == 1 &&
                             r->element[0]->type == REDIS_REPLY_ARRAY &&
                             r->element[0]->elements == 2 ? r->element[0]->element[1] : NULL;
    pushq_read_deliver(c, 0, ents);
}

static int pushq_read_new(pushq_call *c)
{
    char cnt[16];
    snprintf(cnt, sizeof(cnt), "%zu", c->count);
    const char *argv[] = {"XREADGROUP", "GROUP", PUSHQ_GROUP, c->consumer, "COUNT", cnt,
                          "STREAMS", c->key, ">"};
    size_t lens[9];
    for (int i = 0; i < 9; i++)
        lens[i] = strlen(argv[i]);
    return store_commandargv(c->s, pushq_on_read, c, 9, argv, lens);
}

int pushq_read(store *s, const char *platform, pushq_dir dir, const char *consumer,
               size_t count, pushq_read_fn *fn, void *privdata)
{
    if (!pushq_platform_ok(platform) || !consumer || !*consumer ||
        strlen(consumer) >= 64 || count == 0 || !fn)
        return -1;
    pushq_call *c = pushq_call_new(privdata);
    c->read = fn;
    c->s = s;
    c->count = count > 32 ? 32 : count;
    snprintf(c->platform, sizeof(c->platform), "%s", platform);
    snprintf(c->consumer, sizeof(c->consumer), "%s", consumer);
    pushq_key(c->key, sizeof(c->key), platform, pushq_dir_name(dir));
    char idle[16], cnt[16];
    snprintf(idle, sizeof(idle), "%d", PUSHQ_CLAIM_IDLE_MS);
    snprintf(cnt, sizeof(cnt), "%zu", c->count);
    const char *argv[] = {"XAUTOCLAIM", c->key, PUSHQ_GROUP, c->consumer, idle, "0-0",
                          "COUNT", cnt};
    return pushq_argv(s, pushq_on_read, c, 8, argv);
}

int pushq_ack(store *s, const char *platform, pushq_dir dir, const char *id, pushq_done_fn *fn,
              void *privdata)
{
    if (!pushq_platform_ok(platform) || !id || !*id)
        return -1;
    char k[96];
    pushq_key(k, sizeof(k), platform, pushq_dir_name(dir));
    const char *a1[] = {"XACK", k, PUSHQ_GROUP, id};
    size_t l1[] = {4, strlen(k), strlen(PUSHQ_GROUP), strlen(id)};
    if (store_commandargv(s, NULL, NULL, 4, a1, l1) < 0)
        return -1;
    const char *a2[] = {"XDEL", k, id};
    pushq_call *c = pushq_call_new(privdata);
    c->done = fn;
    return pushq_argv(s, pushq_on_int, c, 3, a2);
}

int pushq_later(store *s, const char *platform, pushq_dir dir, const char *id, size_t n,
                const char *const *fields, const char *const *values, long long due_ms,
                pushq_done_fn *fn, void *privdata)
{
    if (!pushq_platform_ok(platform) || !id || n == 0 || n > PUSHQ_FIELDS_MAX)
        return -1;
    char due[24];
    snprintf(due, sizeof(due), "%lld", due_ms);
    const char *args[4 + 2 * PUSHQ_FIELDS_MAX] = {platform, pushq_dir_name(dir), id, due};
    for (size_t i = 0; i < n; i++) {
        args[4 + 2 * i] = fields[i];
        args[5 + 2 * i] = values[i] ? values[i] : "";
    }
    return pushq_eval(s, &store_lua_pushq_later, 4 + 2 * (int)n, args, fn, privdata);
}

int pushq_pump(store *s, const char *platform, pushq_dir dir, long long now_ms, int max,
               pushq_done_fn *fn, void *privdata)
{
    if (!pushq_platform_ok(platform) || max <= 0)
        return -1;
    char now[24], mx[16];
    snprintf(now, sizeof(now), "%lld", now_ms);
    snprintf(mx, sizeof(mx), "%d", max);
    const char *args[] = {platform, pushq_dir_name(dir), now, mx};
    return pushq_eval(s, &store_lua_pushq_pump, 4, args, fn, privdata);
}

int pushq_notices(store *s, const char *platform, long cursor, int count, long long now_ms,
                  long long window_ms, pushq_done_fn *fn, void *privdata)
{
    if (!pushq_platform_ok(platform) || cursor < 0 || count <= 0)
        return -1;
    char cur[24], cnt[16], now[24], win[24];
    snprintf(cur, sizeof(cur), "%ld", cursor);
    snprintf(cnt, sizeof(cnt), "%d", count);
    snprintf(now, sizeof(now), "%lld", now_ms);
    snprintf(win, sizeof(win), "%lld", window_ms);
    const char *args[] = {platform, cur, cnt, now, win};
    return pushq_eval(s, &store_lua_pushq_notices, 5, args, fn, privdata);
}

/* --- users ------------------------------------------------------------- */
int pushq_follow(store *s, const char *platform, const char *user, int on, pushq_done_fn *fn,
                 void *privdata)
{
    if (!pushq_platform_ok(platform) || !user || !*user)
        return -1;
    const char *args[] = {platform, user, on ? "1" : "0"};
    return pushq_eval(s, &store_lua_pushq_follow, 3, args, fn, privdata);
}

int pushq_link(store *s, const char *platform, const char *user, const char *msisdn,
               pushq_done_fn *fn, void *privdata)
{
    if (!pushq_platform_ok(platform) || !user || !*user || !msisdn || !*msisdn)
        return -1;
    char k[96];
    pushq_key(k, sizeof(k), platform, "link");
    const char *argv[] = {"HSET", k, user, msisdn};
    pushq_call *c = pushq_call_new(privdata);
    c->done = fn;
    return pushq_argv(s, pushq_on_int, c, 4, argv);
}

static void pushq_on_user(redisReply *r, void *privdata)
{
    pushq_call *c = privdata;
    static const int shape[] = {REDIS_REPLY_INTEGER, REDIS_REPLY_INTEGER, REDIS_REPLY_STRING,
                                REDIS_REPLY_STRING, REDIS_REPLY_INTEGER};
    if (!store_reply_shape(r, 5, shape)) {
        c->user(-1, NULL, c->privdata);
    } else {
        pushq_user_info u = {
            .optin = (int)r->element[0]->integer, .optout = (int)r->element[1]->integer,
            .msisdn = r->element[2]->len ? r->element[2]->str : NULL,
            .seen_ms = strtoll(r->element[3]->str, NULL, 10),
            .code_pending = (int)r->element[4]->integer,
        };
        c->user(0, &u, c->privdata);
    }
    free(c);
}

int pushq_user(store *s, const char *platform, const char *user, pushq_user_fn *fn,
               void *privdata)
{
    if (!pushq_platform_ok(platform) || !user || !*user || !fn)
        return -1;
    pushq_call *c = pushq_call_new(privdata);
    c->user = fn;
    const char *args[] = {platform, user};
    if (store_eval(s, pushq_on_user, c, &store_lua_pushq_user, 0, 2, args, NULL) < 0) {
        free(c);
        return -1;
    }
    return 0;
}

int pushq_code_new(store *s, const char *platform, const char *user, const char *msisdn,
                   const char *code, int ttl_s, pushq_done_fn *fn, void *privdata)
{
    if (!pushq_platform_ok(platform) || !user || !*user || !msisdn || !*msisdn ||
        strchr(msisdn, ' ') || !code || !*code || strchr(code, ' ') || ttl_s <= 0)
        return -1;
    char k[160], v[64], ttl[16];
    snprintf(k, sizeof(k), "dvcbot:push:%s:code:%s", platform, user);
    snprintf(v, sizeof(v), "%s %s 0", msisdn, code);
    snprintf(ttl, sizeof(ttl), "%d", ttl_s);
    const char *argv[] = {"SET", k, v, "NX", "EX", ttl};
    pushq_call *c = pushq_call_new(privdata);
    c->done = fn;
    return pushq_argv(s, pushq_on_int, c, 6, argv);
}

static void pushq_on_code(redisReply *r, void *privdata)
{
    pushq_call *c = privdata;
    int st = -1, left = 0;
    const char *msisdn = NULL;
    if (r && r->type == REDIS_REPLY_ARRAY && r->elements >= 1 &&
        r->element[0]->type == REDIS_REPLY_INTEGER) {
        st = (int)r->element[0]->integer;
        if (st == -1)
            st = -2;
        if (st == 1 && r->elements == 2 && r->element[1]->type == REDIS_REPLY_STRING)
            msisdn = r->element[1]->str;
        else if (st == 1)
            st = -1;
        if (st == 0 && r->elements == 2 && r->element[1]->type == REDIS_REPLY_INTEGER)
            left = (int)r->element[1]->integer;
    }
    c->code(st, msisdn, left, c->privdata);
    free(c);
}

int pushq_code_try(store *s, const char *platform, const char *user, const char *code,
                   int max_tries, pushq_code_fn *fn, void *privdata)
{
    if (!pushq_platform_ok(platform) || !user || !*user || !code || !fn || max_tries <= 0)
        return -1;
    char mt[16];
    snprintf(mt, sizeof(mt), "%d", max_tries);
    const char *args[] = {platform, user, code, mt};
    pushq_call *c = pushq_call_new(privdata);
    c->code = fn;
    if (store_eval(s, pushq_on_code, c, &store_lua_pushq_code_try, 0, 4, args, NULL) < 0) {
        free(c);
        return -1;
    }
    return 0;
}

/* --- tokens ------------------------------------------------------------ */
static void pushq_on_token(redisReply *r, void *privdata)
{
    pushq_call *c = privdata;
    if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != 3) {
        c->token(-1, NULL, NULL, 0, c->privdata);
    } else {
        const redisReply *a = r->element[0], *f = r->element[1], *e = r->element[2];
        c->token(0, a->type == REDIS_REPLY_STRING ? a->str : NULL,
                 f->type == REDIS_REPLY_STRING ? f->str : NULL,
                 e->type == REDIS_REPLY_STRING ? strtoll(e->str, NULL, 10) : 0, c->privdata);
    }
    free(c);
}

int pushq_token_get(store *s, const char *platform, pushq_token_fn *fn, void *privdata)
{
    if (!pushq_platform_ok(platform) || !fn)
        return -1;
    char k[96];
    pushq_key(k, sizeof(k), platform, "token");
    const char *argv[] = {"HMGET", k, "access", "refresh", "expires_at"};
    pushq_call *c = pushq_call_new(privdata);
    c->token = fn;
    return pushq_argv(s, pushq_on_token, c, 5, argv);
}

int pushq_token_seed(store *s, const char *platform, const char *access, const char *refresh,
                     long long expires_at_ms, pushq_done_fn *fn, void *privdata)
{
    if (!pushq_platform_ok(platform) || !access || !refresh)
        return -1;
    char ex[24];
    snprintf(ex, sizeof(ex), "%lld", expires_at_ms);
    const char *args[] = {platform, access, refresh, ex};
    return pushq_eval(s, &store_lua_pushq_token_seed, 4, args, fn, privdata);
}

int pushq_token_lock(store *s, const char *platform, const char *owner, int ttl_ms,
                     pushq_done_fn *fn, void *privdata)
{
    if (!pushq_platform_ok(platform) || !owner || !*owner || ttl_ms <= 0)
        return -1;
    char k[96], ttl[16];
    pushq_key(k, sizeof(k), platform, "token:lock");
    snprintf(ttl, sizeof(ttl), "%d", ttl_ms);
    const char *argv[] = {"SET", k, owner, "NX", "PX", ttl};
    pushq_call *c = pushq_call_new(privdata);
    c->done = fn;
    return pushq_argv(s, pushq_on_int, c, 6, argv);
}

int pushq_token_put(store *s, const char *platform, const char *owner, const char *access,
                    const char *refresh, long long expires_at_ms, pushq_done_fn *fn,
                    void *privdata)
{
    if (!pushq_platform_ok(platform) || !owner || !*owner)
        return -1;
    char ex[24];
    snprintf(ex, sizeof(ex), "%lld", expires_at_ms);
    const char *args[] = {platform, owner, access ? access : "", refresh ? refresh : "", ex};
    return pushq_eval(s, &store_lua_pushq_token_put, 5, args, fn, privdata);
}
