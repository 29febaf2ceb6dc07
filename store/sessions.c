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
 * NULL of a failure) arrives. */
#include "store/sessions.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/xmalloc.h"

#define SESSIONS_KEY_PREFIX "dvcbot:sess:"
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

/* The key dvcbot:sess:{channel}:{user} into buf (or a heap copy when it does
 * not fit); returns it, and its length in *len. */
static char *sessions_key(char *buf, size_t cap, const char *channel, const char *user,
                          size_t *len)
{
    size_t pre = sizeof(SESSIONS_KEY_PREFIX) - 1, nc = strlen(channel), nu = strlen(user);
    *len = pre + nc + 1 + nu;
    char *k = *len < cap ? buf : xmalloc(*len + 1);
    memcpy(k, SESSIONS_KEY_PREFIX, pre);
    memcpy(k + pre, channel, nc);
    k[pre + nc] = ':';
    memcpy(k + pre + nc + 1, user, nu);
    k[*len] = '\0';
    return k;
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
