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
 * The lease (sessions_claim/commit/release) lives in
 * dvcbot:sess-lease:{channel}:{user}: the claim is SET NX PX pipelined with
 * the GET, the commit and the release small scripts of store/lua/ (compare
 * the token, then write / delete), so a turn costs two round trips as
 * before. */
#include "store/sessions.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/xmalloc.h"
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

static int sessions_token_ok(const char *token)
{
    size_t n = token ? strlen(token) : 0;
    return n > 0 && n <= SESSIONS_TOKEN_MAX;
}

/* A claim is two pipelined commands, SET lease token NX PX ms and GET
 * session: the first answer says whether the lease was taken, the second
 * (only then meaningful) is the session. Both callbacks share this. */
typedef struct sessions_claim_call {
    sessions_load_fn *fn;
    void *privdata;
    int taken;      /* 1 the lease is the caller's, 0 held, -1 failed */
    int orphan;     /* the GET was never sent: the SET's answer frees this */
} sessions_claim_call;

static void sessions_on_take(redisReply *r, void *privdata)
{
    sessions_claim_call *c = privdata;
    if (c->orphan) {
        free(c);
        return;
    }
    if (r != NULL && r->type == REDIS_REPLY_STATUS && r->len == 2 && !memcmp(r->str, "OK", 2))
        c->taken = 1;
    else
        c->taken = r != NULL && r->type == REDIS_REPLY_NIL ? 0 : -1;
}

static void sessions_on_claim_read(redisReply *r, void *privdata)
{
    sessions_claim_call c = *(sessions_claim_call *)privdata;
    free(privdata);
    if (c.taken == 0)
        c.fn(1, NULL, 0, c.privdata);
    else if (c.taken == 1 && r != NULL && r->type == REDIS_REPLY_STRING)
        c.fn(0, r->str, r->len, c.privdata);
    else if (c.taken == 1 && r != NULL && r->type == REDIS_REPLY_NIL)
        c.fn(0, NULL, 0, c.privdata);
    else
        c.fn(-1, NULL, 0, c.privdata);
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

/* Run script over the session key (with_session) and the lease key, then
 * the nargs arguments; c (may be NULL for fire and forget) is freed on -1. */
static int sessions_lease_eval(store *s, const store_script *script, int with_session,
                               const char *channel, const char *user, const char **args,
                               const size_t *lens, int nargs, store_reply_fn *on,
                               sessions_call *c)
{
    char kb[256], lb[256];
    size_t klen = 0, llen = 0;
    char *key = with_session ? sessions_key(kb, sizeof(kb), channel, user, &klen) : NULL;
    char *lease = sessions_key_of(SESSIONS_LEASE_PREFIX, lb, sizeof(lb), channel, user, &llen);
    const char *argv[6];
    size_t alen[6];
    int k = 0;
    if (key) {
        argv[k] = key;
        alen[k++] = klen;
    }
    argv[k] = lease;
    alen[k++] = llen;
    int nkeys = k;
    for (int i = 0; i < nargs && k < 6; i++, k++) {
        argv[k] = args[i];
        alen[k] = lens[i];
    }
    int rc = store_eval(s, c ? on : NULL, c, script, nkeys, k, argv, alen);
    if (key && key != kb)
        free(key);
    if (lease != lb)
        free(lease);
    if (rc != 0)
        free(c);
    return rc != 0 ? -1 : 0;
}

int sessions_claim(store *s, const char *channel, const char *user, const char *token,
                   int lease_ms, sessions_load_fn *fn, void *privdata)
{
    if (!sessions_args_ok(s, channel, user) || !sessions_token_ok(token) || lease_ms < 1 || !fn)
        return -1;
    char kb[256], lb[256], ms[24];
    size_t klen, llen;
    int n = snprintf(ms, sizeof(ms), "%d", lease_ms);
    char *lease = sessions_key_of(SESSIONS_LEASE_PREFIX, lb, sizeof(lb), channel, user, &llen);
    char *key = sessions_key(kb, sizeof(kb), channel, user, &klen);
    const char *set[6] = {"SET", lease, token, "NX", "PX", ms};
    const size_t setl[6] = {3, llen, strlen(token), 2, 2, (size_t)n};
    const char *get[2] = {"GET", key};
    const size_t getl[2] = {3, klen};
    sessions_claim_call *c = xcalloc(1, sizeof(*c));
    c->fn = fn;
    c->privdata = privdata;
    int rc = store_commandargv(s, sessions_on_take, c, 6, set, setl);
    if (rc == 0 && store_commandargv(s, sessions_on_claim_read, c, 2, get, getl) != 0) {
        c->orphan = 1;      /* the lease may be taken: fn -1 now, the caller releases */
        fn(-1, NULL, 0, privdata);
    } else if (rc != 0) {
        free(c);
    }
    if (lease != lb)
        free(lease);
    if (key != kb)
        free(key);
    return rc != 0 ? -1 : 0;
}

int sessions_commit(store *s, const char *channel, const char *user, const char *token,
                    const char *json, size_t len, int ttl_s, sessions_save_fn *fn,
                    void *privdata)
{
    if (!sessions_args_ok(s, channel, user) || !sessions_token_ok(token))
        return -1;
    if (json == NULL) {
        json = "";
        len = 0;
    }
    char ttl[24];
    int n = snprintf(ttl, sizeof(ttl), "%d", ttl_s);
    const char *args[3] = {token, json, ttl};
    const size_t lens[3] = {strlen(token), len, (size_t)n};
    return sessions_lease_eval(s, &store_lua_sessions_commit, 1, channel, user, args, lens, 3,
                               sessions_on_commit, sessions_call_new(NULL, fn, privdata));
}

int sessions_release(store *s, const char *channel, const char *user, const char *token)
{
    if (!sessions_args_ok(s, channel, user) || !sessions_token_ok(token))
        return -1;
    const char *args[1] = {token};
    const size_t lens[1] = {strlen(token)};
    return sessions_lease_eval(s, &store_lua_sessions_release, 0, channel, user, args, lens, 1,
                               NULL, NULL);
}
