/* ratings.c -- one rating per dossier per citizen, with running aggregates
 * (see ratings.h). One Lua script reads the dossier, swaps the citizen's
 * score and adjusts the counters, so concurrent or repeated ratings never
 * leave the aggregates out of step with the ratings. */
#include "store/ratings.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/outbox.h"
#include "common/xmalloc.h"

/* ARGV: code, agency, member, score */
static const char ratings_script[] =
    "local dk = 'dvcbot:dossier:' .. ARGV[1]\n"
    "local t = redis.call('TYPE', dk)['ok']\n"
    "if t == 'none' then return {2, 0} end\n"
    "local proc = ''\n"
    "if t == 'hash' then\n"
    "  proc = redis.call('HGET', dk, 'procedure_code') or ''\n"
    "elseif t == 'string' then\n"
    "  local ok, d = pcall(cjson.decode, redis.call('GET', dk))\n"
    "  if ok and type(d) == 'table' and type(d.procedure_code) == 'string' then\n"
    "    proc = d.procedure_code\n"
    "  end\n"
    "end\n"
    "local st = 'dvcbot:stats:ratings'\n"
    "local function add(p, a, c, v)\n"
    "  redis.call('HINCRBY', st, 'all:count', c)\n"
    "  redis.call('HINCRBY', st, 'all:sum', v)\n"
    "  redis.call('HINCRBY', st, 'agency:' .. a .. ':count', c)\n"
    "  redis.call('HINCRBY', st, 'agency:' .. a .. ':sum', v)\n"
    "  if p ~= '' then\n"
    "    redis.call('HINCRBY', st, 'procedure:' .. a .. ':' .. p .. ':count', c)\n"
    "    redis.call('HINCRBY', st, 'procedure:' .. a .. ':' .. p .. ':sum', v)\n"
    "  end\n"
    "end\n"
    "local rk = 'dvcbot:rating:' .. ARGV[1]\n"
    "local prev = redis.call('HGET', rk, ARGV[3])\n"
    "local old = 0\n"
    "if prev then\n"
    "  local os, op = string.match(prev, '^(%d)|(.*)$')\n"
    "  if os then\n"
    "    old = tonumber(os)\n"
    "    add(op, ARGV[2], -1, -old)\n"
    "  end\n"
    "end\n"
    "local score = tonumber(ARGV[4])\n"
    "redis.call('HSET', rk, ARGV[3], ARGV[4] .. '|' .. proc)\n"
    "add(proc, ARGV[2], 1, score)\n"
    "if prev then return {1, old} end\n"
    "return {0, 0}\n";

static const char ratings_stats_script[] =
    "return {redis.call('HGETALL', 'dvcbot:stats:complaints'),\n"
    "        redis.call('HGETALL', 'dvcbot:stats:ratings'),\n"
    "        redis.call('HGETALL', 'dvcbot:stats:dossiers')}\n";

typedef struct ratings_call {
    ratings_done_fn *fn;
    ratings_stats_fn *stats;
    void *privdata;
} ratings_call;

static void ratings_on_put(redisReply *r, void *privdata)
{
    ratings_call *c = privdata;
    ratings_done_fn *fn = c->fn;
    void *up = c->privdata;
    free(c);
    if (!fn)
        return;
    if (store_reply_shape(r, 2, (const int[]){REDIS_REPLY_INTEGER, REDIS_REPLY_INTEGER}))
        fn((int)r->element[0]->integer, (int)r->element[1]->integer, up);
    else
        fn(-1, 0, up);
}

int ratings_put(store *s, const char *code, const char *agency, const char *member, int score,
                ratings_done_fn *fn, void *privdata)
{
    if (!s || !code || !*code || !agency || !*agency || strchr(agency, ':') || !member ||
        !strchr(member, ':') || score < 1 || score > 5)
        return -1;
    char sc[4];
    snprintf(sc, sizeof(sc), "%d", score);
    const char *args[4] = {code, agency, member, sc};
    ratings_call *c = xcalloc(1, sizeof(*c));
    c->fn = fn;
    c->privdata = privdata;
    if (outbox_eval(s, ratings_on_put, c, ratings_script, 4, args, NULL) < 0) {
        free(c);
        return -1;
    }
    return 0;
}

static void ratings_on_stats(redisReply *r, void *privdata)
{
    ratings_call *c = privdata;
    ratings_stats_fn *fn = c->stats;
    void *up = c->privdata;
    free(c);
    if (r && r->type == REDIS_REPLY_ARRAY && r->elements == 3)
        fn(0, r->element[0], r->element[1], r->element[2], up);
    else
        fn(-1, NULL, NULL, NULL, up);
}

int ratings_stats(store *s, ratings_stats_fn *fn, void *privdata)
{
    if (!s || !fn)
        return -1;
    ratings_call *c = xcalloc(1, sizeof(*c));
    c->stats = fn;
    c->privdata = privdata;
    if (outbox_eval(s, ratings_on_stats, c, ratings_stats_script, 0, NULL, NULL) < 0) {
        free(c);
        return -1;
    }
    return 0;
}
