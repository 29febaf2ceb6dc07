/* ep_dossiers.c -- agency API: PUT/GET /api/v1/dossiers/{code} and
 * POST /api/v1/dossiers/{code}/payment.
 *
 * Order of checks: method (405), code in the path (400 invalid_code), body
 * size (413) and media type (415), then the key (401/503), the key's agency
 * against the code's prefix (403), the body's fields (400), and finally the
 * store (GET: 404 when unknown; PUT: 201 created, 200 updated/unchanged;
 * POST payment: 201 recorded, 200 duplicate (same transaction_id and
 * amount), 409 payment_conflict (same id, another amount), 404; 503 when
 * Redis fails). The path and the body are parsed by the agency
 * codec (channels/agency.c); this file authenticates, stores and answers.
 * The request waits on Redis through an ep_call that holds an http_pending,
 * never the wsi (bot/http.h): every step checks that the client is still
 * there before going on. docs/api.md documents it. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <jansson.h>

#include "bot/http/auth.h"
#include "bot/http/endpoints.h"
#include "bot/http/http.h"
#include "bot/http/limit.h"
#include "channels/agency.h"
#include "channels/sms.h"
#include "channels/vietqr.h"
#include "store/dossiers.h"
#include "store/subscriptions.h"
#include "common/buf.h"
#include "common/xmalloc.h"

typedef struct ep_call {
    http_pending *p;
    store *store;
    int tz;                         /* domain.tz_offset_min */
    int method;
    char code[DOSSIERS_CODE_MAX];
    char agency[DOSSIERS_AGENCY_MAX];
    agency_dossier put;             /* PUT: the parsed body (owns the strings of in) */
    dossier_input in;
    dossier_fee fee;                /* PUT: in.fee points here when the body has one */
    int is_pay;                     /* POST .../payment */
    agency_payment pay;             /* POST: the parsed body */
    const char *errkey;             /* PUT: body error found at completion */
    const messages *msgs;
    long long fee_max;              /* domain.fee_max_vnd */
    int batch;                      /* limits.fanout_batch */
    char *resp;                     /* PUT: the answer, while notifications are queued */
    int resp_status;
} ep_call;

/* Free the call; returns the wsi if the client is still there. */
static struct lws *ep_call_done(ep_call *c, http_req **hr)
{
    struct lws *wsi = http_pending_done(c->p, hr);
    agency_dossier_clear(&c->put);
    agency_payment_clear(&c->pay);
    free(c->resp);
    free(c);
    return wsi;
}

/* The code of the request URI (at body completion, `in` is gone). */
static int ep_code_of_uri(struct lws *wsi, int method, char code[DOSSIERS_CODE_MAX])
{
    char uri[128];
    int pay = method == HTTP_POST;
    if (lws_hdr_copy(wsi, uri, sizeof(uri), pay ? WSI_TOKEN_POST_URI : WSI_TOKEN_PUT_URI) <= 0)
        return -1;
    return pay ? agency_payment_path(uri, code) : agency_dossier_path(uri, code);
}

/* --- the answer --- */

static json_t *ep_opt(const json_t *rec, const char *field)
{
    json_t *v = json_object_get(rec, field);
    return v ? json_incref(v) : json_null();
}

/* The public form of a record: fixed field order, nulls for absent fields,
 * overdue computed now. */
static json_t *ep_render(const json_t *rec, int tz, const char *result)
{
    static const char *const fields[] = {"code", "agency", "procedure_code", "status",
                                         "received_at", "due_at", "applicant_phone", "note"};
    json_t *o = json_object();
    if (result)
        json_object_set_new(o, "result", json_string(result));
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
        json_object_set_new(o, fields[i], ep_opt(rec, fields[i]));
    json_object_set_new(o, "overdue", json_boolean(dossiers_overdue(rec, time(NULL), tz)));
    json_object_set_new(o, "fee", ep_opt(rec, "fee"));
    json_object_set_new(o, "last_payment", ep_opt(rec, "last_payment"));
    json_object_set_new(o, "created_at", ep_opt(rec, "created_at"));
    json_object_set_new(o, "updated_at", ep_opt(rec, "updated_at"));
    json_t *hist = json_array(), *src = json_object_get(rec, "history");
    size_t i;
    json_t *h;
    json_array_foreach(src, i, h) {
        json_t *e = json_object();
        json_object_set_new(e, "status", ep_opt(h, "status"));
        json_object_set_new(e, "at", ep_opt(h, "at"));
        json_object_set_new(e, "note", ep_opt(h, "note"));
        json_array_append_new(hist, e);
    }
    json_object_set_new(o, "history", hist);
    return o;
}

static void ep_respond_json(struct lws *wsi, http_req *hr, int status, json_t *o)
{
    char *body = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    http_respond_take(wsi, hr, status, "application/json", body, strlen(body));
}

/* --- the store's answers --- */

static void ep_got(int status, json_t *rec, void *privdata)
{
    ep_call *c = privdata;
    int tz = c->tz;
    http_req *hr;
    struct lws *wsi = ep_call_done(c, &hr);
    if (!wsi)
        return;
    if (status == 0)
        ep_respond_json(wsi, hr, 200, ep_render(rec, tz, NULL));
    else if (status == 1)
        http_error(wsi, hr, 404, "dossier_not_found");
    else
        http_error(wsi, hr, 503, "unavailable");
}

/* The latest status change in the history of rec: its event id ("{at}:
 * {old}>{new}"), old status ("" for the first entry) and new status. The
 * same record always gives the same event, so a replayed PUT re-sends the
 * notification of its change and the outbox's dedupe drops the copy. */
static int ep_last_change(const json_t *rec, char *event, size_t cap, const char **old,
                          const char **neu)
{
    json_t *hist = json_object_get(rec, "history"), *h;
    const char *prev = "", *at = NULL;
    size_t i;
    *old = *neu = NULL;
    json_array_foreach(hist, i, h) {
        const char *st = json_string_value(json_object_get(h, "status"));
        if (st && strcmp(st, prev)) {
            *old = prev;
            *neu = st;
            at = json_string_value(json_object_get(h, "at"));
        }
        prev = st ? st : prev;
    }
    if (!*neu)
        return -1;
    snprintf(event, cap, "%s:%s>%s", at ? at : "", *old, *neu);
    return 0;
}

static void ep_notified(int status, long long queued, void *privdata)
{
    ep_call *c = privdata;
    (void)queued;
    int code = c->resp_status;
    char *body = c->resp;
    c->resp = NULL;
    http_req *hr;
    struct lws *wsi = ep_call_done(c, &hr);
    if (wsi && status == 0)
        http_respond_take(wsi, hr, code, "application/json", body, strlen(body));
    else if (wsi)
        http_error(wsi, hr, 503, "unavailable");
    if (!wsi || status != 0)
        free(body);
}

/* Queue the notifications of the record's latest status change (texts of
 * messages "notify.dossier.{status}": folded to GSM-7 for SMS, accented for
 * chat notices). 0 if ep_notified will run, -1 if Redis is down. */
static int ep_notify(ep_call *c, const json_t *rec)
{
    char event[96], key[64];
    const char *old, *neu;
    if (ep_last_change(rec, event, sizeof(event), &old, &neu) < 0)
        return -1;
    snprintf(key, sizeof(key), "notify.dossier.%s", neu);
    buf b = {0};
    messages_format(c->msgs, key, "vi", &b, "code", c->code, NULL);
    size_t n;
    char *sms = sms_gsm_fold(b.data ? b.data : "", b.len, &n);
    const char *phone = json_string_value(json_object_get(rec, "applicant_phone"));
    dossier_change ch = {.code = c->code, .old_status = old, .new_status = neu,
                         .applicant_phone = phone ? phone : "", .event_id = event,
                         .sms_text = sms, .notice_text = b.data ? b.data : "",
                         .batch = c->batch};
    int rc = subs_notify_dossier_changed(c->store, &ch, ep_notified, c);
    free(sms);
    buf_free(&b);
    return rc;
}

static void ep_put_done(int status, const dossiers_put_result *res, void *privdata)
{
    ep_call *c = privdata;
    http_req *hr;
    struct lws *wsi;
    if (status < 0 || res->outcome == DOSSIERS_LIMITED) {
        if ((wsi = ep_call_done(c, &hr))) {
            if (status < 0)
                http_error(wsi, hr, 503, "unavailable");
            else
                http_limit_refuse(wsi, hr, res->retry_after_s);
        }
        return;
    }
    static const char *const names[] = {"", "created", "updated", "unchanged"};
    json_t *o = ep_render(res->rec, c->tz, names[res->outcome]);
    c->resp = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    c->resp_status = res->outcome == DOSSIERS_CREATED ? 201 : 200;
    /* a note-only update has no status change to tell anyone about */
    int tell = res->outcome != DOSSIERS_UPDATED || res->status_changed;
    if (tell && ep_notify(c, res->rec) == 0)
        return;
    if (!tell)
        ep_notified(0, 0, c);
    else
        ep_notified(-1, 0, c);
}

/* --- payments --- */

/* The payment's notification (messages "notify.payment.received", or
 * ".received_status" when it moved the dossier to status) into b. */
static void ep_pay_text(const ep_call *c, const char *status, buf *b)
{
    char amount[32], date[11] = "?", key[96];
    vietqr_format_vnd(c->pay.amount_vnd, amount);
    dossiers_format_date(c->pay.paid_at, c->tz, date);
    snprintf(key, sizeof key, "dossier_status.status.%s", status ? status : "");
    messages_format(c->msgs, status ? "notify.payment.received_status" : "notify.payment.received",
                    "vi", b, "code", c->code, "amount", amount, "date", date, "status",
                    status ? messages_get(c->msgs, key, "vi") : "", NULL);
}

/* A payment that moved the dossier: notify that change (event
 * "payment:{tx}", the payment's text). 0 if ep_notified will run. */
static int ep_pay_notify(ep_call *c, const dossiers_pay_result *res)
{
    char event[96];
    buf b = {0};
    ep_pay_text(c, res->new_status, &b);
    size_t n;
    char *sms = sms_gsm_fold(b.data ? b.data : "", b.len, &n);
    const char *phone = json_string_value(json_object_get(res->rec, "applicant_phone"));
    snprintf(event, sizeof event, "payment:%s", c->pay.transaction_id);
    dossier_change ch = {.code = c->code, .old_status = res->old_status,
                         .new_status = res->new_status, .applicant_phone = phone ? phone : "",
                         .event_id = event, .sms_text = sms, .notice_text = b.data ? b.data : "",
                         .batch = c->batch};
    int rc = subs_notify_dossier_changed(c->store, &ch, ep_notified, c);
    free(sms);
    buf_free(&b);
    return rc;
}

static void ep_pay_done(int status, const dossiers_pay_result *res, void *privdata)
{
    ep_call *c = privdata;
    http_req *hr;
    struct lws *wsi;
    if (status < 0 || res->outcome == DOSSIERS_PAY_MISSING ||
        res->outcome == DOSSIERS_PAY_CONFLICT) {
        if ((wsi = ep_call_done(c, &hr)))
            http_error(wsi, hr, status < 0 ? 503 : res->outcome == DOSSIERS_PAY_MISSING ? 404 : 409,
                       status < 0 ? "unavailable" : res->outcome == DOSSIERS_PAY_MISSING
                                                        ? "dossier_not_found" : "payment_conflict");
        return;
    }
    int recorded = res->outcome == DOSSIERS_PAY_RECORDED;
    json_t *o = json_object();
    json_object_set_new(o, "result", json_string(recorded ? "recorded" : "duplicate"));
    json_object_set(o, "payment", res->payment);
    json_object_set_new(o, "dossier", ep_render(res->rec, c->tz, NULL));
    c->resp = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    c->resp_status = recorded ? 201 : 200;
    /* unchanged status: the script queued the notification itself */
    if (!res->new_status)
        ep_notified(0, 0, c);
    else if (ep_pay_notify(c, res) < 0)
        ep_notified(-1, 0, c);
}

/* Record the payment of c->pay (authenticated). */
static int ep_pay_store(ep_call *c)
{
    buf b = {0};
    ep_pay_text(c, NULL, &b);
    size_t n;
    char *sms = sms_gsm_fold(b.data ? b.data : "", b.len, &n);
    dossier_payment in = {.code = c->code, .transaction_id = c->pay.transaction_id,
                          .paid_at = c->pay.paid_at, .amount_vnd = c->pay.amount_vnd,
                          .status = c->pay.status, .note = c->pay.note, .sms_text = sms,
                          .notice_text = b.data ? b.data : ""};
    int rc = dossiers_pay(c->store, &in, ep_pay_done, c);
    free(sms);
    buf_free(&b);
    return rc;
}

/* --- the PUT body --- */

/* Parse the body into c->put and c->in; NULL, or the error key. */
static const char *ep_parse_body(ep_call *c, http_req *hr)
{
    const char *err;
    if (agency_dossier_parse(&c->put, hr->body.data, hr->body.len, c->tz, c->fee_max, &err) < 0)
        return err;
    const agency_fee *f = &c->put.fee;
    c->fee = (dossier_fee){.amount_vnd = f->amount_vnd, .description = f->description,
                           .bank_bin = f->bank_bin, .account_number = f->account_number,
                           .account_name = f->account_name, .reference = f->reference,
                           .due_at = f->due_at};
    c->in = (dossier_input){.code = c->code, .procedure_code = c->put.procedure_code,
                            .status = c->put.status, .received_at = c->put.received_at,
                            .due_at = c->put.due_at, .applicant_phone = c->put.applicant_phone,
                            .note = c->put.note, .fee = c->put.has_fee ? &c->fee : NULL};
    return NULL;
}

/* --- the steps --- */

/* The error of an authenticated step, or NULL to go on; *code its status. */
static const char *ep_auth_error(int status, const char *agency, const ep_call *c, int *code)
{
    *code = status;
    if (status == 401)
        return "unauthorized";
    if (status != 0)
        return "unavailable";
    *code = 403;
    if (strcmp(agency, c->agency) != 0)
        return "forbidden";
    *code = 400;
    return c->errkey;
}

static void ep_authed(int status, const char *agency, void *privdata)
{
    ep_call *c = privdata;
    http_req *hr;
    struct lws *wsi;
    int code;
    const char *err = ep_auth_error(status, agency, c, &code);
    if (err || !c->p->wsi) {
        if ((wsi = ep_call_done(c, &hr)))
            http_error(wsi, hr, code, err);
        return;
    }
    int rc = c->is_pay ? ep_pay_store(c)
             : c->method == HTTP_GET ? dossiers_get(c->store, c->code, ep_got, c)
                                     : dossiers_put(c->store, &c->in, ep_put_done, c);
    if (rc < 0 && (wsi = ep_call_done(c, &hr)))
        http_error(wsi, hr, 503, "unavailable");
}

/* Start the asynchronous part (key, then store). */
static void ep_start(struct lws *wsi, http_req *hr, ep_call *c)
{
    const app *ap = http_app(wsi);
    c->store = ap->store;
    c->tz = ap->cfg->domain.tz_offset_min;
    c->fee_max = ap->cfg->domain.fee_max_vnd;
    c->batch = ap->cfg->limits.fanout_batch;
    c->in.status_changes_per_hour = ap->cfg->limits.status_changes_per_hour;
    c->msgs = ap->msgs;
    c->method = hr->method;
    if (ids_dossier_code_agency(c->code, c->agency) < 0)
        c->agency[0] = '\0';
    c->p = http_pending_new(wsi, hr);
    auth_agency(wsi, c->store, ep_authed, c);
}

/* PUT or POST body complete: 413/415/400 at once, else authenticate and store. */
static void ep_body_complete(struct lws *wsi, http_req *hr)
{
    if (http_json_body_check(wsi, hr) < 0)
        return;
    ep_call *c = xcalloc(1, sizeof(*c));
    if (ep_code_of_uri(wsi, hr->method, c->code) < 0) {
        free(c);
        http_error(wsi, hr, 400, "invalid_code");
        return;
    }
    const config *cfg = http_app(wsi)->cfg;
    c->tz = cfg->domain.tz_offset_min;
    c->fee_max = cfg->domain.fee_max_vnd;
    c->is_pay = hr->method == HTTP_POST;
    if (c->is_pay)
        agency_payment_parse(&c->pay, hr->body.data, hr->body.len, c->tz, c->fee_max,
                             &c->errkey);
    else
        c->errkey = ep_parse_body(c, hr);
    ep_start(wsi, hr, c);
}

static void ep_not_allowed(struct lws *wsi, http_req *hr, const char *allow)
{
    hr->allow = allow;
    hr->close_after = (hr->method & (HTTP_POST | HTTP_PUT)) && http_has_body(wsi);
    http_error(wsi, hr, 405, "method_not_allowed");
}

static void ep_request(struct lws *wsi, http_req *hr, const char *in)
{
    char code[DOSSIERS_CODE_MAX], full[160];
    /* lws 4.1 hands GET/PUT the whole URI, POST the part after the mount */
    const char *rest = in;
    if (in && strncmp(in, AGENCY_DOSSIERS_MOUNT, strlen(AGENCY_DOSSIERS_MOUNT))) {
        snprintf(full, sizeof full, "%s%s", AGENCY_DOSSIERS_MOUNT, in);
        rest = full;
    }
    if (agency_payment_path(rest, code) == 0) {
        if (hr->method != HTTP_POST)
            ep_not_allowed(wsi, hr, "POST");
        else if (!http_has_body(wsi))
            ep_body_complete(wsi, hr);
        return;
    }
    if (agency_dossier_path(rest, code) < 0) {
        hr->close_after = (hr->method & (HTTP_POST | HTTP_PUT)) && http_has_body(wsi);
        if (agency_dossier_path_empty(rest))
            http_error(wsi, hr, 404, "not_found");
        else
            http_error(wsi, hr, 400, "invalid_code");
        return;
    }
    if (hr->method == HTTP_POST) {
        ep_not_allowed(wsi, hr, "GET, PUT");
        return;
    }
    if (hr->method == HTTP_PUT && !http_has_body(wsi)) {
        ep_body_complete(wsi, hr);
        return;
    }
    if (hr->method == HTTP_GET) {
        ep_call *c = xcalloc(1, sizeof(*c));
        strcpy(c->code, code);
        ep_start(wsi, hr, c);
    }
}

const http_endpoint ep_dossiers_endpoint = {
    .route = ROUTE_DOSSIERS, .methods = HTTP_GET | HTTP_PUT | HTTP_POST,
    .on_request = ep_request, .on_body = ep_body_complete,
};
