/* subscriptions.c -- subscribe, HUY/STOP, and the dossier-change fan-out
 * (see subscriptions.h). Each call is one Lua script (store/lua/subs_*.lua)
 * with every value in ARGV; the fan-out uses the outbox Lua functions
 * (lib_outbox.lua). */
#include "store/subscriptions.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/xmalloc.h"
#include "store/store_lua.h"

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

int subs_add(store *s, const char *code, const char *member, const char *msisdn,
             subs_done_fn *fn, void *privdata)
{
    if (!s || !code || !*code || !member || !strchr(member, ':'))
        return -1;
    const char *args[3] = {code, member, msisdn};
    return subs_run(s, &store_lua_subs_add, 3, args, fn, privdata);
}

int subs_stop(store *s, const char *member, const char *msisdn, subs_done_fn *fn,
              void *privdata)
{
    if (!s || !member || !strchr(member, ':'))
        return -1;
    const char *args[2] = {member, msisdn};
    return subs_run(s, &store_lua_subs_stop, 2, args, fn, privdata);
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
    const char *args[7] = {ch->code, old, ch->new_status, ch->applicant_phone, ch->event_id,
                           ch->sms_text, ch->notice_text ? ch->notice_text : ch->sms_text};
    subs_call *c = xcalloc(1, sizeof(*c));
    c->notify = fn;
    c->privdata = privdata;
    int rc = store_eval(s, subs_on_notify, c, &store_lua_subs_notify, 0, 7, args, NULL);
    if (rc < 0)
        free(c);
    return rc;
}
