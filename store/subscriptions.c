/* subscriptions.c -- subscribe, HUY/STOP, and the dossier-change fan-out
 * (see subscriptions.h). Each call is one Lua script with every value in
 * ARGV; the fan-out uses the outbox Lua functions (store/outbox.h). */
#include "store/subscriptions.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/outbox.h"
#include "common/xmalloc.h"

#define SUBS_STR(x) #x
#define SUBS_XSTR(x) SUBS_STR(x)

static const char subs_add_script[] =
    "if redis.call('EXISTS', 'dvcbot:dossier:' .. ARGV[1]) == 0 then return 2 end\n"
    "if ARGV[3] ~= '' then redis.call('SREM', 'dvcbot:optout', ARGV[3]) end\n"
    "local by = 'dvcbot:subs-by:' .. ARGV[2]\n"
    "if redis.call('SISMEMBER', by, ARGV[1]) == 1 then return 1 end\n"
    "if redis.call('SCARD', by) >= " SUBS_XSTR(SUBS_MAX_PER_MEMBER) " then return 3 end\n"
    "redis.call('SADD', 'dvcbot:subs:' .. ARGV[1], ARGV[2])\n"
    "redis.call('SADD', by, ARGV[1])\n"
    "return 0\n";

static const char subs_stop_script[] =
    "local by = 'dvcbot:subs-by:' .. ARGV[1]\n"
    "local codes = redis.call('SMEMBERS', by)\n"
    "for _, c in ipairs(codes) do redis.call('SREM', 'dvcbot:subs:' .. c, ARGV[1]) end\n"
    "redis.call('DEL', by)\n"
    "if ARGV[2] ~= '' then redis.call('SADD', 'dvcbot:optout', ARGV[2]) end\n"
    "return #codes\n";

/* ARGV: code, old, new, applicant, event, sms text, notice text. The
 * dossiers-by-status counters follow the status last counted for the code
 * (dvcbot:stats:dossier-status), so a replayed change counts nothing. */
static const char subs_notify_body[] =
    "local ag = string.match(ARGV[1], '^([^-]+)-') or ''\n"
    "local counted = redis.call('HGET', 'dvcbot:stats:dossier-status', ARGV[1])\n"
    "if counted ~= ARGV[3] then\n"
    "  if counted then\n"
    "    redis.call('HINCRBY', 'dvcbot:stats:dossiers', ag .. ':' .. counted, -1)\n"
    "  end\n"
    "  redis.call('HINCRBY', 'dvcbot:stats:dossiers', ag .. ':' .. ARGV[3], 1)\n"
    "  redis.call('HSET', 'dvcbot:stats:dossier-status', ARGV[1], ARGV[3])\n"
    "end\n"
    "local ev = ARGV[5]\n"
    "if ev == '' then ev = ARGV[2] .. '>' .. ARGV[3] end\n"
    "local base = 'dossier:' .. ARGV[1] .. ':' .. ev .. ':'\n"
    "local seen, n = {}, 0\n"
    "local function sms(to)\n"
    "  if seen[to] then return end\n"
    "  seen[to] = true\n"
    "  if redis.call('SISMEMBER', 'dvcbot:optout', to) == 1 then return end\n"
    "  local _, created = outbox_enqueue(to, ARGV[6], 'notify', base .. to, ARGV[1])\n"
    "  n = n + created\n"
    "end\n"
    "if ARGV[4] ~= '' then sms(ARGV[4]) end\n"
    "for _, m in ipairs(redis.call('SMEMBERS', 'dvcbot:subs:' .. ARGV[1])) do\n"
    "  local ch, user = string.match(m, '^([^:]+):(.+)$')\n"
    "  if ch == 'sms' then sms(user)\n"
    "  elseif ch then\n"
    "    n = n + notice_push(ch, user, cjson.encode({type = 'notice',\n"
    "      kind = 'dossier_changed', code = ARGV[1], status = ARGV[3],\n"
    "      old_status = ARGV[2], text = ARGV[7]}), base .. m)\n"
    "  end\n"
    "end\n"
    "return n\n";

typedef struct subs_call {
    subs_done_fn *done;
    notify_done_fn *notify;
    void *privdata;
} subs_call;

char *subs_member(const char *channel, const char *user)
{
    if (!channel || !*channel || strchr(channel, ':') || !user || !*user)
        return NULL;
    if (!strcmp(channel, "ussd"))
        channel = "sms";
    size_t n = strlen(channel) + strlen(user) + 2;
    char *m = xmalloc(n);
    snprintf(m, n, "%s:%s", channel, user);
    return m;
}

static void subs_on_int(redisReply *r, void *privdata)
{
    subs_call *c = privdata;
    subs_done_fn *fn = c->done;
    void *up = c->privdata;
    free(c);
    if (fn)
        fn(r && r->type == REDIS_REPLY_INTEGER ? (int)r->integer : -1, up);
}

static int subs_run(store *s, const char *script, int nargs, const char *const *args,
                    subs_done_fn *fn, void *privdata)
{
    subs_call *c = xcalloc(1, sizeof(*c));
    c->done = fn;
    c->privdata = privdata;
    if (outbox_eval(s, subs_on_int, c, script, nargs, args, NULL) < 0) {
        free(c);
        return -1;
    }
    return 0;
}

int subs_add(store *s, const char *code, const char *member, const char *msisdn,
             subs_done_fn *fn, void *privdata)
{
    if (!s || !code || !*code || !member || !strchr(member, ':'))
        return -1;
    const char *args[3] = {code, member, msisdn};
    return subs_run(s, subs_add_script, 3, args, fn, privdata);
}

int subs_stop(store *s, const char *member, const char *msisdn, subs_done_fn *fn,
              void *privdata)
{
    if (!s || !member || !strchr(member, ':'))
        return -1;
    const char *args[2] = {member, msisdn};
    return subs_run(s, subs_stop_script, 2, args, fn, privdata);
}

static void subs_on_notify(redisReply *r, void *privdata)
{
    subs_call *c = privdata;
    notify_done_fn *fn = c->notify;
    void *up = c->privdata;
    free(c);
    if (!fn)
        return;
    if (r && r->type == REDIS_REPLY_INTEGER)
        fn(0, r->integer, up);
    else
        fn(-1, 0, up);
}

int notify_dossier_changed(store *s, const dossier_change *ch, notify_done_fn *fn,
                           void *privdata)
{
    if (!s || !ch || !ch->code || !*ch->code || !ch->new_status || !*ch->new_status ||
        !ch->sms_text)
        return -1;
    const char *old = ch->old_status ? ch->old_status : "";
    if (!strcmp(old, ch->new_status)) {
        /* nothing changed: nothing to queue (called back at once) */
        if (!store_is_up(s))
            return -1;
        if (fn)
            fn(0, 0, privdata);
        return 0;
    }
    const char *args[7] = {ch->code, old, ch->new_status, ch->applicant_phone, ch->event_id,
                           ch->sms_text, ch->notice_text ? ch->notice_text : ch->sms_text};
    size_t n = strlen(OUTBOX_LUA) + strlen(subs_notify_body) + 1;
    char *script = xmalloc(n);
    snprintf(script, n, "%s%s", OUTBOX_LUA, subs_notify_body);
    subs_call *c = xcalloc(1, sizeof(*c));
    c->notify = fn;
    c->privdata = privdata;
    int rc = outbox_eval(s, subs_on_notify, c, script, 7, args, NULL);
    free(script);
    if (rc < 0)
        free(c);
    return rc;
}
