/* ep_ussd.c -- the three USSD adapters in front of one engine (ussd_flow.h):
 *   POST /ussd          Africa's Talking form -> "CON ..." / "END ..." (text/plain)
 *   POST /ussd/json     {"sessionId","msisdn","input","newSession"} -> {"message","continue"}
 *   GET|POST /ussd/kannel  Kannel smsbox get-url/post-url with the SMPP meta-data
 *                       (from=%p&to=%P&text=%a&meta=%D) -> the screen, and
 *                       X-Kannel-Meta-Data: ?smpp?ussd_service_op=2 (wait) or 17 (end)
 * A caller auth_channel() refuses gets 403 (bot/http/auth.h) before any of
 * this. Malformed requests get the JSON 400 of SPEC.md "Errors"; when Redis is
 * down the caller gets the "unavailable" screen as a final one (a 5xx would
 * end the USSD session with a network error text). The request holds an
 * http_pending, never the wsi, while the engine waits on Redis. */
#include <stdlib.h>
#include <string.h>

#include "bot/http/endpoints.h"
#include "bot/http/http.h"
#include "bot/ussd/ussd_flow.h"
#include "channels/sms.h"
#include "channels/ussd.h"
#include "common/xmalloc.h"

/* Write one screen in the wire format of proto. */
static void ep_ussd_write(struct lws *wsi, http_req *hr, int proto, const char *screen, int end)
{
    size_t len;
    char *body;
    if (proto == USSD_PROTO_JSON) {
        body = ussd_render_json(end, screen, &len);
        http_respond_take(wsi, hr, 200, "application/json", body, len);
        return;
    }
    if (proto == USSD_PROTO_SMPP) {
        hr->xhdr_name = "X-Kannel-Meta-Data:";
        hr->xhdr_value = ussd_meta_render(end);
        http_respond(wsi, hr, 200, "text/plain; charset=UTF-8", screen, strlen(screen));
        return;
    }
    body = ussd_render_at(end, screen, &len);
    http_respond_take(wsi, hr, 200, "text/plain; charset=UTF-8", body, len);
}

typedef struct ep_ussd_wait {
    http_pending *p;
    int proto;
} ep_ussd_wait;

static void ep_ussd_done(int status, char *screen, int end, void *ctx)
{
    ep_ussd_wait *w = ctx;
    http_req *hr;
    struct lws *wsi = http_pending_done(w->p, &hr);
    if (wsi) {
        if (status != 200)
            hr->error = "unavailable";
        ep_ussd_write(wsi, hr, w->proto, screen, end);
    }
    free(screen);
    free(w);
}

static void ep_ussd_unavailable(struct lws *wsi, http_req *hr, int proto)
{
    const messages *m = http_app(wsi)->msgs;
    const char *t = messages_get(m, "ussd.unavailable", "vi");
    char *f = sms_gsm_fold(t, strlen(t), NULL);
    hr->error = "unavailable";
    ep_ussd_write(wsi, hr, proto, f, 1);
    free(f);
}

/* Hand a parsed request to the engine (takes r). */
static void ep_ussd_run(struct lws *wsi, http_req *hr, ussd_req *r)
{
    const app *ap = http_app(wsi);
    int proto = r->proto;
    hr->channel = "ussd";
    hr->user = xstrdup(r->msisdn);
    ep_ussd_wait *w = xcalloc(1, sizeof(*w));
    w->proto = proto;
    w->p = http_pending_new(wsi, hr);
    if (ussd_flow_handle(ap->ussd, r, ep_ussd_done, w) < 0) {
        hr->pending = NULL;
        free(w->p);
        free(w);
        ep_ussd_unavailable(wsi, hr, proto);
    }
}

static void ep_ussd_complete(struct lws *wsi, http_req *hr, int proto)
{
    ussd_req r;
    const char *errkey = NULL;
    const char *body = hr->body.data ? hr->body.data : "";
    int rc;
    if (proto == USSD_PROTO_JSON)
        rc = ussd_parse_json(body, hr->body.len, &r, &errkey);
    else if (proto == USSD_PROTO_SMPP)
        rc = ussd_parse_kannel_query(body, hr->body.len, &r, &errkey);
    else
        rc = ussd_parse_form(body, hr->body.len, &r, &errkey);
    if (rc < 0) {
        http_error(wsi, hr, 400, errkey);
        return;
    }
    ep_ussd_run(wsi, hr, &r);
}

/* The four arguments of a Kannel USSD GET; the first of each name wins. */
typedef struct ep_kannel_args {
    char *v[4];                 /* from, to, text, meta */
    size_t metalen;             /* meta may hold NUL bytes */
} ep_kannel_args;

static void ep_ussd_kannel_arg(const char *name, size_t nlen, const char *value, size_t vlen,
                               void *ctx)
{
    static const char *const names[] = {"from", "to", "text", "meta"};
    ep_kannel_args *a = ctx;
    for (int k = 0; k < 4; k++)
        if (!a->v[k] && nlen == strlen(names[k]) && !memcmp(name, names[k], nlen)) {
            a->v[k] = xmalloc(vlen + 1);
            memcpy(a->v[k], value, vlen);
            a->v[k][vlen] = '\0';
            if (k == 3)
                a->metalen = vlen;
        }
}

/* GET: the URI arguments, decoded by lws, one "name=value" each. */
static void ep_ussd_kannel_get(struct lws *wsi, http_req *hr)
{
    ep_kannel_args a = {0};
    http_args_each(wsi, ep_ussd_kannel_arg, &a);
    ussd_req r;
    const char *errkey = NULL;
    int rc = ussd_parse_kannel(a.v[0], a.v[1], a.v[2], a.v[3], a.metalen, &r, &errkey);
    for (int k = 0; k < 4; k++)
        free(a.v[k]);
    if (rc < 0)
        http_error(wsi, hr, 400, errkey);
    else
        ep_ussd_run(wsi, hr, &r);
}

static void ep_ussd_at_body(struct lws *wsi, http_req *hr) { ep_ussd_complete(wsi, hr, USSD_PROTO_AT); }
static void ep_ussd_json_body(struct lws *wsi, http_req *hr) { ep_ussd_complete(wsi, hr, USSD_PROTO_JSON); }
static void ep_ussd_smpp_body(struct lws *wsi, http_req *hr) { ep_ussd_complete(wsi, hr, USSD_PROTO_SMPP); }

static void ep_ussd_kannel_request(struct lws *wsi, http_req *hr, const char *rest)
{
    (void)rest;
    if (hr->method == HTTP_GET)
        ep_ussd_kannel_get(wsi, hr);
}

const http_endpoint ep_ussd_endpoint = {
    .route = ROUTE_USSD, .methods = HTTP_POST, .channel = 1, .on_body = ep_ussd_at_body,
};
const http_endpoint ep_ussd_json_endpoint = {
    .route = ROUTE_USSD, .methods = HTTP_POST, .channel = 1, .on_body = ep_ussd_json_body,
};
const http_endpoint ep_ussd_kannel_endpoint = {
    .route = ROUTE_USSD, .methods = HTTP_GET | HTTP_POST, .channel = 1,
    .on_request = ep_ussd_kannel_request, .on_body = ep_ussd_smpp_body,
};
