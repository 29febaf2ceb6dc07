/* subscriptions.c -- subscribe, HUY/STOP, and the dossier-change fan-out
 * (see subscriptions.h). Each call is one Lua script (store/lua/subs_*.lua)
 * with every value in ARGV, except the fan-out: a first script, then one
 * small script per SSCAN batch of subscribers, chained from the replies
 * (the outbox Lua functions of lib_outbox.lua queue the messages). */
#include "store/subscriptions.h"

#include <stdio.h>
#include <sys/random.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>
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

/* This process's name as the owner of fan-out jobs: differs on every run. */
static const char *subs_owner(void)
{
    static char owner[48];
    if (!owner[0]) {
        unsigned int r = 0;
        if (getrandom(&r, sizeof(r), 0) != (ssize_t)sizeof(r))
            r = (unsigned int)time(NULL);
        snprintf(owner, sizeof(owner), "%ld-%08x", (long)getpid(), r);
    }
    return owner;
}

enum { FAN_CODE, FAN_OLD, FAN_NEW, FAN_EV, FAN_SMS, FAN_NOTICE, FAN_BATCH, FAN_JOB, FAN_OWNER,
       FAN_NARGS };

/* The background part of one change: its texts, job id and owner. */
typedef struct subs_fan {
    store *s;
    char *args[FAN_NARGS];
    long long queued;
    notify_done_fn *fn;         /* NULL once called */
    void *privdata;
} subs_fan;

static subs_fan *subs_fan_new(store *s, const char *const *args, notify_done_fn *fn,
                              void *privdata)
{
    subs_fan *f = xcalloc(1, sizeof(*f));
    f->s = s;
    for (int i = 0; i < FAN_NARGS; i++)
        f->args[i] = xstrdup(args[i]);
    f->fn = fn;
    f->privdata = privdata;
    return f;
}

static void subs_fan_free(subs_fan *f)
{
    for (int i = 0; i < FAN_NARGS; i++)
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
    return store_eval(f->s, subs_on_batch, f, &store_lua_subs_fanout, 0, FAN_NARGS,
                      (const char *const *)f->args, NULL);
}

static void subs_on_batch(redisReply *r, void *privdata)
{
    subs_fan *f = privdata;
    if (!store_reply_shape(r, 2, (const int[]){REDIS_REPLY_STRING, REDIS_REPLY_INTEGER})) {
        subs_fan_tell(f, -1); /* the job stays: its lease runs out, another run resumes it */
        subs_fan_free(f);
        return;
    }
    f->queued += r->element[1]->integer;
    subs_fan_tell(f, 0);
    if (!strcmp(r->element[0]->str, "0") || subs_fan_next(f) < 0)
        subs_fan_free(f);
}

static void subs_on_notify(redisReply *r, void *privdata)
{
    subs_fan *f = privdata;
    if (!store_reply_shape(r, 2, (const int[]){REDIS_REPLY_INTEGER, REDIS_REPLY_INTEGER})) {
        subs_fan_tell(f, -1);
        subs_fan_free(f);
        return;
    }
    f->queued = r->element[0]->integer;
    if (!r->element[1]->integer) {
        subs_fan_tell(f, 0); /* no subscriber, or the job is another run's */
        subs_fan_free(f);
    } else if (subs_fan_next(f) < 0) {
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
    const char *notice = ch->notice_text ? ch->notice_text : ch->sms_text;
    /* the job id: the code and the event, as the scripts name it */
    size_t n = strlen(ch->code) + strlen(old) + strlen(ch->new_status) + strlen(ev) + 3;
    char *job = xmalloc(n);
    if (*ev)
        snprintf(job, n, "%s|%s", ch->code, ev);
    else
        snprintf(job, n, "%s|%s>%s", ch->code, old, ch->new_status);
    const char *keep[FAN_NARGS] = {ch->code, old, ch->new_status, ev, ch->sms_text, notice,
                                   batch, job, subs_owner()};
    subs_fan *f = subs_fan_new(s, keep, fn, privdata);
    free(job);
    const char *first[9] = {ch->code, old, ch->new_status, phone, ev, ch->sms_text, notice,
                            batch, subs_owner()};
    int rc = store_eval(s, subs_on_notify, f, &store_lua_subs_notify, 0, 9, first, NULL);
    if (rc < 0) {
        f->fn = NULL;
        subs_fan_free(f);
    }
    return rc;
}

typedef struct subs_resume {
    store *s;
    notify_done_fn *fn;
    void *privdata;
} subs_resume;

static void subs_on_claim(redisReply *r, void *privdata)
{
    subs_resume c = *(subs_resume *)privdata;
    free(privdata);
    if (!r || r->type != REDIS_REPLY_ARRAY) {
        c.fn(-1, 0, c.privdata);
        return;
    }
    if (r->elements != 9) {
        c.fn(0, 0, c.privdata);
        return;
    }
    for (size_t i = 0; i < 9; i++)
        if (r->element[i]->type != REDIS_REPLY_STRING) {
            c.fn(-1, 0, c.privdata);
            return;
        }
    /* reply: job id, code, old, new, event, sms, notice, cursor, batch */
    const char *args[FAN_NARGS] = {r->element[1]->str, r->element[2]->str, r->element[3]->str,
                                   r->element[4]->str, r->element[5]->str, r->element[6]->str,
                                   r->element[8]->str, r->element[0]->str, subs_owner()};
    subs_fan *f = subs_fan_new(c.s, args, NULL, NULL);
    c.fn(0, 1, c.privdata);
    if (subs_fan_next(f) < 0)
        subs_fan_free(f);
}

int subs_fanout_resume(store *s, notify_done_fn *fn, void *privdata)
{
    if (!s || !fn)
        return -1;
    subs_resume *c = xmalloc(sizeof(*c));
    *c = (subs_resume){.s = s, .fn = fn, .privdata = privdata};
    const char *args[1] = {subs_owner()};
    int rc = store_eval(s, subs_on_claim, c, &store_lua_subs_fanout_claim, 0, 1, args, NULL);
    if (rc < 0)
        free(c);
    return rc;
}
