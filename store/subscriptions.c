/* subscriptions.c -- subscribe, HUY/STOP, and the dossier-change fan-out
 * (see subscriptions.h). Each call is one Lua script (store/lua/subs_*.lua)
 * with every value in ARGV, except the fan-out: a first script, then one
 * small script per SSCAN batch of subscribers, chained from the replies
 * (the outbox Lua functions of lib_outbox.lua queue the messages). */
#include "store/subscriptions.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/xmalloc.h"
#include "store/store_lua.h"

typedef struct subs_call {
    subs_done_fn *done;
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

static int subs_run(store *s, const store_script *script, int nargs, const char *const *args,
                    subs_done_fn *fn, void *privdata)
{
    subs_call *c = xcalloc(1, sizeof(*c));
    c->done = fn;
    c->privdata = privdata;
    if (store_eval(s, subs_on_int, c, script, 0, nargs, args, NULL) < 0) {
        free(c);
        return -1;
    }
    return 0;
}

int subs_add(store *s, const subs_request *rq, subs_done_fn *fn, void *privdata)
{
    ratelimit_miss_argv ma;
    if (!s || !rq || !rq->code || !*rq->code || !rq->member || !strchr(rq->member, ':') ||
        rq->max_per_dossier < 1 || rq->max_per_member < 1 ||
        ratelimit_miss_argv_init(&ma, &rq->miss) < 0)
        return -1;
    char cap_d[16], cap_m[16];
    snprintf(cap_d, sizeof(cap_d), "%d", rq->max_per_dossier);
    snprintf(cap_m, sizeof(cap_m), "%d", rq->max_per_member);
    const char *args[11] = {rq->code, rq->member, rq->msisdn ? rq->msisdn : "",
                            rq->confirm && rq->msisdn ? "1" : "0", cap_d, cap_m,
                            ma.argv[0], ma.argv[1], ma.argv[2], ma.argv[3], ma.argv[4]};
    int rc = subs_run(s, &store_lua_subs_add, 11, args, fn, privdata);
    ratelimit_miss_argv_free(&ma);
    return rc;
}

int subs_stop(store *s, const char *member, const char *msisdn, subs_done_fn *fn,
              void *privdata)
{
    if (!s || !member || !strchr(member, ':'))
        return -1;
    const char *args[2] = {member, msisdn};
    return subs_run(s, &store_lua_subs_stop, 2, args, fn, privdata);
}

/* The background part of one change: its texts and the scan cursor. */
typedef struct subs_fan {
    store *s;
    char *args[8];              /* code, old, new, event, sms, notice, cursor, batch */
    long long queued;
    notify_done_fn *fn;         /* NULL once called */
    void *privdata;
} subs_fan;

static void subs_fan_free(subs_fan *f)
{
    for (int i = 0; i < 8; i++)
        free(f->args[i]);
    free(f);
}

/* Tell the caller (once), with what is queued so far. */
static void subs_fan_tell(subs_fan *f, int status)
{
    notify_done_fn *fn = f->fn;
    f->fn = NULL;
    if (fn)
        fn(status, f->queued, f->privdata);
}

static void subs_on_batch(redisReply *r, void *privdata);

static int subs_fan_next(subs_fan *f)
{
    return store_eval(f->s, subs_on_batch, f, &store_lua_subs_fanout, 0, 8,
                      (const char *const *)f->args, NULL);
}

static void subs_on_batch(redisReply *r, void *privdata)
{
    subs_fan *f = privdata;
    if (!store_reply_shape(r, 2, (const int[]){REDIS_REPLY_STRING, REDIS_REPLY_INTEGER})) {
        subs_fan_tell(f, -1);
        subs_fan_free(f);
        return;
    }
    f->queued += r->element[1]->integer;
    free(f->args[6]);
    f->args[6] = xstrdup(r->element[0]->str);
    subs_fan_tell(f, 0);
    if (!strcmp(f->args[6], "0") || subs_fan_next(f) < 0)
        subs_fan_free(f);
}

static void subs_on_notify(redisReply *r, void *privdata)
{
    subs_fan *f = privdata;
    if (!r || r->type != REDIS_REPLY_INTEGER) {
        subs_fan_tell(f, -1);
        subs_fan_free(f);
        return;
    }
    f->queued = r->integer;
    if (subs_fan_next(f) < 0) {
        subs_fan_tell(f, -1);
        subs_fan_free(f);
    }
}

int subs_notify_dossier_changed(store *s, const dossier_change *ch, notify_done_fn *fn,
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
    char batch[16];
    snprintf(batch, sizeof(batch), "%d", ch->batch > 0 ? ch->batch : SUBS_FANOUT_BATCH);
    const char *ev = ch->event_id ? ch->event_id : "";
    const char *phone = ch->applicant_phone ? ch->applicant_phone : "";
    const char *first[6] = {ch->code, old, ch->new_status, phone, ev, ch->sms_text};
    subs_fan *f = xcalloc(1, sizeof(*f));
    f->s = s;
    const char *keep[8] = {ch->code, old, ch->new_status, ev, ch->sms_text,
                           ch->notice_text ? ch->notice_text : ch->sms_text, "0", batch};
    for (int i = 0; i < 8; i++)
        f->args[i] = xstrdup(keep[i]);
    f->fn = fn;
    f->privdata = privdata;
    int rc = store_eval(s, subs_on_notify, f, &store_lua_subs_notify, 0, 6, first, NULL);
    if (rc < 0) {
        f->fn = NULL;
        subs_fan_free(f);
    }
    return rc;
}
