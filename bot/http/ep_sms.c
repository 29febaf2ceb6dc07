/* ep_sms.c -- GET/POST /sms/kannel (Kannel smsbox get-url / post-url) and
 * GET /sms/kannel/dlr (delivery reports).
 *
 * The caller has passed auth_channel() (channels.secret / allow_ips, else
 * 403, bot/http/auth.h) before these run. An MO is read into an sms_raw
 * (query arguments, X-Kannel headers, body), parsed by the SMS codec and handed to
 * the MO flow (bot/sms_flow.c: once per Kannel id, pages, router). The flow
 * answers every waiting request through ep_sms_answer() below. */
#include <stdlib.h>
#include <string.h>

#include "bot/http/endpoints.h"
#include "bot/http/http.h"
#include "bot/app/log.h"
#include "bot/conv/router.h"
#include "bot/outbox/outbox_worker.h"
#include "bot/sms/sms_flow.h"
#include "channels/sms.h"
#include "common/xmalloc.h"

/* One URI argument into raw; a value ends at its first NUL byte (%00). */
static void ep_sms_arg(const char *name, size_t nlen, const char *value, size_t vlen, void *raw)
{
    if (!memchr(name, '\0', nlen))
        sms_raw_set(raw, name, nlen, value, strnlen(value, vlen));
}

/* Every URI argument "name=value" (decoded by lws) into raw. */
static void ep_sms_args(struct lws *wsi, sms_raw *raw)
{
    http_args_each(wsi, ep_sms_arg, raw);
}

/* X-Kannel-* headers of the post-url variant. */
static void ep_sms_headers(struct lws *wsi, sms_raw *raw)
{
    static const char *const names[][2] = {
        {"X-Kannel-From:", "x-kannel-from"}, {"X-Kannel-To:", "x-kannel-to"},
        {"X-Kannel-Time:", "x-kannel-time"}, {"X-Kannel-SMSC:", "x-kannel-smsc"},
        {"X-Kannel-Coding:", "x-kannel-coding"},
    };
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        char lower[32], v[256];
        size_t nl = strlen(names[i][0]);
        for (size_t k = 0; k <= nl; k++)
            lower[k] = (char)(names[i][0][k] >= 'A' && names[i][0][k] <= 'Z'
                                  ? names[i][0][k] + 32 : names[i][0][k]);
        int n = lws_hdr_custom_copy(wsi, v, sizeof(v), names[i][0], (int)nl);
        if (n < 0)
            n = lws_hdr_custom_copy(wsi, v, sizeof(v), lower, (int)nl);
        if (n >= 0)
            sms_raw_set(raw, names[i][1], strlen(names[i][1]), v, (size_t)n);
    }
    char ct[128];
    if (lws_hdr_copy(wsi, ct, sizeof(ct), WSI_TOKEN_HTTP_CONTENT_TYPE) > 0) {
        char *cs = strstr(ct, "charset=");
        if (cs) {
            cs += 8;
            if (*cs == '"')
                cs++;
            size_t n = strcspn(cs, "\"; ");
            sms_raw_set(raw, "charset", 7, cs, n);
        }
    }
}

static void ep_sms_unavailable(struct lws *wsi, http_req *hr);

/* sms_answer_fn of the MO endpoint: ctx is the request's http_pending. */
static void ep_sms_answer(void *p, int status, const char *intent, int ucs2, const char *body,
                          size_t len)
{
    http_req *hr;
    struct lws *wsi = http_pending_done(p, &hr);
    if (!wsi)
        return;
    hr->intent = intent;
    if (status != 200) {
        const messages *m = http_app(wsi)->msgs;
        int limited = status == 429;
        const char *t = messages_get(m, limited ? "errors.rate_limited" : "errors.unavailable",
                                     "vi");
        hr->error = limited ? "rate_limited" : "unavailable";
        if (limited)
            hr->retry_after = router_retry_after(http_app(wsi)->router);
        http_respond(wsi, hr, status, "text/plain; charset=UTF-8", t, strlen(t));
        return;
    }
    if (ucs2) {
        hr->xhdr_name = "X-Kannel-Coding:";
        hr->xhdr_value = "2";
    }
    http_respond(wsi, hr, 200, "text/plain; charset=UTF-8", body, len);
}

static void ep_sms_mo(struct lws *wsi, http_req *hr, const char *body, size_t blen)
{
    const app *ap = http_app(wsi);
    sms_raw raw = {0};
    ep_sms_args(wsi, &raw);
    if (hr->method == HTTP_POST) {
        ep_sms_headers(wsi, &raw);
        if (!raw.text.p)
            sms_raw_set(&raw, "text", 4, body ? body : "", blen);
    }
    const char *errkey;
    sms_mo mo;
    message *m = sms_parse(&raw, (size_t)ap->cfg->sms.max_text, &mo, &errkey);
    sms_raw_clear(&raw);
    if (!m) {
        http_error(wsi, hr, 400, errkey);
        return;
    }
    http_pending *p = http_pending_message(wsi, hr, m);
    if (sms_flow_start(ap, m, mo.id, ep_sms_answer, p) < 0) {
        http_pending_abort(hr);
        ep_sms_unavailable(wsi, hr);
    }
}

static void ep_sms_unavailable(struct lws *wsi, http_req *hr)
{
    const char *t = messages_get(http_app(wsi)->msgs, "errors.unavailable", "vi");
    hr->error = "unavailable";
    http_respond(wsi, hr, 503, "text/plain; charset=UTF-8", t, strlen(t));
}

static void ep_sms_dlr_done(int status, void *ctx)
{
    http_req *hr;
    struct lws *wsi = http_pending_done(ctx, &hr);
    if (!wsi)
        return;
    if (status < 0)
        ep_sms_unavailable(wsi, hr);
    else
        http_respond(wsi, hr, 200, "text/plain; charset=UTF-8", "OK", 2);
}

static void ep_sms_dlr_request(struct lws *wsi, http_req *hr, const char *rest)
{
    (void)rest;
    const app *ap = http_app(wsi);
    sms_raw raw = {0};
    ep_sms_args(wsi, &raw);
    sms_dlr d;
    const char *errkey;
    int rc = sms_dlr_parse(&raw, &d, &errkey);
    sms_raw_clear(&raw);
    if (rc < 0) {
        http_error(wsi, hr, 400, errkey);
        return;
    }
    http_pending *p = http_pending_new(wsi, hr);
    if (outbox_worker_dlr(ap->store, &d, ep_sms_dlr_done, p) < 0) {
        http_pending_abort(hr);
        ep_sms_unavailable(wsi, hr);
    }
}

/* GET: the MO is in the URI arguments; POST: Kannel's headers and the body. */
static void ep_sms_request(struct lws *wsi, http_req *hr, const char *rest)
{
    (void)rest;
    if (hr->method == HTTP_GET)
        ep_sms_mo(wsi, hr, NULL, 0);
}

static void ep_sms_body(struct lws *wsi, http_req *hr)
{
    ep_sms_mo(wsi, hr, hr->body.data, hr->body.len);
}

const http_endpoint ep_sms_endpoint = {
    .route = ROUTE_SMS, .methods = HTTP_GET | HTTP_POST, .channel = 1,
    .on_request = ep_sms_request, .on_body = ep_sms_body,
};
const http_endpoint ep_sms_dlr_endpoint = {
    .route = ROUTE_SMS_DLR, .methods = HTTP_GET, .channel = 1, .on_request = ep_sms_dlr_request,
};
