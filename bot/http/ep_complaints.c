/* ep_complaints.c -- agency API: complaints (PAKN) and stats.
 *
 *   GET  /api/v1/complaints?status=open|answered&limit=N   the key's agency's complaints
 *   POST /api/v1/complaints/{code}/answer  {"text": "..."} answer one, notify the citizen
 *   GET  /api/v1/stats                                      counters (docs/api.md)
 *
 * Order of checks: path (404) and method (405), query (400), body size (413)
 * and media type (415), then the key (401/503), the body (400), and the
 * store: 404 unknown complaint, 403 another agency's, 409 already answered
 * with another text, 200 answered (or the same answer replayed: nothing is
 * done again, nobody is notified twice), 503 when Redis fails. A request
 * waits on Redis through an ep_cx holding an http_pending, never the wsi
 * (bot/http.h). Paths, the query and the answer body are parsed by the
 * agency codec (channels/agency.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <jansson.h>

#include "bot/http/auth.h"
#include "bot/http/endpoints.h"
#include "bot/http/http.h"
#include "channels/agency.h"
#include "channels/errors.h"
#include "store/complaints.h"
#include "store/ratings.h"
#include "common/buf.h"
#include "common/xmalloc.h"

#define EP_MOUNT "/api/v1/complaints"
#define EP_STATS_MOUNT "/api/v1/stats"

enum { EP_LIST = AGENCY_ROUTE_LIST, EP_ANSWER = AGENCY_ROUTE_ANSWER, EP_STATS };

typedef struct ep_cx {
    http_pending *p;
    const app *app;
    int op;
    char code[COMPLAINT_CODE_MAX];
    char status[16];
    size_t limit;
    agency_answer ans;      /* EP_ANSWER: the parsed body, the answer's text */
    const char *errkey;     /* EP_ANSWER: body error, reported after the key */
    char agency[64];        /* the key's agency */
} ep_cx;

static struct lws *ep_cx_done(ep_cx *c, http_req **hr)
{
    struct lws *wsi = http_pending_done(c->p, hr);
    agency_answer_clear(&c->ans);
    free(c);
    return wsi;
}

/* An error whose message is a complaint-specific key: {"error": code, ...}. */
static void ep_error_msg(struct lws *wsi, http_req *hr, int status, const char *code,
                         const char *key)
{
    size_t len;
    char *body = error_render(code, messages_get(http_app(wsi)->msgs, key, "vi"),
                              &len);
    hr->error = code;
    http_respond_take(wsi, hr, status, "application/json", body, len);
}

static void ep_json(struct lws *wsi, http_req *hr, int status, json_t *o)
{
    char *body = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    http_respond_take(wsi, hr, status, "application/json", body, strlen(body));
}

static json_t *ep_str_or_null(const char *s)
{
    return s && *s ? json_string(s) : json_null();
}

/* The agency's view of a complaint (its contact included: it must answer). */
static json_t *ep_complaint_json(const complaint *c, const char *outcome)
{
    json_t *o = json_object();
    if (outcome)
        json_object_set_new(o, "result", json_string(outcome));
    json_object_set_new(o, "code", json_string(c->code));
    json_object_set_new(o, "status", json_string(c->status));
    json_object_set_new(o, "agency", json_string(c->agency));
    json_object_set_new(o, "channel", json_string(c->channel));
    json_object_set_new(o, "topic", ep_str_or_null(c->topic));
    json_object_set_new(o, "text", json_string(c->text));
    json_object_set_new(o, "dossier_code", ep_str_or_null(c->dossier_code));
    json_object_set_new(o, "contact", ep_str_or_null(c->contact));
    json_object_set_new(o, "created_at", json_string(c->created_at));
    json_object_set_new(o, "answer", ep_str_or_null(c->answer));
    json_object_set_new(o, "answered_at", ep_str_or_null(c->answered_at));
    return o;
}

/* ---- the store's answers ---- */

static void ep_listed(int status, complaint *const *list, size_t n, void *privdata)
{
    http_req *hr;
    struct lws *wsi = ep_cx_done(privdata, &hr);
    if (!wsi)
        return;
    if (status < 0) {
        http_error(wsi, hr, 503, "unavailable");
        return;
    }
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, ep_complaint_json(list[i], NULL));
    ep_json(wsi, hr, 200, a);
}

static void ep_answered(complaints_answer_status st, const complaint *c, void *privdata)
{
    http_req *hr;
    struct lws *wsi = ep_cx_done(privdata, &hr);
    if (!wsi)
        return;
    if ((st == COMPLAINT_ANSWER_OK || st == COMPLAINT_ANSWER_REPLAY) && c)
        ep_json(wsi, hr, 200, ep_complaint_json(c, st == COMPLAINT_ANSWER_OK ? "answered"
                                                                            : "unchanged"));
    else if (st == COMPLAINT_ANSWER_NOT_FOUND)
        ep_error_msg(wsi, hr, 404, "not_found", "errors.complaint_not_found");
    else if (st == COMPLAINT_ANSWER_FORBIDDEN)
        ep_error_msg(wsi, hr, 403, "forbidden", "errors.complaint_forbidden");
    else if (st == COMPLAINT_ANSWER_CONFLICT)
        ep_error_msg(wsi, hr, 409, "conflict", "errors.complaint_conflict");
    else
        http_error(wsi, hr, 503, "unavailable");
}

/* Render the citizen's notifications and run the answer script. */
static int ep_answer(ep_cx *c)
{
    const messages *msgs = c->app->msgs;
    const config *cfg = c->app->cfg;
    buf sms = {0}, notice = {0};
    messages_format(msgs, "notify.complaint_answered", "vi", &sms, "code", c->code, NULL);
    messages_format(msgs, "notify.complaint_answered_chat", "vi", &notice, "code", c->code,
                    "answer", c->ans.text, NULL);
    complaint_answer a = {.code = c->code, .agency = c->agency, .text = c->ans.text,
                          .sms_text = sms.data ? sms.data : "",
                          .notice_text = notice.data ? notice.data : "", .now = time(NULL),
                          .tz_offset_min = cfg->domain.tz_offset_min};
    int rc = complaints_answer(c->app->store, &a, ep_answered, c);
    buf_free(&sms);
    buf_free(&notice);
    return rc;
}

static void ep_stats_render(ep_cx *c, const redisReply *cpl, const redisReply *rat,
                            const redisReply *dos, json_t *out);

static void ep_stats_read(int status, const redisReply *cpl, const redisReply *rat,
                          const redisReply *dos, void *privdata)
{
    ep_cx *c = privdata;
    json_t *o = NULL;
    if (status == 0 && c->p->wsi) {
        o = json_object();
        ep_stats_render(c, cpl, rat, dos, o);
    }
    http_req *hr;
    struct lws *wsi = ep_cx_done(c, &hr);
    if (wsi && o)
        ep_json(wsi, hr, 200, o);
    else if (wsi)
        http_error(wsi, hr, 503, "unavailable");
    else
        json_decref(o);
}

/* ---- after the key ---- */

static void ep_authed(int status, const char *agency, void *privdata)
{
    ep_cx *c = privdata;
    http_req *hr;
    struct lws *wsi;
    if (status != 0 || !c->p->wsi || (c->op == EP_ANSWER && c->errkey)) {
        const char *errkey = c->errkey; /* static strings: outlive c */
        if ((wsi = ep_cx_done(c, &hr)) == NULL)
            return;
        if (status == 401)
            http_error(wsi, hr, 401, "unauthorized");
        else if (status != 0)
            http_error(wsi, hr, 503, "unavailable");
        else
            http_error(wsi, hr, 400, errkey);
        return;
    }
    snprintf(c->agency, sizeof(c->agency), "%s", agency);
    store *s = c->app->store;
    int rc;
    if (c->op == EP_LIST)
        rc = complaints_list_agency(s, c->agency, c->status, c->limit, ep_listed, c);
    else if (c->op == EP_ANSWER)
        rc = ep_answer(c);
    else
        rc = ratings_stats(s, ep_stats_read, c);
    if (rc < 0 && (wsi = ep_cx_done(c, &hr)))
        http_error(wsi, hr, 503, "unavailable");
}

static void ep_start(struct lws *wsi, http_req *hr, ep_cx *c)
{
    c->app = http_app(wsi);
    c->p = http_pending_new(wsi, hr);
    auth_agency(wsi, c->app->store, ep_authed, c);
}

/* ---- the request ---- */

/* The path after the mount point: lws 4.1 hands the callback the whole URI. */
static const char *ep_rest(const char *in, const char *mount)
{
    size_t m = strlen(mount);
    return in && !strncmp(in, mount, m) ? in + m : in;
}

static int ep_route_uri(struct lws *wsi, char code[COMPLAINT_CODE_MAX])
{
    char uri[160];
    size_t m = strlen(EP_MOUNT);
    if (lws_hdr_copy(wsi, uri, sizeof(uri), WSI_TOKEN_POST_URI) <= 0 || strncmp(uri, EP_MOUNT, m))
        return 0;
    return agency_complaint_route(uri + m, code);
}

static void ep_method_not_allowed(struct lws *wsi, http_req *hr, const char *allow)
{
    hr->allow = allow;
    hr->close_after = hr->method & (HTTP_POST | HTTP_PUT | HTTP_PATCH);
    http_error(wsi, hr, 405, "method_not_allowed");
}

/* GET /api/v1/complaints: query, then the key. */
static void ep_list_request(struct lws *wsi, http_req *hr)
{
    char v[32], w[32];
    const char *st = lws_get_urlarg_by_name(wsi, "status=", v, sizeof(v));
    const char *lim = lws_get_urlarg_by_name(wsi, "limit=", w, sizeof(w));
    ep_cx *c = xcalloc(1, sizeof(*c));
    const char *err;
    c->op = EP_LIST;
    if (agency_list_query(st, lim, c->status, &c->limit, &err) < 0) {
        free(c);
        if (!strcmp(err, "invalid_status"))
            ep_error_msg(wsi, hr, 400, err, "errors.complaint_invalid_status");
        else
            http_error(wsi, hr, 400, err);
        return;
    }
    ep_start(wsi, hr, c);
}

/* POST body complete: 413/415 at once, else the key, then the rest. */
static void ep_answer_complete(struct lws *wsi, http_req *hr)
{
    if (http_json_body_check(wsi, hr) < 0)
        return;
    ep_cx *c = xcalloc(1, sizeof(*c));
    c->op = EP_ANSWER;
    if (ep_route_uri(wsi, c->code) != EP_ANSWER || !agency_complaint_code_ok(c->code)) {
        free(c);
        ep_error_msg(wsi, hr, 404, "not_found", "errors.complaint_not_found");
        return;
    }
    int max = http_app(wsi)->cfg->domain.complaint_max_text;
    agency_answer_parse(&c->ans, hr->body.data, hr->body.len, max, &c->errkey);
    ep_start(wsi, hr, c);
}

static void ep_complaints_request(struct lws *wsi, http_req *hr, const char *in)
{
    char code[COMPLAINT_CODE_MAX];
    const char *rest = ep_rest(in, EP_MOUNT);
    int op = agency_complaint_route(rest, code);
    if (!op) {
        hr->close_after = hr->method == HTTP_POST && http_has_body(wsi);
        http_error(wsi, hr, 404, "not_found");
    } else if (op == EP_LIST && hr->method != HTTP_GET) {
        ep_method_not_allowed(wsi, hr, "GET");
    } else if (op == EP_ANSWER && hr->method != HTTP_POST) {
        ep_method_not_allowed(wsi, hr, "POST");
    } else if (op == EP_LIST) {
        ep_list_request(wsi, hr);
    } else if (!http_has_body(wsi)) {
        ep_answer_complete(wsi, hr); /* no BODY_COMPLETION will come */
    }
}

static void ep_stats_request(struct lws *wsi, http_req *hr, const char *in)
{
    const char *rest = ep_rest(in, EP_STATS_MOUNT);
    if (rest && *rest && strcmp(rest, "/")) {
        http_error(wsi, hr, 404, "not_found");
        return;
    }
    ep_cx *c = xcalloc(1, sizeof(*c));
    c->op = EP_STATS;
    ep_start(wsi, hr, c);
}

const http_endpoint ep_complaints_endpoint = {
    .route = ROUTE_COMPLAINTS, .methods = HTTP_GET | HTTP_POST,
    .on_request = ep_complaints_request, .on_body = ep_answer_complete,
};
const http_endpoint ep_stats_endpoint = {
    .route = ROUTE_STATS, .methods = HTTP_GET, .on_request = ep_stats_request,
};

/* ---- GET /api/v1/stats ---- */

/* Add v to o[name][field] (creating the inner object). */
static void ep_stats_add(json_t *o, const char *name, const char *field, json_int_t v)
{
    json_t *in = json_object_get(o, name);
    if (!in) {
        in = json_object();
        json_object_set_new(o, name, in);
    }
    json_t *cur = json_object_get(in, field);
    json_object_set_new(in, field, json_integer((cur ? json_integer_value(cur) : 0) + v));
}

/* count + sum -> {count, mean} for each member of o. */
static void ep_stats_means(json_t *o)
{
    const char *k;
    json_t *v;
    json_object_foreach(o, k, v) {
        json_int_t n = json_integer_value(json_object_get(v, "count"));
        json_int_t s = json_integer_value(json_object_get(v, "sum"));
        json_object_set_new(v, "count", json_integer(n));
        json_object_set_new(v, "mean", n > 0 ? json_real((double)s / (double)n) : json_null());
        json_object_del(v, "sum");
    }
}

/* "a:b:...:last" -> the part before the last ':' (copied into head) and last. */
static const char *ep_split_last(const char *f, char *head, size_t n)
{
    const char *colon = strrchr(f, ':');
    if (!colon || (size_t)(colon - f) >= n)
        return NULL;
    memcpy(head, f, (size_t)(colon - f));
    head[colon - f] = '\0';
    return colon + 1;
}

/* Whether the counter of agency ag is in the key's scope. */
static int ep_in_scope(const ep_cx *c, const char *ag, size_t n)
{
    const char *portal = c->app->cfg->domain.complaint_agency;
    if (portal && !strcmp(c->agency, portal))
        return 1;
    return strlen(c->agency) == n && !strncmp(ag, c->agency, n);
}

static void ep_stats_complaints(const ep_cx *c, const redisReply *r, json_t *out)
{
    json_int_t recv = 0, ans = 0;
    for (size_t i = 0; r && i + 1 < r->elements; i += 2) {
        char head[128];
        const char *what = ep_split_last(r->element[i]->str, head, sizeof(head));
        if (!what || !ep_in_scope(c, head, strlen(head)))
            continue;
        json_int_t v = strtoll(r->element[i + 1]->str, NULL, 10);
        if (!strcmp(what, "received"))
            recv += v;
        else if (!strcmp(what, "answered"))
            ans += v;
    }
    json_t *o = json_object();
    json_object_set_new(o, "received", json_integer(recv));
    json_object_set_new(o, "answered", json_integer(ans));
    json_object_set_new(o, "open", json_integer(recv - ans));
    json_object_set_new(out, "complaints", o);
}

/* Fields agency:{e}:count|sum and procedure:{e}:{p}:count|sum. */
static void ep_stats_ratings(const ep_cx *c, const redisReply *r, json_t *out)
{
    json_t *by_ag = json_object(), *by_proc = json_object(), *all = json_object();
    for (size_t i = 0; r && i + 1 < r->elements; i += 2) {
        char head[160];
        const char *what = ep_split_last(r->element[i]->str, head, sizeof(head));
        if (!what || (strcmp(what, "count") && strcmp(what, "sum")))
            continue;
        int proc = !strncmp(head, "procedure:", 10);
        if (!proc && strncmp(head, "agency:", 7))
            continue;
        const char *ag = head + (proc ? 10 : 7), *sep = proc ? strchr(ag, ':') : NULL;
        if ((proc && !sep) || !ep_in_scope(c, ag, proc ? (size_t)(sep - ag) : strlen(ag)))
            continue;
        json_int_t v = strtoll(r->element[i + 1]->str, NULL, 10);
        ep_stats_add(proc ? by_proc : by_ag, proc ? sep + 1 : ag, what, v);
        if (!proc)
            ep_stats_add(all, "all", what, v);
    }
    ep_stats_means(by_ag);
    ep_stats_means(by_proc);
    ep_stats_means(all);
    json_t *o = json_object_get(all, "all");
    o = o ? json_incref(o) : json_pack("{s:i,s:n}", "count", 0, "mean");
    json_object_set_new(o, "by_agency", by_ag);
    json_object_set_new(o, "by_procedure", by_proc);
    json_object_set_new(out, "ratings", o);
    json_decref(all);
}

/* Fields {e-id}:{status} (maintained with the dossiers). */
static void ep_stats_dossiers(const ep_cx *c, const redisReply *r, json_t *out)
{
    json_t *by = json_object();
    json_int_t total = 0;
    for (size_t i = 0; r && i + 1 < r->elements; i += 2) {
        const char *f = r->element[i]->str, *colon = strchr(f, ':');
        json_int_t v = strtoll(r->element[i + 1]->str, NULL, 10);
        if (!colon || !ep_in_scope(c, f, (size_t)(colon - f)) || v <= 0)
            continue;
        json_t *cur = json_object_get(by, colon + 1);
        json_object_set_new(by, colon + 1, json_integer((cur ? json_integer_value(cur) : 0) + v));
        total += v;
    }
    json_object_set_new(out, "dossiers", json_pack("{s:I,s:o}", "total", (json_int_t)total,
                                                   "by_status", by));
}

static void ep_stats_messages(const ep_cx *c, json_t *out)
{
    const metrics *m = c->app->metrics;
    json_t *by_ch = json_object(), *by_in = json_object();
    unsigned long total = 0;
    for (int ch = 0; ch < CHANNEL__COUNT; ch++) {
        unsigned long sum = 0;
        for (int i = 0; i < INTENT__COUNT; i++) {
            unsigned long n = metrics_messages(m, (channel)ch, (intent_id)i);
            json_t *cur = json_object_get(by_in, intent_name((intent_id)i));
            json_object_set_new(by_in, intent_name((intent_id)i),
                                json_integer((cur ? json_integer_value(cur) : 0) + (json_int_t)n));
            sum += n;
        }
        json_object_set_new(by_ch, channel_name((channel)ch), json_integer((json_int_t)sum));
        total += sum;
    }
    json_object_set_new(out, "messages", json_pack("{s:I,s:o,s:o}", "total", (json_int_t)total,
                                                   "by_channel", by_ch, "by_intent", by_in));
}

static void ep_stats_render(ep_cx *c, const redisReply *cpl, const redisReply *rat,
                            const redisReply *dos, json_t *out)
{
    const char *portal = c->app->cfg->domain.complaint_agency;
    int all = portal && !strcmp(c->agency, portal);
    json_object_set_new(out, "agency", json_string(c->agency));
    json_object_set_new(out, "scope", json_string(all ? "all" : "agency"));
    ep_stats_messages(c, out);
    ep_stats_dossiers(c, dos, out);
    ep_stats_complaints(c, cpl, out);
    ep_stats_ratings(c, rat, out);
}
