/* ep_stats.c -- GET /api/v1/stats/public: the figures of the public
 * statistics page /thong-ke, without a key (docs/webchat.md "Public
 * statistics"). Every agency's counters, summed and by agency:
 *
 *   dossiers    received / on_time / late by month (of received_at) and by
 *               agency, and the current count by status
 *   ratings     count, mean and distribution (1..5) overall, by agency and
 *               by agency:procedure
 *   complaints  received / answered / open, by agency, and the median answer
 *               time of the last 1000 answers (seconds, null when none)
 *   messages    by channel since this instance started (in-process counters)
 *   csat        the citizens' 1-5 ratings of the operators' help, all together
 *
 * Nothing personal is in any counter (store/stats.h). One Redis script per
 * request; the answer may be cached 60 s by the browser. */
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "bot/http/endpoints.h"
#include "bot/http/http.h"
#include "store/stats.h"
#include "common/xmalloc.h"

#define EP_STATS_PUBLIC "/api/v1/stats/public"

/* o[a][b] += v (creating the objects). */
static void ep_pub_add(json_t *o, const char *a, const char *b, json_int_t v)
{
    json_t *in = json_object_get(o, a);
    if (!in) {
        in = json_object();
        json_object_set_new(o, a, in);
    }
    json_t *cur = json_object_get(in, b);
    json_object_set_new(in, b, json_integer((cur ? json_integer_value(cur) : 0) + v));
}

/* Walk the field/value pairs of an HGETALL reply. */
#define EP_PAIRS(r, i, f, v)                                                   \
    for (size_t i = 0; (r) && i + 1 < (r)->elements; i += 2)                   \
        for (const char *f = (r)->element[i]->str, *v = (r)->element[i + 1]->str; f; f = NULL)

static json_t *ep_pub_dossiers(const redisReply *months, const redisReply *status)
{
    json_t *by_month = json_object(), *by_ag = json_object(), *by_st = json_object();
    json_t *all = json_object();
    EP_PAIRS(months, i, f, v) {
        const char *c1 = strchr(f, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
        if (!c2 || c2 - c1 != 8)
            continue;
        char ag[64], mon[8];
        size_t an = (size_t)(c1 - f);
        if (an == 0 || an >= sizeof(ag))
            continue;
        memcpy(ag, f, an);
        ag[an] = '\0';
        memcpy(mon, c1 + 1, 7);
        mon[7] = '\0';
        json_int_t n = strtoll(v, NULL, 10);
        ep_pub_add(by_month, mon, c2 + 1, n);
        ep_pub_add(by_ag, ag, c2 + 1, n);
        ep_pub_add(all, "all", c2 + 1, n);
    }
    EP_PAIRS(status, i, f, v) {
        const char *colon = strchr(f, ':');
        json_int_t n = strtoll(v, NULL, 10);
        if (colon && n > 0)
            ep_pub_add(all, "by_status", colon + 1, n);
    }
    json_t *o = json_object_get(all, "all");
    o = o ? json_incref(o) : json_object();
    json_t *bs = json_object_get(all, "by_status");
    if (bs)
        json_object_update(by_st, bs);
    json_object_set_new(o, "by_month", by_month);
    json_object_set_new(o, "by_agency", by_ag);
    json_object_set_new(o, "by_status", by_st);
    json_decref(all);
    return o;
}

/* {count, sum, s1..s5} -> {count, mean, distribution: [n1..n5]} for each member. */
static void ep_pub_means(json_t *o)
{
    const char *k;
    json_t *v;
    json_object_foreach(o, k, v) {
        json_int_t n = json_integer_value(json_object_get(v, "count"));
        json_int_t s = json_integer_value(json_object_get(v, "sum"));
        json_t *d = json_array();
        for (int i = 1; i <= 5; i++) {
            char f[4] = {'s', (char)('0' + i), '\0', '\0'};
            json_array_append_new(d, json_integer(json_integer_value(json_object_get(v, f))));
            json_object_del(v, f);
        }
        json_object_set_new(v, "count", json_integer(n));
        json_object_set_new(v, "mean", n > 0 ? json_real((double)s / (double)n) : json_null());
        json_object_set_new(v, "distribution", d);
        json_object_del(v, "sum");
    }
}

/* agency:{e}:{what} and procedure:{e}:{p}:{what}; {what} count|sum|s1..s5. */
static json_t *ep_pub_ratings(const redisReply *r)
{
    json_t *by_ag = json_object(), *by_proc = json_object(), *all = json_object();
    EP_PAIRS(r, i, f, v) {
        const char *what = strrchr(f, ':');
        int proc = !strncmp(f, "procedure:", 10);
        if (!what || (!proc && strncmp(f, "agency:", 7)))
            continue;
        const char *name = f + (proc ? 10 : 7);
        if (what <= name)
            continue;
        char key[160];
        size_t n = (size_t)(what - name);
        if (n >= sizeof(key))
            continue;
        memcpy(key, name, n);
        key[n] = '\0';
        json_int_t x = strtoll(v, NULL, 10);
        ep_pub_add(proc ? by_proc : by_ag, key, what + 1, x);
        if (!proc)
            ep_pub_add(all, "all", what + 1, x);
    }
    ep_pub_means(by_ag);
    ep_pub_means(by_proc);
    if (!json_object_get(all, "all"))
        json_object_set_new(all, "all", json_object());
    ep_pub_means(all);
    json_t *o = json_incref(json_object_get(all, "all"));
    json_object_set_new(o, "by_agency", by_ag);
    json_object_set_new(o, "by_procedure", by_proc);
    json_decref(all);
    return o;
}

static int ep_pub_cmp(const void *a, const void *b)
{
    long long x = *(const long long *)a, y = *(const long long *)b;
    return (x > y) - (x < y);
}

static json_t *ep_pub_complaints(const redisReply *r, const redisReply *times)
{
    json_t *by_ag = json_object(), *all = json_object();
    EP_PAIRS(r, i, f, v) {
        const char *what = strrchr(f, ':');
        if (!what || (strcmp(what, ":received") && strcmp(what, ":answered")))
            continue;
        char ag[64];
        size_t n = (size_t)(what - f);
        if (n == 0 || n >= sizeof(ag))
            continue;
        memcpy(ag, f, n);
        ag[n] = '\0';
        ep_pub_add(by_ag, ag, what + 1, strtoll(v, NULL, 10));
        ep_pub_add(all, "all", what + 1, strtoll(v, NULL, 10));
    }
    json_t *o = json_object_get(all, "all");
    json_int_t rec = json_integer_value(json_object_get(o, "received"));
    json_int_t ans = json_integer_value(json_object_get(o, "answered"));
    json_t *out = json_pack("{s:I,s:I,s:I}", "received", rec, "answered", ans, "open", rec - ans);
    size_t n = times ? times->elements : 0;
    long long *t = n ? xcalloc(n, sizeof(*t)) : NULL;
    for (size_t i = 0; i < n; i++)
        t[i] = times->element[i]->str ? strtoll(times->element[i]->str, NULL, 10) : 0;
    if (n)
        qsort(t, n, sizeof(*t), ep_pub_cmp);
    json_object_set_new(out, "median_answer_s",
                        n ? json_integer(n % 2 ? t[n / 2] : (t[n / 2 - 1] + t[n / 2]) / 2)
                          : json_null());
    json_object_set_new(out, "answer_samples", json_integer((json_int_t)n));
    json_object_set_new(out, "by_agency", by_ag);
    free(t);
    json_decref(all);
    return out;
}

static json_t *ep_pub_messages(const metrics *m)
{
    json_t *by_ch = json_object();
    json_int_t total = 0;
    for (int ch = 0; ch < CHANNEL__COUNT; ch++) {
        json_int_t sum = 0;
        for (int i = 0; i < INTENT__COUNT; i++)
            sum += (json_int_t)metrics_messages(m, (channel)ch, (intent_id)i);
        json_object_set_new(by_ch, channel_name((channel)ch), json_integer(sum));
        total += sum;
    }
    return json_pack("{s:I,s:o}", "total", total, "by_channel", by_ch);
}

/* The citizens' ratings of the operators' help, all operators together (by
 * operator only in Redis: a staff member's score is not published). */
static json_t *ep_pub_csat(const redisReply *r)
{
    json_t *all = json_object();
    json_object_set_new(all, "all", json_object());
    EP_PAIRS(r, i, f, v) {
        if (!strncmp(f, "all:", 4))
            ep_pub_add(all, "all", f + 4, strtoll(v, NULL, 10));
    }
    ep_pub_means(all);
    json_t *o = json_incref(json_object_get(all, "all"));
    json_decref(all);
    return o;
}

static void ep_pub_read(int status, const stats_replies *r, void *ctx)
{
    http_req *hr;
    struct lws *wsi = http_pending_done(ctx, &hr);
    if (!wsi)
        return;
    if (status < 0) {
        http_error(wsi, hr, 503, "unavailable");
        return;
    }
    json_t *o = json_object();
    json_object_set_new(o, "dossiers", ep_pub_dossiers(r->months, r->dossiers));
    json_object_set_new(o, "ratings", ep_pub_ratings(r->ratings));
    json_object_set_new(o, "complaints", ep_pub_complaints(r->complaints, r->answer_s));
    json_object_set_new(o, "messages", ep_pub_messages(http_app(wsi)->metrics));
    json_object_set_new(o, "csat", ep_pub_csat(r->csat));
    char *body = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(o);
    hr->cache = "max-age=60";
    http_respond_take(wsi, hr, 200, "application/json", body, strlen(body));
}

static void ep_pub_request(struct lws *wsi, http_req *hr, const char *in)
{
    size_t m = strlen(EP_STATS_PUBLIC);
    const char *rest = in && !strncmp(in, EP_STATS_PUBLIC, m) ? in + m : in;
    if (rest && *rest && strcmp(rest, "/")) {
        http_error(wsi, hr, 404, "not_found");
        return;
    }
    http_pending *p = http_pending_new(wsi, hr);
    if (stats_read(http_app(wsi)->store, ep_pub_read, p) < 0) {
        http_pending_abort(hr);
        http_error(wsi, hr, 503, "unavailable");
    }
}

const http_endpoint ep_stats_public_endpoint = {
    .route = ROUTE_STATS, .methods = HTTP_GET, .on_request = ep_pub_request,
};
