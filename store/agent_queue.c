/* agent_queue.c -- the human-operator queue in Redis (see agent_queue.h).
 *
 * Every state change is one Lua script (prefixed with OUTBOX_LUA for its
 * notice_push), so a conversation's hash, its index entry and the notice to
 * the citizen change together. */
#include "store/agent_queue.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "store/outbox.h"
#include "common/xmalloc.h"

#define AQ_STR(x) #x
#define AQ_XSTR(x) AQ_STR(x)

/* conv -> channel, user for notice_push. */
#define AQ_LUA_SPLIT                                                        \
    "local function split(conv)\n"                                          \
    "  local i = string.find(conv, ':', 1, true)\n"                          \
    "  return string.sub(conv, 1, i - 1), string.sub(conv, i + 1)\n"         \
    "end\n"

static const char aq_enqueue_lua[] =
    "local k = 'dvcbot:agent:conv:' .. ARGV[1]\n"
    "if redis.call('EXISTS', k) == 1 then return 1 end\n"
    "redis.call('HSET', k, 'state', 'waiting', 'since', ARGV[3], 'operator', '', 'reason', ARGV[2])\n"
    "redis.call('ZADD', 'dvcbot:agent:waiting', ARGV[3], ARGV[1])\n"
    "local ok, lines = pcall(cjson.decode, ARGV[4])\n"
    "if ok and type(lines) == 'table' and #lines > 0 then\n"
    "  local lk = 'dvcbot:agent:log:' .. ARGV[1]\n"
    "  redis.call('DEL', lk)\n"
    "  for _, l in ipairs(lines) do redis.call('RPUSH', lk, cjson.encode(l)) end\n"
    "  redis.call('LTRIM', lk, -" AQ_XSTR(AGENTQ_LOG_MAX) ", -1)\n"
    "  redis.call('EXPIRE', lk, " AQ_XSTR(AGENTQ_LOG_TTL_S) ")\n"
    "end\n"
    "return 0\n";

static const char aq_log_lua[] =
    "local k = 'dvcbot:agent:log:' .. ARGV[1]\n"
    "for i = 3, #ARGV, 2 do\n"
    "  redis.call('RPUSH', k, cjson.encode({from = ARGV[i], text = ARGV[i + 1], at = tonumber(ARGV[2])}))\n"
    "end\n"
    "redis.call('LTRIM', k, -" AQ_XSTR(AGENTQ_LOG_MAX) ", -1)\n"
    "redis.call('EXPIRE', k, " AQ_XSTR(AGENTQ_LOG_TTL_S) ")\n"
    "return 0\n";

static const char aq_list_lua[] =
    "local out = {}\n"
    "for _, idx in ipairs({'waiting', 'held'}) do\n"
    "  for _, conv in ipairs(redis.call('ZRANGE', 'dvcbot:agent:' .. idx, 0, 99)) do\n"
    "    local h = redis.call('HMGET', 'dvcbot:agent:conv:' .. conv, 'state', 'since', 'operator', 'reason')\n"
    "    if h[1] then\n"
    "      local last = redis.call('LINDEX', 'dvcbot:agent:log:' .. conv, -1)\n"
    "      out[#out + 1] = {conv = conv, state = h[1], since = tonumber(h[2]), operator = h[3],\n"
    "        reason = h[4], last = last and cjson.decode(last) or cjson.null}\n"
    "    end\n"
    "  end\n"
    "end\n"
    "if #out == 0 then return '[]' end\n"
    "return cjson.encode(out)\n";

static const char aq_take_lua[] = AQ_LUA_SPLIT
    "local k = 'dvcbot:agent:conv:' .. ARGV[1]\n"
    "if redis.call('HGET', k, 'state') ~= 'waiting' then return 1 end\n"
    "redis.call('HSET', k, 'state', 'held', 'operator', ARGV[2], 'since', ARGV[4])\n"
    "redis.call('ZREM', 'dvcbot:agent:waiting', ARGV[1])\n"
    "redis.call('ZADD', 'dvcbot:agent:held', ARGV[4], ARGV[1])\n"
    "local ch, user = split(ARGV[1])\n"
    "notice_push(ch, user, ARGV[3], '')\n"
    "return 0\n";

static const char aq_say_lua[] = AQ_LUA_SPLIT
    "local k = 'dvcbot:agent:conv:' .. ARGV[1]\n"
    "local h = redis.call('HMGET', k, 'state', 'operator')\n"
    "if h[1] ~= 'held' or h[2] ~= ARGV[2] then return 1 end\n"
    "local lk = 'dvcbot:agent:log:' .. ARGV[1]\n"
    "redis.call('RPUSH', lk, cjson.encode({from = 'operator', operator = ARGV[2], text = ARGV[3],\n"
    "  at = tonumber(ARGV[5])}))\n"
    "redis.call('LTRIM', lk, -" AQ_XSTR(AGENTQ_LOG_MAX) ", -1)\n"
    "redis.call('EXPIRE', lk, " AQ_XSTR(AGENTQ_LOG_TTL_S) ")\n"
    "local ch, user = split(ARGV[1])\n"
    "notice_push(ch, user, ARGV[4], '')\n"
    "return 0\n";

static const char aq_release_lua[] = AQ_LUA_SPLIT
    "local k = 'dvcbot:agent:conv:' .. ARGV[1]\n"
    "local h = redis.call('HMGET', k, 'state', 'operator')\n"
    "if h[1] ~= 'held' or h[2] ~= ARGV[2] then return 1 end\n"
    "redis.call('DEL', k)\n"
    "redis.call('ZREM', 'dvcbot:agent:held', ARGV[1])\n"
    "local ch, user = split(ARGV[1])\n"
    "notice_push(ch, user, ARGV[3], '')\n"
    "return 0\n";

static const char aq_expire_lua[] = AQ_LUA_SPLIT
    "local old = redis.call('ZRANGEBYSCORE', 'dvcbot:agent:waiting', '-inf', '(' .. ARGV[1], 'LIMIT', 0, 100)\n"
    "for _, conv in ipairs(old) do\n"
    "  redis.call('DEL', 'dvcbot:agent:conv:' .. conv)\n"
    "  redis.call('ZREM', 'dvcbot:agent:waiting', conv)\n"
    "  local ch, user = split(conv)\n"
    "  notice_push(ch, user, ARGV[2], '')\n"
    "end\n"
    "return #old\n";

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
        c.done(!ok ? -1 : r->type == REDIS_REPLY_INTEGER && r->integer == 1 ? 1 : 0, c.privdata);
    else if (c.count)
        c.count(ok && r->type == REDIS_REPLY_INTEGER ? 0 : -1,
                ok && r->type == REDIS_REPLY_INTEGER ? r->integer : 0, c.privdata);
    else if (c.text) {
        int good = ok && r->type == REDIS_REPLY_STRING;
        c.text(good ? 0 : -1, good ? r->str : NULL, good ? r->len : 0, c.privdata);
    }
}

/* EVAL [OUTBOX_LUA +] body with args. */
static int aq_eval(store *s, aq_call *c, int with_outbox, const char *body, int nargs,
                   const char *const *args)
{
    buf script = {0};
    if (with_outbox)
        buf_puts(&script, OUTBOX_LUA);
    buf_puts(&script, body);
    int rc = outbox_eval(s, aq_on_reply, c, script.data, nargs, args, NULL);
    buf_free(&script);
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

int agentq_enqueue(store *s, const char *conv, const char *reason, const char *history,
                   long long now, agentq_done_fn *fn, void *privdata)
{
    if (!aq_conv_ok(conv))
        return -1;
    char ts[24];
    snprintf(ts, sizeof(ts), "%lld", now);
    aq_call *c = aq_new(privdata);
    c->done = fn;
    const char *args[] = {conv, reason ? reason : "", ts, history ? history : "[]"};
    return aq_eval(s, c, 0, aq_enqueue_lua, 4, args);
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
    return aq_eval(s, c, 0, aq_log_lua, 2 + 2 * n, args);
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
    return aq_eval(s, c, 0, aq_list_lua, 0, NULL);
}

int agentq_history(store *s, const char *conv, agentq_text_fn *fn, void *privdata)
{
    static const char lua[] =
        "local l = redis.call('LRANGE', 'dvcbot:agent:log:' .. ARGV[1], 0, -1)\n"
        "return '[' .. table.concat(l, ',') .. ']'\n";
    if (!aq_conv_ok(conv))
        return -1;
    aq_call *c = aq_new(privdata);
    c->text = fn;
    const char *args[] = {conv};
    return aq_eval(s, c, 0, lua, 1, args);
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
    return aq_eval(s, c, 1, aq_take_lua, 4, args);
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
    return aq_eval(s, c, 1, aq_say_lua, 5, args);
}

int agentq_release(store *s, const char *conv, const char *op, const char *notice_json,
                   agentq_done_fn *fn, void *privdata)
{
    if (!aq_conv_ok(conv) || !op || !*op)
        return -1;
    aq_call *c = aq_new(privdata);
    c->done = fn;
    const char *args[] = {conv, op, notice_json};
    return aq_eval(s, c, 1, aq_release_lua, 3, args);
}

int agentq_expire(store *s, long long before, const char *notice_json, agentq_count_fn *fn,
                  void *privdata)
{
    char ts[24];
    snprintf(ts, sizeof(ts), "%lld", before);
    aq_call *c = aq_new(privdata);
    c->count = fn;
    const char *args[] = {ts, notice_json};
    return aq_eval(s, c, 1, aq_expire_lua, 2, args);
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
    static const char lua[] =
        "local r = {}\n"
        "for i = 2, #ARGV do\n"
        "  r[i - 1] = redis.call('EXISTS', 'dvcbot:notices:' .. ARGV[1] .. ':' .. ARGV[i])\n"
        "end\n"
        "return r\n";
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
    int rc = outbox_eval(s, aq_on_flags, c, lua, (int)n + 1, args, NULL);
    free(args);
    if (rc < 0)
        free(c);
    return rc;
}
