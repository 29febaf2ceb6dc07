/* sessions.c -- per-user, per-channel conversation state in Redis.
 *
 * One string key per conversation, dvcbot:sess:{channel}:{user}, holding the
 * router's JSON verbatim; every save rewrites it with a fresh TTL (SET .. EX).
 * Every caller-supplied part goes to hiredis as %b (pointer + length), so any
 * bytes in a user id or a value reach Redis as data, never as protocol.
 *
 * Each call allocates a small sessions_call that wraps the user callback; it
 * is the privdata of the store command and is freed when the reply (or the
 * NULL of a failure) arrives. */
#include "sessions.h"

#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"

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

int sessions_load(store *s, const char *channel, const char *user,
                  sessions_load_fn *fn, void *privdata)
{
    sessions_call *c;

    if (!sessions_args_ok(s, channel, user))
        return -1;
    c = sessions_call_new(fn, NULL, privdata);
    if (store_command(s, sessions_on_load, c, "GET " SESSIONS_KEY_PREFIX "%b:%b",
                      channel, strlen(channel), user, strlen(user)) != 0) {
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
    if (store_command(s, sessions_on_save, c, "SET " SESSIONS_KEY_PREFIX "%b:%b %b EX %d",
                      channel, strlen(channel), user, strlen(user),
                      json, len, ttl_s) != 0) {
        free(c);
        return -1;
    }
    return 0;
}
