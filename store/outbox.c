/* outbox.c -- durable outbound SMS queue and chat notices (see outbox.h).
 *
 * Everything is one Lua script per call, so a message record, its dedupe
 * key and its queue entry appear together or not at all. The Lua functions
 * in OUTBOX_LUA are also prepended to the scripts of complaints.c and
 * subscriptions.c, which queue messages atomically with their own writes. */
#include "store/outbox.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/xmalloc.h"

#define OUTBOX_STR(x) #x
#define OUTBOX_XSTR(x) OUTBOX_STR(x)

const char OUTBOX_LUA[] =
    "local function outbox_enqueue(to, text, kind, dedupe, ref)\n"
    "  local dk = nil\n"
    "  if dedupe ~= '' then\n"
    "    dk = 'dvcbot:outbox:dedupe:' .. dedupe\n"
    "    local prev = redis.call('GET', dk)\n"
    "    if prev then return tonumber(prev), 0 end\n"
    "  end\n"
    "  local id = redis.call('INCR', 'dvcbot:outbox:seq')\n"
    "  local t = redis.call('TIME')\n"
    "  local ms = t[1] .. string.format('%03d', math.floor(tonumber(t[2]) / 1000))\n"
    "  redis.call('HSET', 'dvcbot:outbox:msg:' .. id, 'id', id, 'to', to, 'text', text,\n"
    "    'kind', kind, 'status', 'queued', 'attempts', 0, 'created_at', ms,\n"
    "    'dedupe', dedupe, 'ref', ref)\n"
    "  if dk then redis.call('SET', dk, id, 'EX', " OUTBOX_XSTR(OUTBOX_DEDUPE_TTL_S) ") end\n"
    "  redis.call('RPUSH', 'dvcbot:outbox:q:' .. kind, id)\n"
    "  return id, 1\n"
    "end\n"
    "local function notice_push(channel, user, json, dedupe)\n"
    "  if dedupe ~= '' then\n"
    "    local ok = redis.call('SET', 'dvcbot:outbox:dedupe:notice:' .. dedupe, '1', 'NX',\n"
    "      'EX', " OUTBOX_XSTR(OUTBOX_DEDUPE_TTL_S) ")\n"
    "    if not ok then return 0 end\n"
    "  end\n"
    "  local k = 'dvcbot:notices:' .. channel .. ':' .. user\n"
    "  redis.call('RPUSH', k, json)\n"
    "  redis.call('LTRIM', k, -" OUTBOX_XSTR(NOTICES_MAX) ", -1)\n"
    "  return 1\n"
    "end\n";

static const char outbox_enqueue_body[] =
    "if ARGV[3] ~= 'reply' and ARGV[3] ~= 'notify' then\n"
    "  return redis.error_reply('ERR outbox kind')\n"
    "end\n"
    "local id, created = outbox_enqueue(ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5])\n"
    "return {id, created}\n";

static const char notices_pop_script[] =
    "local k = 'dvcbot:notices:' .. ARGV[1] .. ':' .. ARGV[2]\n"
    "local n = tonumber(ARGV[3])\n"
    "local r = redis.call('LRANGE', k, 0, n - 1)\n"
    "redis.call('LTRIM', k, n, -1)\n"
    "return r\n";

typedef struct outbox_call {
    outbox_done_fn *done;
    notices_pop_fn *pop;
    void *privdata;
} outbox_call;

int outbox_eval(store *s, store_reply_fn *fn, void *privdata, const char *script, int nargs,
                const char *const *args, const size_t *lens)
{
    return store_eval(s, fn, privdata, script, 0, nargs, args, lens);
}

static void outbox_on_enqueue(redisReply *r, void *privdata)
{
    outbox_call *c = privdata;
    outbox_done_fn *fn = c->done;
    void *up = c->privdata;
    free(c);
    if (!fn)
        return;
    if (store_reply_shape(r, 2, (const int[]){REDIS_REPLY_INTEGER, REDIS_REPLY_INTEGER}))
        fn(0, r->element[0]->integer, (int)r->element[1]->integer, up);
    else
        fn(-1, 0, 0, up);
}

int outbox_enqueue(store *s, const outbox_msg *m, outbox_done_fn *fn, void *privdata)
{
    if (!s || !m || !m->to || !*m->to || !m->text || !m->kind)
        return -1;
    size_t n = strlen(OUTBOX_LUA) + strlen(outbox_enqueue_body) + 1;
    char *script = xmalloc(n);
    snprintf(script, n, "%s%s", OUTBOX_LUA, outbox_enqueue_body);
    const char *args[5] = {m->to, m->text, m->kind, m->dedupe, m->ref};
    outbox_call *c = xcalloc(1, sizeof(*c));
    c->done = fn;
    c->privdata = privdata;
    int rc = outbox_eval(s, outbox_on_enqueue, c, script, 5, args, NULL);
    free(script);
    if (rc < 0)
        free(c);
    return rc;
}

static void outbox_on_pop(redisReply *r, void *privdata)
{
    outbox_call *c = privdata;
    notices_pop_fn *fn = c->pop;
    void *up = c->privdata;
    free(c);
    if (!fn)
        return;
    if (!r || r->type != REDIS_REPLY_ARRAY) {
        fn(-1, NULL, 0, up);
        return;
    }
    const char **v = xcalloc(r->elements + 1, sizeof(*v));
    size_t n = 0;
    for (size_t i = 0; i < r->elements; i++)
        if (r->element[i]->type == REDIS_REPLY_STRING)
            v[n++] = r->element[i]->str;
    fn(0, v, n, up);
    free(v);
}

int notices_pop(store *s, const char *channel, const char *user, size_t max,
                notices_pop_fn *fn, void *privdata)
{
    if (!s || !channel || !*channel || strchr(channel, ':') || !user || !*user || max == 0)
        return -1;
    char nbuf[24];
    snprintf(nbuf, sizeof(nbuf), "%zu", max);
    const char *args[3] = {channel, user, nbuf};
    outbox_call *c = xcalloc(1, sizeof(*c));
    c->pop = fn;
    c->privdata = privdata;
    if (outbox_eval(s, outbox_on_pop, c, notices_pop_script, 3, args, NULL) < 0) {
        free(c);
        return -1;
    }
    return 0;
}
