/* complaints.c -- PAKN records: create, read, list, answer (see complaints.h).
 *
 * Writes are single Lua scripts (store/lua/complaints_*.lua, every value in
 * ARGV, binary safe): the day's sequence, the record, its indexes and
 * counters change together. The answer script also queues the citizen's
 * notification with the outbox Lua functions (lib_outbox.lua), so an answer
 * and its notification are one atomic step and a replayed answer finds the
 * complaint answered and queues nothing. */
#include "store/complaints.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/xmalloc.h"
#include "store/store_lua.h"

typedef struct complaints_call {
    complaints_create_fn *create;
    complaints_get_fn *get;
    complaints_list_fn *list;
    complaints_answer_fn *answer;
    void *privdata;
} complaints_call;

static complaints_call *complaints_call_new(void *privdata)
{
    complaints_call *c = xcalloc(1, sizeof(*c));
    c->privdata = privdata;
    return c;
}

void complaint_free(complaint *c)
{
    if (!c)
        return;
    char **f[] = {&c->code, &c->channel, &c->user, &c->contact, &c->topic, &c->text,
                  &c->dossier_code, &c->agency, &c->status, &c->created_at, &c->answer,
                  &c->answered_at};
    for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++)
        free(*f[i]);
    free(c);
}

/* A record from the flat HGETALL array; missing fields are "". */
static complaint *complaint_from_reply(const redisReply *r)
{
    static const char *const names[] = {"code", "channel", "user", "contact", "topic", "text",
                                        "dossier_code", "agency", "status", "created_at",
                                        "answer", "answered_at"};
    complaint *c = xcalloc(1, sizeof(*c));
    char **f[] = {&c->code, &c->channel, &c->user, &c->contact, &c->topic, &c->text,
                  &c->dossier_code, &c->agency, &c->status, &c->created_at, &c->answer,
                  &c->answered_at};
    for (size_t i = 0; r->type == REDIS_REPLY_ARRAY && i + 1 < r->elements; i += 2) {
        const redisReply *k = r->element[i], *v = r->element[i + 1];
        if (k->type != REDIS_REPLY_STRING || v->type != REDIS_REPLY_STRING)
            continue;
        for (size_t j = 0; j < sizeof(names) / sizeof(names[0]); j++)
            if (!strcmp(k->str, names[j]) && !*f[j])
                *f[j] = xstrndup(v->str, v->len);
    }
    for (size_t j = 0; j < sizeof(f) / sizeof(f[0]); j++)
        if (!*f[j])
            *f[j] = xstrdup("");
    return c;
}

static void complaints_on_create(redisReply *r, void *privdata)
{
    complaints_call *c = privdata;
    complaints_create_fn *fn = c->create;
    void *up = c->privdata;
    free(c);
    if (!fn)
        return;
    if (!store_reply_shape(r, 2, (const int[]){REDIS_REPLY_STRING, REDIS_REPLY_INTEGER}))
        fn(-1, NULL, 0, up);
    else if (r->element[1]->integer == 2)
        fn(2, NULL, 0, up);
    else
        fn(0, r->element[0]->str, (int)r->element[1]->integer, up);
}

int complaints_create(store *s, const complaint_new *n, complaints_create_fn *fn, void *privdata)
{
    if (!s || !n || !n->channel || !*n->channel || strchr(n->channel, ':') || !n->user ||
        !*n->user || !n->text || !*n->text || !n->agency || !*n->agency)
        return -1;
    char day[8], iso[40], ts[24], lim[16], alim[16];
    complaints_day(n->now, n->tz_offset_min, day);
    complaints_iso_time(n->now, n->tz_offset_min, iso, sizeof(iso));
    snprintf(ts, sizeof(ts), "%lld", (long long)n->now);
    snprintf(lim, sizeof(lim), "%d", n->per_day);
    snprintf(alim, sizeof(alim), "%d", n->addr_per_day);
    const char *ich = !strcmp(n->channel, "ussd") ? "sms" : n->channel; /* one phone */
    char *idk = NULL, *adk = NULL;
    if (n->per_day > 0) {
        size_t k = strlen(ich) + strlen(n->user) + 32;
        idk = xmalloc(k);
        snprintf(idk, k, "dvcbot:rl:complaint:%s:%s", ich, n->user);
    }
    if (n->addr_per_day > 0 && n->addr && *n->addr) {
        size_t k = strlen(n->addr) + 32;
        adk = xmalloc(k);
        snprintf(adk, k, "dvcbot:rl:complaint-addr:%s", n->addr);
    }
    const char *args[16] = {day, n->agency, n->channel, n->user, n->contact, n->topic, n->text,
                            n->dossier_code, iso, ts, n->token, idk ? idk : "", lim,
                            adk ? adk : "", alim, n->portal ? n->portal : n->agency};
    complaints_call *c = complaints_call_new(privdata);
    c->create = fn;
    int rc = store_eval(s, complaints_on_create, c, &store_lua_complaints_create, 0, 16, args,
                        NULL);
    if (rc < 0)
        free(c);
    free(idk);
    free(adk);
    return rc < 0 ? -1 : 0;
}

static void complaints_on_get(redisReply *r, void *privdata)
{
    complaints_call *c = privdata;
    complaints_get_fn *fn = c->get;
    void *up = c->privdata;
    free(c);
    if (!fn)
        return;
    if (!r || r->type != REDIS_REPLY_ARRAY) {
        fn(-1, NULL, up);
        return;
    }
    if (r->elements == 0) {
        fn(1, NULL, up);
        return;
    }
    complaint *cp = complaint_from_reply(r);
    fn(0, cp, up);
    complaint_free(cp);
}

int complaints_get(store *s, const char *code, complaints_get_fn *fn, void *privdata)
{
    if (!s || !code || !*code)
        return -1;
    complaints_call *c = complaints_call_new(privdata);
    c->get = fn;
    if (store_command(s, complaints_on_get, c, "HGETALL dvcbot:complaint:%b", code,
                      strlen(code)) < 0) {
        free(c);
        return -1;
    }
    return 0;
}

static void complaints_on_lookup(redisReply *r, void *privdata)
{
    complaints_call *c = privdata;
    complaints_get_fn *fn = c->get;
    void *up = c->privdata;
    free(c);
    const char *what = r && r->type == REDIS_REPLY_ARRAY && r->elements >= 1 &&
                               r->element[0]->type == REDIS_REPLY_STRING
                           ? r->element[0]->str : "";
    if (!strcmp(what, "limited")) {
        fn(2, NULL, up);
    } else if (!strcmp(what, "missing")) {
        fn(1, NULL, up);
    } else if (!strcmp(what, "found") && r->elements == 2 &&
               r->element[1]->type == REDIS_REPLY_ARRAY) {
        complaint *cp = complaint_from_reply(r->element[1]);
        fn(0, cp, up);
        complaint_free(cp);
    } else {
        fn(-1, NULL, up);
    }
}

int complaints_lookup(store *s, const char *code, const ratelimit_miss *miss,
                      complaints_get_fn *fn, void *privdata)
{
    ratelimit_miss_argv ma;
    if (!s || !fn || !code || !*code || ratelimit_miss_argv_init(&ma, miss) < 0)
        return -1;
    const char *args[6] = {code, ma.argv[0], ma.argv[1], ma.argv[2], ma.argv[3], ma.argv[4]};
    complaints_call *c = complaints_call_new(privdata);
    c->get = fn;
    int rc = store_eval(s, complaints_on_lookup, c, &store_lua_complaints_lookup, 0, 6, args,
                        NULL);
    if (rc < 0)
        free(c);
    ratelimit_miss_argv_free(&ma);
    return rc < 0 ? -1 : 0;
}

static void complaints_on_list(redisReply *r, void *privdata)
{
    complaints_call *c = privdata;
    complaints_list_fn *fn = c->list;
    void *up = c->privdata;
    free(c);
    if (!fn)
        return;
    if (!r || r->type != REDIS_REPLY_ARRAY) {
        fn(-1, NULL, 0, up);
        return;
    }
    complaint **v = xcalloc(r->elements + 1, sizeof(*v));
    for (size_t i = 0; i < r->elements; i++)
        v[i] = complaint_from_reply(r->element[i]);
    fn(0, v, r->elements, up);
    for (size_t i = 0; i < r->elements; i++)
        complaint_free(v[i]);
    free(v);
}

static int complaints_list_key(store *s, const char *key, size_t max, complaints_list_fn *fn,
                               void *privdata)
{
    char nbuf[24];
    snprintf(nbuf, sizeof(nbuf), "%zu", max ? max : 1);
    const char *args[2] = {key, nbuf};
    complaints_call *c = complaints_call_new(privdata);
    c->list = fn;
    if (store_eval(s, complaints_on_list, c, &store_lua_complaints_list, 0, 2, args, NULL) < 0) {
        free(c);
        return -1;
    }
    return 0;
}

int complaints_list_agency(store *s, const char *agency, const char *status, size_t max,
                           complaints_list_fn *fn, void *privdata)
{
    if (!s || !agency || !*agency || strchr(agency, ':') || !status ||
        (strcmp(status, "open") && strcmp(status, "answered")))
        return -1;
    size_t n = strlen(agency) + 64;
    char *key = xmalloc(n);
    snprintf(key, n, "dvcbot:complaints-idx:%s:%s", agency, status);
    int rc = complaints_list_key(s, key, max, fn, privdata);
    free(key);
    return rc;
}

int complaints_list_user(store *s, const char *channel, const char *user, size_t max,
                         complaints_list_fn *fn, void *privdata)
{
    if (!s || !channel || !*channel || strchr(channel, ':') || !user || !*user)
        return -1;
    if (!strcmp(channel, "ussd"))
        channel = "sms"; /* one phone: SMS and USSD share the index */
    size_t n = strlen(channel) + strlen(user) + 64;
    char *key = xmalloc(n);
    snprintf(key, n, "dvcbot:complaints-by:%s:%s", channel, user);
    int rc = complaints_list_key(s, key, max, fn, privdata);
    free(key);
    return rc;
}

static void complaints_on_answer(redisReply *r, void *privdata)
{
    complaints_call *c = privdata;
    complaints_answer_fn *fn = c->answer;
    void *up = c->privdata;
    free(c);
    if (!fn)
        return;
    if (!r || r->type != REDIS_REPLY_ARRAY || r->elements < 1 ||
        r->element[0]->type != REDIS_REPLY_INTEGER) {
        fn(COMPLAINT_ANSWER_FAILED, NULL, up);
        return;
    }
    complaints_answer_status st = (complaints_answer_status)r->element[0]->integer;
    complaint *cp = r->elements > 1 ? complaint_from_reply(r->element[1]) : NULL;
    fn(st, cp, up);
    complaint_free(cp);
}

int complaints_answer(store *s, const complaint_answer *a, complaints_answer_fn *fn,
                      void *privdata)
{
    if (!s || !a || !a->code || !*a->code || !a->agency || !*a->agency || !a->text || !*a->text)
        return -1;
    char iso[40], ts[24];
    complaints_iso_time(a->now, a->tz_offset_min, iso, sizeof(iso));
    snprintf(ts, sizeof(ts), "%lld", (long long)a->now);
    const char *args[7] = {a->code, a->agency, a->text, iso, ts, a->sms_text, a->notice_text};
    complaints_call *c = complaints_call_new(privdata);
    c->answer = fn;
    int rc = store_eval(s, complaints_on_answer, c, &store_lua_complaints_answer, 0, 7, args,
                        NULL);
    if (rc < 0)
        free(c);
    return rc;
}

void complaints_agency_of(const char *code, const char *fallback, char *out, size_t n)
{
    size_t len = 0;
    if (code) {
        const char *dash = strchr(code, '-');
        len = dash ? (size_t)(dash - code) : 0;
        for (size_t i = 0; i < len; i++) {
            char ch = code[i];
            if (!((ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '.'))
                len = 0;
        }
    }
    if (len == 0 || len >= n)
        snprintf(out, n, "%s", fallback ? fallback : "");
    else
        snprintf(out, n, "%.*s", (int)len, code);
}

static void complaints_local_tm(time_t t, int tz_offset_min, struct tm *tm)
{
    time_t local = t + (time_t)tz_offset_min * 60;
    gmtime_r(&local, tm);
}

void complaints_day(time_t t, int tz_offset_min, char *out)
{
    struct tm tm;
    complaints_local_tm(t, tz_offset_min, &tm);
    unsigned y = (unsigned)tm.tm_year % 100u, m = (unsigned)tm.tm_mon % 12u + 1u,
             d = (unsigned)tm.tm_mday % 32u;
    out[0] = (char)('0' + y / 10);
    out[1] = (char)('0' + y % 10);
    out[2] = (char)('0' + m / 10);
    out[3] = (char)('0' + m % 10);
    out[4] = (char)('0' + d / 10);
    out[5] = (char)('0' + d % 10);
    out[6] = '\0';
}

void complaints_iso_time(time_t t, int tz_offset_min, char *out, size_t n)
{
    struct tm tm;
    complaints_local_tm(t, tz_offset_min, &tm);
    int off = tz_offset_min < 0 ? -tz_offset_min : tz_offset_min;
    snprintf(out, n, "%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
             tz_offset_min < 0 ? '-' : '+', off / 60 % 100, off % 60);
}
