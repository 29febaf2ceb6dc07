/* ep_ops.c -- operations endpoints: GET /healthz (200 only when the Redis
 * node is reachable and master: ROLE, so it is 503 whenever writes would
 * fail), GET /readyz (ready for traffic: the Redis we write to is a master
 * and the catalogue is loaded; docs/operations.md), GET /metrics, and the
 * JSON 404 for every path nothing else is mounted on. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalogue/catalogue.h"

#include "bot/http/conn.h"
#include "bot/http/endpoints.h"
#include "bot/http/http.h"

/* ROLE's first element ("master", "slave", ...), or "" when Redis gave none. */
static const char *ep_ops_role(const redisReply *rr)
{
    return rr && rr->type == REDIS_REPLY_ARRAY && rr->elements >= 1 &&
           rr->element[0]->type == REDIS_REPLY_STRING ? rr->element[0]->str : "";
}

/* 503: writes would fail (no connection, or the node is not master). */
static void ep_healthz_down(struct lws *wsi, http_req *hr, const char *role)
{
    buf b = {0};
    buf_printf(&b, "{\"error\":\"unavailable\",\"message\":\"Redis is not writable\","
                   "\"redis\":\"down\",\"role\":\"%s\"}",
               !strcmp(role, "slave") ? "replica" : "unknown");
    size_t n;
    char *text = buf_detach(&b, &n);
    http_respond_take(wsi, hr, 503, "application/json", text, n);
}

static void ep_healthz_done(redisReply *rr, void *privdata)
{
    http_req *hr;
    struct lws *wsi = http_pending_done(privdata, &hr);
    if (!wsi)
        return;
    const char *role = ep_ops_role(rr);
    if (strcmp(role, "master")) {
        ep_healthz_down(wsi, hr, role);
        return;
    }
    static const char ok[] = "{\"status\":\"ok\",\"redis\":\"up\",\"role\":\"master\"}";
    http_respond(wsi, hr, 200, "application/json", ok, sizeof(ok) - 1);
}

static void ep_healthz_request(struct lws *wsi, http_req *hr, const char *rest)
{
    (void)rest;
    http_pending *p = http_pending_new(wsi, hr);
    if (store_command(http_app(wsi)->store, ep_healthz_done, p, "ROLE") < 0) {
        http_pending_abort(hr);
        ep_healthz_down(wsi, hr, store_role(http_app(wsi)->store));
    }
}

/* /readyz's name of a ROLE answer: "master", "replica", or "down" (none). */
static const char *ep_readyz_role(const redisReply *rr)
{
    const char *role = ep_ops_role(rr);
    return !*role ? "down" : !strcmp(role, "master") ? "master" : "replica";
}

static void ep_readyz_respond(struct lws *wsi, http_req *hr, const char *role)
{
    const app *ap = http_app(wsi);
    size_t procs = ap->catalogue ? catalogue_count(ap->catalogue) : 0;
    int ready = !strcmp(role, "master") && procs > 0;
    char body[160];
    int n = snprintf(body, sizeof(body), "{\"status\":\"%s\",\"redis\":\"%s\",\"procedures\":%zu}",
                     ready ? "ready" : "not_ready", role, procs);
    http_respond(wsi, hr, ready ? 200 : 503, "application/json", body, (size_t)n);
}

static void ep_readyz_done(redisReply *rr, void *privdata)
{
    http_req *hr;
    struct lws *wsi = http_pending_done(privdata, &hr);
    if (wsi)
        ep_readyz_respond(wsi, hr, ep_readyz_role(rr));
}

static void ep_readyz_request(struct lws *wsi, http_req *hr, const char *rest)
{
    (void)rest;
    http_pending *p = http_pending_new(wsi, hr);
    if (store_command(http_app(wsi)->store, ep_readyz_done, p, "ROLE") < 0) {
        http_pending_abort(hr);
        ep_readyz_respond(wsi, hr, "down");
    }
}

static void ep_metrics_request(struct lws *wsi, http_req *hr, const char *rest)
{
    (void)rest;
    const app *ap = http_app(wsi);
    buf b = {0};
    metrics_render(ap->metrics, ap->store, &b);
    size_t n;
    char *text = buf_detach(&b, &n);
    http_respond_take(wsi, hr, 200, "text/plain; version=0.0.4; charset=utf-8", text, n);
}

const http_endpoint ep_healthz_endpoint = {
    .route = ROUTE_HEALTHZ, .methods = HTTP_GET, .on_request = ep_healthz_request,
};
const http_endpoint ep_readyz_endpoint = {
    .route = ROUTE_READYZ, .methods = HTTP_GET, .on_request = ep_readyz_request,
};
const http_endpoint ep_metrics_endpoint = {
    .route = ROUTE_METRICS, .methods = HTTP_GET, .on_request = ep_metrics_request,
};

int ep_notfound(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len)
{
    http_req *hr = user;
    if (reason != LWS_CALLBACK_HTTP)
        return http_common(wsi, reason, hr, in, len);
    hr->route = ROUTE_OTHER;
    hr->t0 = uv_hrtime();
    http_req_start(wsi, hr);
    hr->close_after = hr->has_body;
    http_error(wsi, hr, 404, "not_found");
    return 0;
}
