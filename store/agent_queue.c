/* agent_queue.c -- the human-operator queue in Redis (see agent_queue.h).
 *
 * Every state change is one Lua script (store/lua/agentq_*.lua; those that
 * tell the citizen use notice_push of lib_outbox.lua), so a conversation's
 * hash, its index entry and the notice to the citizen change together. */
#include "store/agent_queue.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/xmalloc.h"
#include "store/store_lua.h"

typedef struct aq_call {
    agentq_done_fn *done;
    agentq_state_fn *state;
    agentq_text_fn *text;
    agentq_count_fn *count;
    void *privdata;
} aq_call;

char *agentq_conv(const char *channel, const char *user)
{
    size_t n = channel ? strlen(channel) : 0;
    if (n == 0 || n > 32 || !user || !*user || strspn(channel, "abcdefghijklmnopqrstuvwxyz0123456789_-") != n)
        return NULL;
    buf b = {0};
    buf_printf(&b, "%s:%s", channel, user);
    return buf_detach(&b, NULL);
}

static int aq_conv_ok(const char *conv)
{
    const char *c = conv ? strchr(conv, ':') : NULL;
    return c && c > conv && c - conv <= 32 && c[1];
}

static void aq_on_reply(redisReply *r, void *privdata)
{
    aq_call c = *(aq_call *)privdata;
    free(privdata);
    int ok = r && r->type != REDIS_REPLY_ERROR;
    if (c.done)
        c.done(!ok ? -1 : r->type == REDIS_REPLY_INTEGER && (r->integer == 1 || r->integer == 2)
                              ? (int)r->integer : 0, c.privdata);
    else if (c.count)
        c.count(ok && r->type == REDIS_REPLY_INTEGER ? 0 : -1,
                ok && r->type == REDIS_REPLY_INTEGER ? r->integer : 0, c.privdata);
    else if (c.text) {
        int good = ok && r->type == REDIS_REPLY_STRING;
        c.text(good ? 0 : -1, good ? r->str : NULL, good ? r->len : 0, c.privdata);
    }
}

/* Run script with args (no KEYS); c is freed when it is refused. */
static int aq_eval(store *s, aq_call *c, const store_script *script, int nargs,
                   const char *const *args)
{
    int rc = store_eval(s, aq_on_reply, c, script, 0, nargs, args, NULL);
    if (rc < 0)
        free(c);
    return rc;
}

static aq_call *aq_new(void *privdata)
{
    aq_call *c = xcalloc(1, sizeof(*c));
    c->privdata = privdata;
    return c;
}

int agentq_enqueue(store *s, const char *conv, const char *reason, long long now, const char *addr, int per_hour, agentq_done_fn *fn,
                   void *privdata)
{
    if (!aq_conv_ok(conv))
        return -1;
    char ts[24], lim[16], alim[16];
    snprintf(ts, sizeof(ts), "%lld", now);
    snprintf(lim, sizeof(lim), "%d", per_hour > 0 ? per_hour : 0);
    snprintf(alim, sizeof(alim), "%d", per_hour > 0 ? 4 * per_hour : 0);
    aq_call *c = aq_new(privdata);
    c->done = fn;
    const char *args[] = {conv, reason ? reason : "", ts, addr ? addr : "", lim, alim};
    return aq_eval(s, c, &store_lua_agentq_enqueue, 6, args);
}

int agentq_log(store *s, const char *conv, long long now, const char *const *from,
               const char *const *text, int n, agentq_done_fn *fn, void *privdata)
{
    if (!aq_conv_ok(conv) || n <= 0 || n > 16)
        return -1;
    char ts[24];
    const char *args[2 + 32];
    snprintf(ts, sizeof(ts), "%lld", now);
    args[0] = conv;
    args[1] = ts;
    for (int i = 0; i < n; i++) {
        args[2 + 2 * i] = from[i];
        args[3 + 2 * i] = text[i] ? text[i] : "";
    }
    aq_call *c = aq_new(privdata);
    c->done = fn;
    return aq_eval(s, c, &store_lua_agentq_log, 2 + 2 * n, args);
}

static void aq_on_state(redisReply *r, void *privdata)
{
    aq_call c = *(aq_call *)privdata;
    free(privdata);
    if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != 2) {
        c.state(-1, AGENTQ_NONE, "", c.privdata);
        return;
    }
    redisReply *st = r->element[0], *op = r->element[1];
    int state = st->type != REDIS_REPLY_STRING ? AGENTQ_NONE
              : !strcmp(st->str, "held") ? AGENTQ_HELD
              : !strcmp(st->str, "waiting") ? AGENTQ_WAITING : AGENTQ_NONE;
    c.state(0, state, op->type == REDIS_REPLY_STRING ? op->str : "", c.privdata);
}

int agentq_state(store *s, const char *conv, agentq_state_fn *fn, void *privdata)
{
    if (!aq_conv_ok(conv))
        return -1;
    aq_call *c = aq_new(privdata);
    c->state = fn;
    int rc = store_command(s, aq_on_state, c, "HMGET dvcbot:agent:conv:%b state operator", conv,
                           strlen(conv));
    if (rc < 0)
        free(c);
    return rc;
}

int agentq_list(store *s, agentq_text_fn *fn, void *privdata)
{
    aq_call *c = aq_new(privdata);
    c->text = fn;
    return aq_eval(s, c, &store_lua_agentq_list, 0, NULL);
}

int agentq_history(store *s, const char *conv, agentq_text_fn *fn, void *privdata)
{
    if (!aq_conv_ok(conv))
        return -1;
    aq_call *c = aq_new(privdata);
    c->text = fn;
    const char *args[] = {conv};
    return aq_eval(s, c, &store_lua_agentq_history, 1, args);
}

int agentq_take(store *s, const char *conv, const char *op, const char *notice_json,
                long long now, agentq_done_fn *fn, void *privdata)
{
    if (!aq_conv_ok(conv) || !op || !*op)
        return -1;
    char ts[24];
    snprintf(ts, sizeof(ts), "%lld", now);
    aq_call *c = aq_new(privdata);
    c->done = fn;
    const char *args[] = {conv, op, notice_json, ts};
    return aq_eval(s, c, &store_lua_agentq_take, 4, args);
}

int agentq_say(store *s, const char *conv, const char *op, const char *text,
               const char *notice_json, long long now, agentq_done_fn *fn, void *privdata)
{
    if (!aq_conv_ok(conv) || !op || !*op || !text)
        return -1;
    char ts[24];
    snprintf(ts, sizeof(ts), "%lld", now);
    aq_call *c = aq_new(privdata);
    c->done = fn;
    const char *args[] = {conv, op, text, notice_json, ts};
    return aq_eval(s, c, &store_lua_agentq_say, 5, args);
}

int agentq_release(store *s, const char *conv, const char *op, const char *notice_json,
                   agentq_done_fn *fn, void *privdata)
{
    if (!aq_conv_ok(conv) || !op || !*op)
        return -1;
    aq_call *c = aq_new(privdata);
    c->done = fn;
    const char *args[] = {conv, op, notice_json};
    return aq_eval(s, c, &store_lua_agentq_release, 3, args);
}

int agentq_expire(store *s, long long before, const char *notice_json, agentq_count_fn *fn,
                  void *privdata)
{
    char ts[24];
    snprintf(ts, sizeof(ts), "%lld", before);
    aq_call *c = aq_new(privdata);
    c->count = fn;
    const char *args[] = {ts, notice_json};
    return aq_eval(s, c, &store_lua_agentq_expire, 2, args);
}

typedef struct aq_flags_call {
    agentq_flags_fn *fn;
    void *privdata;
    size_t n;
} aq_flags_call;

static void aq_on_flags(redisReply *r, void *privdata)
{
    aq_flags_call c = *(aq_flags_call *)privdata;
    free(privdata);
    if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != c.n) {
        c.fn(-1, NULL, 0, c.privdata);
        return;
    }
    unsigned char *flags = xcalloc(c.n ? c.n : 1, 1);
    for (size_t i = 0; i < c.n; i++)
        flags[i] = r->element[i]->type == REDIS_REPLY_INTEGER && r->element[i]->integer > 0;
    c.fn(0, flags, c.n, c.privdata);
    free(flags);
}

int agentq_notices_waiting(store *s, const char *channel, const char *const *users, size_t n,
                           agentq_flags_fn *fn, void *privdata)
{
    if (n == 0 || n > AGENTQ_BATCH_MAX || !channel || strchr(channel, ':'))
        return -1;
    const char **args = xmalloc((n + 1) * sizeof(*args));
    args[0] = channel;
    for (size_t i = 0; i < n; i++)
        args[i + 1] = users[i];
    aq_flags_call *c = xmalloc(sizeof(*c));
    c->fn = fn;
    c->privdata = privdata;
    c->n = n;
    int rc = store_eval(s, aq_on_flags, c, &store_lua_agentq_notices_waiting, 0, (int)n + 1,
                        args, NULL);
    free(args);
    if (rc < 0)
        free(c);
    return rc;
}
