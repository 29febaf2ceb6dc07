/* dossiers.c -- dossier records, the phone index and the miss counter
 * (see dossiers.h for the key layout and the callbacks).
 *
 * Writes are Lua scripts (store/lua/dossiers_*.lua): the read-compare-write
 * of a PUT and the index update happen atomically on the server, so two
 * agencies' systems (or a replay) can never interleave. Keys built inside
 * the scripts (dvcbot:phone-idx:{old phone}, dvcbot:dossier:{code} of an
 * index) follow the layout of store/README.md; this is fine on one Redis,
 * not on a cluster. Values are passed as arguments, never pasted into the
 * script. */
#include "store/dossiers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/xmalloc.h"
#include "store/store_lua.h"

#define DOSSIERS_KEY "dvcbot:dossier:"
#define DOSSIERS_PHONE_KEY "dvcbot:phone-idx:"
#define DOSSIERS_RATING_OK_KEY "dvcbot:rating-ok:"
#define DOSSIERS_PAY_SUFFIX ":payments"

/* --- pure helpers (the validators and the ISO-8601 parser are in common/ids.c) --- */

static int dossiers_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

int dossiers_format_date(const char *s, int tz_offset_min, char out[11])
{
    time_t t;
    struct tm tm;
    if (ids_parse_time(s, tz_offset_min, 0, &t) < 0)
        return -1;
    t += (time_t)tz_offset_min * 60;
    if (!gmtime_r(&t, &tm))
        return -1;
    unsigned y = (unsigned)(tm.tm_year + 1900) % 10000u;
    snprintf(out, 11, "%02u/%02u/%04u", (unsigned)tm.tm_mday % 100u,
             (unsigned)(tm.tm_mon + 1) % 100u, y);
    return 0;
}

int dossiers_overdue(const json_t *rec, time_t now, int tz_offset_min)
{
    const char *status = json_string_value(json_object_get(rec, "status"));
    const char *due = json_string_value(json_object_get(rec, "due_at"));
    time_t t;
    if (!status || !due || ids_dossier_status_final(status) ||
        ids_parse_time(due, tz_offset_min, 1, &t) < 0)
        return 0;
    return now > t;
}

int dossiers_fee_due(const json_t *rec, long long *due)
{
    const char *status = json_string_value(json_object_get(rec, "status"));
    json_t *fee = json_object_get(rec, "fee");
    json_t *amount = json_object_get(fee, "amount_vnd"), *paid = json_object_get(fee, "paid_vnd");
    *due = 0;
    if (!status || strcmp(status, "payment_required") || !json_is_integer(amount))
        return 0;
    long long left = (long long)json_integer_value(amount) -
                     (json_is_integer(paid) ? (long long)json_integer_value(paid) : 0);
    *due = left > 0 ? left : 0;
    return left > 0;
}

/* --- Redis --- */

typedef struct dossiers_call {
    dossiers_put_fn *put;
    dossiers_pay_fn *pay;
    dossiers_get_fn *get;
    dossiers_list_fn *list;
    void *privdata;
} dossiers_call;

static dossiers_call *dossiers_call_new(void *privdata)
{
    dossiers_call *c = xcalloc(1, sizeof(*c));
    c->privdata = privdata;
    return c;
}

/* prefix + id as a new string. */
static char *dossiers_key(const char *prefix, const char *id)
{
    size_t a = strlen(prefix), b = strlen(id);
    char *k = xmalloc(a + b + 1);
    memcpy(k, prefix, a);
    memcpy(k + a, id, b + 1);
    return k;
}

/* Run script with argc arguments (keys first); 0 or -1 (store down, c freed). */
static int dossiers_eval(store *s, const store_script *script, int nkeys, int argc, const char **args,
                         store_reply_fn *fn, dossiers_call *c)
{
    int rc = store_eval(s, fn, c, script, nkeys, argc, args, NULL);
    if (rc < 0)
        free(c);
    return rc;
}

static int dossiers_is_str(const redisReply *r)
{
    return r && r->type == REDIS_REPLY_STRING;
}

static void dossiers_on_put(redisReply *r, void *privdata)
{
    dossiers_call *c = privdata;
    json_t *rec = NULL;
    if (store_reply_shape(r, 3, (const int[]){REDIS_REPLY_STRING, REDIS_REPLY_STRING,
                                              REDIS_REPLY_STRING}) &&
        !strcmp(r->element[0]->str, "limited")) {
        long long ms = strtoll(r->element[1]->str, NULL, 10);
        dossiers_put_result res = {.outcome = DOSSIERS_LIMITED,
                                   .retry_after_s = ms <= 1000 ? 1 : (int)((ms + 999) / 1000)};
        c->put(0, &res, c->privdata);
        free(c);
        return;
    }
    if (store_reply_shape(r, 3, (const int[]){REDIS_REPLY_STRING, REDIS_REPLY_STRING,
                                              REDIS_REPLY_STRING}))
        rec = json_loadb(r->element[2]->str, r->element[2]->len, 0, NULL);
    const char *status = json_string_value(json_object_get(rec, "status"));
    if (!status) {
        c->put(-1, NULL, c->privdata);
    } else {
        const char *o = r->element[0]->str;
        dossiers_put_result res = {
            .outcome = !strcmp(o, "created")   ? DOSSIERS_CREATED
                       : !strcmp(o, "updated") ? DOSSIERS_UPDATED : DOSSIERS_UNCHANGED,
            .old_status = r->element[1]->str,
            .new_status = status,
            .applicant_phone = json_string_value(json_object_get(rec, "applicant_phone")),
            .rec = rec,
        };
        res.status_changed = res.outcome == DOSSIERS_UPDATED && strcmp(res.old_status, status);
        c->put(0, &res, c->privdata);
    }
    json_decref(rec);
    free(c);
}

static int dossiers_phone_ok(const char *p)
{
    size_t n = p ? strlen(p) : 0;
    return (n == 11 || n == 12) && !strncmp(p, "84", 2) && dossiers_digits(p, n);
}

static int dossiers_fee_ok(const dossier_fee *f)
{
    time_t t;
    return !f || (f->amount_vnd > 0 && f->description && f->bank_bin && f->account_number &&
                  f->account_name && f->reference &&
                  (!f->due_at || ids_parse_time(f->due_at, 0, 0, &t) == 0));
}

/* The fee as the JSON text the script stores ("" when none). */
static char *dossiers_fee_json(const dossier_fee *f)
{
    if (!f)
        return xstrdup("");
    json_t *o = json_pack("{s:I, s:s, s:{s:s, s:s, s:s}, s:s}", "amount_vnd",
                          (json_int_t)f->amount_vnd, "description", f->description, "account",
                          "bank_bin", f->bank_bin, "number", f->account_number, "name",
                          f->account_name, "reference", f->reference);
    if (o && f->due_at)
        json_object_set_new(o, "due_at", json_string(f->due_at));
    char *text = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    return text;
}

static int dossiers_input_ok(const dossier_input *in)
{
    time_t t;
    return in && dossiers_fee_ok(in->fee) && ids_dossier_code_valid(in->code) &&
           ids_procedure_code_valid(in->procedure_code) &&
           ids_dossier_status_valid(in->status) &&
           ids_parse_time(in->received_at, 0, 0, &t) == 0 &&
           (!in->due_at || ids_parse_time(in->due_at, 0, 0, &t) == 0) &&
           (!in->applicant_phone || dossiers_phone_ok(in->applicant_phone));
}

int dossiers_put(store *s, const dossier_input *in, dossiers_put_fn *fn, void *privdata)
{
    char agency[DOSSIERS_AGENCY_MAX], now[32];
    if (!s || !fn || !dossiers_input_ok(in) || ids_dossier_code_agency(in->code, agency) < 0)
        return -1;
    time_t t = time(NULL);
    struct tm tm;
    strftime(now, sizeof(now), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&t, &tm));
    char *key = dossiers_key(DOSSIERS_KEY, in->code);
    char *pkey = in->applicant_phone ? dossiers_key(DOSSIERS_PHONE_KEY, in->applicant_phone)
                                     : NULL;
    char *fee = dossiers_fee_json(in->fee);
    if (!fee) {                 /* a string jansson refused (not UTF-8) */
        free(key);
        free(pkey);
        return -1;
    }
    char flips[16];
    snprintf(flips, sizeof(flips), "%d", in->status_changes_per_hour);
    const char *args[] = {
        key, pkey ? pkey : key, in->code, agency, in->procedure_code, in->status,
        in->received_at, in->due_at ? in->due_at : "",
        in->applicant_phone ? in->applicant_phone : "", in->note ? in->note : "", now, fee,
        flips, "3600",
    };
    dossiers_call *c = dossiers_call_new(privdata);
    c->put = fn;
    int rc = dossiers_eval(s, &store_lua_dossiers_put, 2, 14, args, dossiers_on_put, c);
    free(key);
    free(pkey);
    free(fee);
    return rc;
}

/* A reply holding one record (string) -> get callback. */
static void dossiers_deliver(dossiers_call *c, const redisReply *raw)
{
    json_t *rec = json_loadb(raw->str, raw->len, 0, NULL);
    c->get(json_is_object(rec) ? 0 : -1, json_is_object(rec) ? rec : NULL, c->privdata);
    json_decref(rec);
}

static void dossiers_on_get(redisReply *r, void *privdata)
{
    dossiers_call *c = privdata;
    if (dossiers_is_str(r))
        dossiers_deliver(c, r);
    else
        c->get(r && r->type == REDIS_REPLY_NIL ? 1 : -1, NULL, c->privdata);
    free(c);
}

int dossiers_get(store *s, const char *code, dossiers_get_fn *fn, void *privdata)
{
    if (!s || !fn || !ids_dossier_code_valid(code))
        return -1;
    dossiers_call *c = dossiers_call_new(privdata);
    c->get = fn;
    if (store_command(s, dossiers_on_get, c, "GET " DOSSIERS_KEY "%b", code, strlen(code)) < 0) {
        free(c);
        return -1;
    }
    return 0;
}

static void dossiers_on_lookup(redisReply *r, void *privdata)
{
    dossiers_call *c = privdata;
    const char *what = r && r->type == REDIS_REPLY_ARRAY && r->elements >= 1 &&
                               dossiers_is_str(r->element[0]) ? r->element[0]->str : "";
    if (!strcmp(what, "found") && r->elements == 2 && dossiers_is_str(r->element[1]))
        dossiers_deliver(c, r->element[1]);
    else if (!strcmp(what, "missing"))
        c->get(1, NULL, c->privdata);
    else if (!strcmp(what, "limited"))
        c->get(2, NULL, c->privdata);
    else
        c->get(-1, NULL, c->privdata);
    free(c);
}

static int dossiers_channel_ok(const char *ch)
{
    size_t n = ch ? strlen(ch) : 0;
    if (n == 0 || n > 32)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((ch[i] >= 'a' && ch[i] <= 'z') || (ch[i] >= '0' && ch[i] <= '9') || ch[i] == '_' ||
              ch[i] == '-'))
            return 0;
    return 1;
}

int dossiers_lookup_miss(store *s, const char *code, const ratelimit_miss *miss,
                         const char *mark_member, dossiers_get_fn *fn, void *privdata)
{
    ratelimit_miss_argv ma;
    if (!s || !fn || !code || !miss || !dossiers_channel_ok(miss->channel) ||
        ratelimit_miss_argv_init(&ma, miss) < 0)
        return -1;
    char *key = dossiers_key(DOSSIERS_KEY, code);
    char *mark = NULL, ttl[16];
    if (mark_member && *mark_member) {
        size_t n = strlen(DOSSIERS_RATING_OK_KEY) + strlen(code) + strlen(mark_member) + 2;
        mark = xmalloc(n);
        snprintf(mark, n, "%s%s:%s", DOSSIERS_RATING_OK_KEY, code, mark_member);
    }
    snprintf(ttl, sizeof(ttl), "%d", DOSSIERS_RATING_OK_TTL_S);
    const char *args[] = {key, ma.argv[0], ma.argv[1], ma.argv[2], ma.argv[3], ma.argv[4],
                          mark ? mark : "", ttl};
    dossiers_call *c = dossiers_call_new(privdata);
    c->get = fn;
    int rc = dossiers_eval(s, &store_lua_dossiers_lookup, 1, 8, args, dossiers_on_lookup, c);
    free(key);
    free(mark);
    ratelimit_miss_argv_free(&ma);
    return rc;
}

int dossiers_lookup(store *s, const char *code, const char *channel, const char *user,
                    int limit, int window_s, dossiers_get_fn *fn, void *privdata)
{
    ratelimit_miss m = {.channel = channel, .user = user, .limit = limit, .window_s = window_s};
    return dossiers_lookup_miss(s, code, &m, NULL, fn, privdata);
}

/* Most recently updated first; then by code. */
static int dossiers_rec_cmp(const void *a, const void *b)
{
    const json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
    const char *ux = json_string_value(json_object_get(x, "updated_at"));
    const char *uy = json_string_value(json_object_get(y, "updated_at"));
    int d = strcmp(uy ? uy : "", ux ? ux : "");
    if (d)
        return d;
    const char *cx = json_string_value(json_object_get(x, "code"));
    const char *cy = json_string_value(json_object_get(y, "code"));
    return strcmp(cx ? cx : "", cy ? cy : "");
}

static void dossiers_on_list(redisReply *r, void *privdata)
{
    dossiers_call *c = privdata;
    if (!r || r->type != REDIS_REPLY_ARRAY) {
        c->list(-1, NULL, 0, c->privdata);
        free(c);
        return;
    }
    json_t **recs = xcalloc(r->elements + 1, sizeof(*recs));
    size_t n = 0;
    for (size_t i = 0; i < r->elements; i++) {
        json_t *rec = dossiers_is_str(r->element[i])
                          ? json_loadb(r->element[i]->str, r->element[i]->len, 0, NULL) : NULL;
        if (json_is_object(rec))
            recs[n++] = rec;
        else
            json_decref(rec);
    }
    qsort(recs, n, sizeof(*recs), dossiers_rec_cmp);
    c->list(0, recs, n, c->privdata);
    for (size_t i = 0; i < n; i++)
        json_decref(recs[i]);
    free(recs);
    free(c);
}

int dossiers_by_phone(store *s, const char *msisdn, dossiers_list_fn *fn, void *privdata)
{
    if (!s || !fn || !dossiers_phone_ok(msisdn))
        return -1;
    char *key = dossiers_key(DOSSIERS_PHONE_KEY, msisdn);
    const char *args[] = {key, "200"};
    dossiers_call *c = dossiers_call_new(privdata);
    c->list = fn;
    int rc = dossiers_eval(s, &store_lua_dossiers_list, 1, 2, args, dossiers_on_list, c);
    free(key);
    return rc;
}

/* --- payments --- */

static void dossiers_on_pay(redisReply *r, void *privdata)
{
    dossiers_call *c = privdata;
    const char *what = r && r->type == REDIS_REPLY_ARRAY && r->elements >= 1 &&
                               dossiers_is_str(r->element[0]) ? r->element[0]->str : "";
    dossiers_pay_result res = {0};
    if (!strcmp(what, "missing")) {
        res.outcome = DOSSIERS_PAY_MISSING;
    } else if (r && r->elements == 3 && dossiers_is_str(r->element[1]) &&
               dossiers_is_str(r->element[2])) {
        res.outcome = !strcmp(what, "recorded")    ? DOSSIERS_PAY_RECORDED
                      : !strcmp(what, "duplicate") ? DOSSIERS_PAY_DUPLICATE
                      : !strcmp(what, "conflict")  ? DOSSIERS_PAY_CONFLICT : 0;
        res.rec = json_loadb(r->element[1]->str, r->element[1]->len, 0, NULL);
        res.payment = json_loadb(r->element[2]->str, r->element[2]->len, 0, NULL);
        res.old_status = json_string_value(json_object_get(res.payment, "old_status"));
        res.new_status = json_string_value(json_object_get(res.payment, "status"));
    }
    if (res.outcome == DOSSIERS_PAY_MISSING ||
        (res.outcome && json_is_object(res.rec) && json_is_object(res.payment)))
        c->pay(0, &res, c->privdata);
    else
        c->pay(-1, NULL, c->privdata);
    json_decref(res.rec);
    json_decref(res.payment);
    free(c);
}

static int dossiers_payment_ok(const dossier_payment *in)
{
    time_t t;
    return in && ids_dossier_code_valid(in->code) && in->transaction_id &&
           *in->transaction_id && in->paid_at && ids_parse_time(in->paid_at, 0, 0, &t) == 0 &&
           in->amount_vnd > 0 && (!in->status || ids_dossier_status_valid(in->status)) &&
           in->sms_text && in->notice_text;
}

int dossiers_pay(store *s, const dossier_payment *in, dossiers_pay_fn *fn, void *privdata)
{
    if (!s || !fn || !dossiers_payment_ok(in))
        return -1;
    char now[32], amount[24];
    time_t t = time(NULL);
    struct tm tm;
    strftime(now, sizeof(now), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&t, &tm));
    snprintf(amount, sizeof amount, "%lld", in->amount_vnd);
    char *key = dossiers_key(DOSSIERS_KEY, in->code);
    char *pk = dossiers_key(key, DOSSIERS_PAY_SUFFIX);
    const char *args[] = {
        key, pk, in->code, in->transaction_id, amount, in->paid_at,
        in->status ? in->status : "", in->note ? in->note : "", now, in->sms_text,
        in->notice_text,
    };
    dossiers_call *c = dossiers_call_new(privdata);
    c->pay = fn;
    int rc = dossiers_eval(s, &store_lua_dossiers_pay, 2, 11, args, dossiers_on_pay, c);
    free(key);
    free(pk);
    return rc;
}
