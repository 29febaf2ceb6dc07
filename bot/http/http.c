/* http.c -- shared request plumbing of the dynamic endpoints (see http.h). */
#include "bot/http/http.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bot/http/auth.h"
#include "bot/http/conn.h"
#include "bot/http/guard.h"
#include "bot/http/limit.h"
#include "bot/app/log.h"
#include "bot/app/messages.h"
#include "channels/errors.h"
#include "common/xmalloc.h"

/* Bodies declared up to this size are read and dropped so that the 413 can
 * be answered on a healthy connection; larger ones are answered at once and
 * the connection closed. */
#define HTTP_DRAIN_MAX (16L << 20)

const app *http_app(struct lws *wsi)
{
    return lws_context_user(lws_get_context(wsi));
}

static int http_method_of(struct lws *wsi)
{
    static const struct { enum lws_token_indexes tok; int method; } map[] = {
        {WSI_TOKEN_GET_URI, HTTP_GET},       {WSI_TOKEN_POST_URI, HTTP_POST},
        {WSI_TOKEN_PUT_URI, HTTP_PUT},       {WSI_TOKEN_DELETE_URI, HTTP_DELETE},
        {WSI_TOKEN_PATCH_URI, HTTP_PATCH},   {WSI_TOKEN_HEAD_URI, HTTP_HEAD},
        {WSI_TOKEN_OPTIONS_URI, HTTP_OPTIONS},
    };
    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
        if (lws_hdr_total_length(wsi, map[i].tok) > 0)
            return map[i].method;
    return HTTP_OTHER;
}

static const char *http_allow_header(int allowed)
{
    static const struct { int methods; const char *allow; } map[] = {
        {HTTP_GET, "GET"}, {HTTP_POST, "POST"}, {HTTP_GET | HTTP_PUT, "GET, PUT"},
        {HTTP_GET | HTTP_HEAD, "GET, HEAD"},
    };
    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
        if (map[i].methods == allowed)
            return map[i].allow;
    return "GET, POST";
}

int http_begin(struct lws *wsi, http_req *hr, metrics_route route, int allowed)
{
    hr->route = route;
    hr->t0 = uv_hrtime();
    hr->method = http_method_of(wsi);
    http_req_start(wsi, hr);
    if (!(hr->method & allowed)) {
        hr->allow = http_allow_header(allowed);
        hr->close_after = hr->method & (HTTP_POST | HTTP_PUT | HTTP_PATCH);
        http_error(wsi, hr, 405, "method_not_allowed");
        return 1;
    }
    char cl[32];
    if ((hr->method & (HTTP_POST | HTTP_PUT | HTTP_PATCH)) &&
        lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_CONTENT_LENGTH) <= 0) {
        /* lws 4.1 reads no chunked request body: answer now, not at the timeout */
        hr->close_after = 1;
        http_error(wsi, hr, 411, "length_required");
        return 1;
    }
    if (lws_hdr_copy(wsi, cl, sizeof(cl), WSI_TOKEN_HTTP_CONTENT_LENGTH) > 0) {
        long n = strtol(cl, NULL, 10);
        if (n > 0 && n <= http_app(wsi)->cfg->http.max_body)
            buf_reserve(&hr->body, (size_t)n); /* the body in one allocation */
        if (n > http_app(wsi)->cfg->http.max_body) {
            hr->too_large = 1;
            if (n > HTTP_DRAIN_MAX) {
                hr->close_after = 1;
                http_error(wsi, hr, 413, "too_large");
                return 1;
            }
        }
    }
    return 0;
}

void http_body(struct lws *wsi, http_req *hr, const void *in, size_t len)
{
    size_t max = (size_t)http_app(wsi)->cfg->http.max_body;
    if (hr->too_large || hr->body.len + len > max) {
        hr->too_large = 1;
        buf_free(&hr->body);
        return;
    }
    buf_append(&hr->body, in, len);
}

static void http_finish(struct lws *wsi, void *ctx);

void http_respond_take(struct lws *wsi, http_req *hr, int status, const char *ctype,
                       char *body, size_t len)
{
    free(hr->resp);
    hr->resp = body;
    hr->resp_len = len;
    hr->status = status;
    hr->ctype = ctype;
    conn_defer(&hr->fin, wsi, http_finish, hr);
}

void http_respond(struct lws *wsi, http_req *hr, int status, const char *ctype,
                  const char *body, size_t len)
{
    http_respond_take(wsi, hr, status, ctype, xstrndup(body, len), len);
}

void http_error(struct lws *wsi, http_req *hr, int status, const char *code)
{
    char key[64] = "errors.";
    strncat(key, code, sizeof(key) - strlen(key) - 1);
    size_t len;
    char *body = error_render(code, messages_get(http_app(wsi)->msgs, key, "vi"),
                              &len);
    hr->error = code;
    http_respond_take(wsi, hr, status, "application/json", body, len);
}

int http_json_body_check(struct lws *wsi, http_req *hr)
{
    char ct[128];
    if (hr->too_large) {
        http_error(wsi, hr, 413, "too_large");
        return -1;
    }
    if (lws_hdr_copy(wsi, ct, sizeof(ct), WSI_TOKEN_HTTP_CONTENT_TYPE) > 0 &&
        strncasecmp(ct, "application/json", 16) != 0) {
        http_error(wsi, hr, 415, "unsupported_media_type");
        return -1;
    }
    return 0;
}

int http_has_body(struct lws *wsi)
{
    char cl[32];
    if (lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_TRANSFER_ENCODING) > 0)
        return 1;
    return lws_hdr_copy(wsi, cl, sizeof(cl), WSI_TOKEN_HTTP_CONTENT_LENGTH) > 0 &&
           strtol(cl, NULL, 10) > 0;
}

http_pending *http_pending_new(struct lws *wsi, http_req *hr)
{
    http_pending *p = xmalloc(sizeof(*p)); /* not calloc: it bypasses glibc's per-thread cache */
    p->wsi = wsi;
    hr->pending = p;
    return p;
}

http_pending *http_pending_message(struct lws *wsi, http_req *hr, const message *m)
{
    hr->channel = channel_name(m->channel);
    free(hr->user);
    hr->user = http_app(wsi)->cfg->log.requests ? xstrdup(m->user) : NULL; /* the log's only */
    return http_pending_new(wsi, hr);
}

struct lws *http_pending_done(http_pending *p, http_req **hr)
{
    struct lws *wsi = p->wsi;
    *hr = NULL;
    if (wsi) {
        *hr = lws_wsi_user(wsi);
        (*hr)->pending = NULL;
    }
    free(p);
    return wsi;
}

static void http_finish_log(struct lws *wsi, http_req *hr)
{
    const app *ap = http_app(wsi);
    double secs = (double)(uv_hrtime() - hr->t0) / 1e9;
    metrics_http(ap->metrics, hr->route, hr->status, secs);
    if (!ap->cfg->log.requests)
        return;
    static const char *const names[] = {"GET", "POST", "PUT", "DELETE", "PATCH", "HEAD",
                                        "OPTIONS", "OTHER"};
    int m = 0;
    while (m < 7 && !(hr->method & (1 << m)))
        m++;
    static const enum lws_token_indexes toks[] = {
        WSI_TOKEN_GET_URI, WSI_TOKEN_POST_URI, WSI_TOKEN_PUT_URI, WSI_TOKEN_DELETE_URI,
        WSI_TOKEN_PATCH_URI, WSI_TOKEN_HEAD_URI, WSI_TOKEN_OPTIONS_URI, WSI_TOKEN_GET_URI,
    };
    char uri[128] = "";
    lws_hdr_copy(wsi, uri, sizeof(uri), toks[m]);
    log_request(&(log_req){.method = names[m], .route = uri[0] ? uri : NULL,
                           .status = hr->status, .ms = secs * 1e3, .channel = hr->channel,
                           .user = hr->user, .intent = hr->intent, .error = hr->error});
}

/* Write headers and body; returns -1 to close the connection. */
static int http_write_response(struct lws *wsi, http_req *hr)
{
    unsigned char hdr[LWS_PRE + 4096], *start = hdr + LWS_PRE, *p = start,
                                      *end = hdr + sizeof(hdr) - 1;
    if (lws_add_http_common_headers(wsi, (unsigned)hr->status, hr->ctype, hr->resp_len, &p, end))
        return -1;
    if (hr->allow && lws_add_http_header_by_name(wsi, (const unsigned char *)"allow:",
                                                 (const unsigned char *)hr->allow,
                                                 (int)strlen(hr->allow), &p, end))
        return -1;
    if (hr->xhdr_name && lws_add_http_header_by_name(wsi, (const unsigned char *)hr->xhdr_name,
                                                     (const unsigned char *)hr->xhdr_value,
                                                     (int)strlen(hr->xhdr_value), &p, end))
        return -1;
    char ra[16];
    int ralen = hr->retry_after > 0 ? snprintf(ra, sizeof(ra), "%d", hr->retry_after) : 0;
    if (ralen > 0 && lws_add_http_header_by_name(wsi, (const unsigned char *)"retry-after:",
                                                 (const unsigned char *)ra, ralen, &p, end))
        return -1;
    const char *cache = hr->cache ? hr->cache : "no-store";
    if (lws_add_http_header_by_name(wsi, (const unsigned char *)"cache-control:",
                                    (const unsigned char *)cache, (int)strlen(cache), &p, end))
        return -1;
    if (hr->close_after && lws_add_http_header_by_name(wsi, (const unsigned char *)"connection:",
                                                       (const unsigned char *)"close", 5, &p, end))
        return -1;
    if (lws_finalize_http_header(wsi, &p, end))
        return -1;
    /* headers and body leave in one write (one syscall) when they fit */
    size_t hlen = (size_t)(p - start);
    if (hr->head_only) {
        return lws_write(wsi, start, hlen, LWS_WRITE_HTTP_HEADERS) == (int)hlen
                   ? (http_finish_log(wsi, hr), 0) : -1;
    }
    if (hr->resp_len <= (size_t)(end - p)) {
        memcpy(p, hr->resp, hr->resp_len);
        size_t total = hlen + hr->resp_len;
        return lws_write(wsi, start, total, LWS_WRITE_HTTP_HEADERS) == (int)total
                   ? (http_finish_log(wsi, hr), 0) : -1;
    }
    if (lws_write(wsi, start, hlen, LWS_WRITE_HTTP_HEADERS) != (int)hlen)
        return -1;
    /* a body larger than the headers' buffer: lws wants LWS_PRE bytes before it */
    unsigned char *big = xmalloc(LWS_PRE + hr->resp_len);
    memcpy(big + LWS_PRE, hr->resp, hr->resp_len);
    int n = lws_write(wsi, big + LWS_PRE, hr->resp_len, LWS_WRITE_HTTP_FINAL);
    free(big);
    if (n != (int)hr->resp_len)
        return -1;
    http_finish_log(wsi, hr);
    return 0;
}

static void http_req_reset(http_req *hr)
{
    if (hr->pending)
        hr->pending->wsi = NULL; /* the completion frees it */
    conn_cancel(&hr->fin);
    buf_free(&hr->body);
    free(hr->resp);
    free(hr->user);
    memset(hr, 0, sizeof(*hr));
}

/* The response is queued (hr->resp) and no lws callback is running: decide
 * keep-alive, write it all and complete the transaction in one step
 * (bot/http/conn.h). */
static void http_finish(struct lws *wsi, void *ctx)
{
    http_req *hr = ctx;
    /* answered before its body was read: lws would discard the rest of the
     * body and complete the transaction itself, unseen by conn.h */
    if (hr->has_body && !hr->body_done)
        hr->close_after = 1;
    if (hr->close_after)
        conn_release(wsi);
    else if (!conn_keepalive(wsi))
        hr->close_after = 1;
    int rc = http_write_response(wsi, hr);
    int close = rc < 0 || hr->close_after || lws_partial_buffered(wsi);
    free(hr->resp);
    hr->resp = NULL;
    if (!close && lws_http_transaction_completed(wsi) == 0) {
        conn_completed(wsi); /* hr is gone with the protocol binding */
        return;
    }
    hr->closing = 1;
    lws_callback_on_writable(wsi); /* WRITEABLE comes once lws has flushed: close */
}

void http_refuse(struct lws *wsi, int status, const char *code)
{
    char key[64] = "errors.";
    strncat(key, code, sizeof(key) - strlen(key) - 1);
    http_req hr = {.route = ROUTE_OTHER, .t0 = uv_hrtime(), .method = http_method_of(wsi),
                   .status = status, .ctype = "application/json", .close_after = 1,
                   .error = code};
    size_t len;
    char *body = error_render(code, messages_get(http_app(wsi)->msgs, key, "vi"), &len);
    hr.resp = body;
    hr.resp_len = len;
    conn_release(wsi); /* lws flushes a partial write only for a connection it reads */
    if (http_write_response(wsi, &hr) < 0)
        log_info("http: a refusal (%d %s) could not be written", status, code);
    free(hr.resp);
}

void http_req_start(struct lws *wsi, http_req *hr)
{
    hr->has_body = conn_request_has_body(wsi);
    if (!hr->has_body)
        conn_hold(wsi);
}

void http_body_done(struct lws *wsi, http_req *hr)
{
    if (!hr || hr->body_done)
        return;
    hr->body_done = 1;
    if (!hr->closing)
        conn_hold(wsi);
}

int http_common(struct lws *wsi, enum lws_callback_reasons reason, http_req *hr,
                void *in, size_t len)
{
    switch (reason) {
    case LWS_CALLBACK_HTTP_WRITEABLE:
        /* responses are written by http_finish(); this only closes a
         * connection once lws has flushed what did not leave at once */
        return hr && hr->closing ? -1 : 0;
    case LWS_CALLBACK_HTTP_BODY_COMPLETION:
        http_body_done(wsi, hr);
        return 0;
    case LWS_CALLBACK_FILTER_HTTP_CONNECTION:
        /* a request parsed while this one is in flight: never served */
        if (hr && (hr->resp || hr->pending || hr->closing))
            return -1;
        return guard_filter(wsi);
    case LWS_CALLBACK_CLOSED_HTTP:
    case LWS_CALLBACK_HTTP_DROP_PROTOCOL:
        if (hr)
            http_req_reset(hr);
        return 0;
    default:
        return lws_callback_http_dummy(wsi, reason, hr, in, len);
    }
}

int http_endpoint_cb(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                     size_t len)
{
    http_req *hr = user;
    const struct lws_protocols *proto = lws_get_protocol(wsi);
    const http_endpoint *ep = proto ? proto->user : NULL;
    if (!ep || !hr)
        return http_common(wsi, reason, hr, in, len);
    switch (reason) {
    case LWS_CALLBACK_HTTP:
        if (http_begin(wsi, hr, ep->route, ep->methods) != 0)
            return 0;
        if (ep->channel && !auth_channel(wsi)) {
            hr->close_after = hr->has_body;
            http_error(wsi, hr, 403, "channel_forbidden");
        } else {
            http_limit_request(wsi, hr, ep, in);
        }
        return 0;
    case LWS_CALLBACK_HTTP_BODY:
        if (!hr->resp && !hr->closing)
            http_body(wsi, hr, in, len);
        return 0;
    case LWS_CALLBACK_HTTP_BODY_COMPLETION:
        if (hr->body_done || hr->resp || hr->pending || hr->closing || !ep->on_body)
            return http_common(wsi, reason, hr, in, len);
        http_body_done(wsi, hr);
        if (hr->too_large)
            http_error(wsi, hr, 413, "too_large");
        else
            ep->on_body(wsi, hr);
        return 0;
    default:
        return http_common(wsi, reason, hr, in, len);
    }
}

void http_args_each(struct lws *wsi, http_arg_fn *fn, void *ctx)
{
    for (int i = 0;; i++) {
        int n = lws_hdr_fragment_length(wsi, WSI_TOKEN_HTTP_URI_ARGS, i);
        if (n <= 0)
            break;
        char *f = xmalloc((size_t)n + 1);
        int got = lws_hdr_copy_fragment(wsi, f, n + 1, WSI_TOKEN_HTTP_URI_ARGS, i);
        char *eq = got >= 0 ? memchr(f, '=', (size_t)got) : NULL;
        if (eq)
            fn(f, (size_t)(eq - f), eq + 1, (size_t)got - (size_t)(eq - f) - 1, ctx);
        free(f);
    }
}

void http_pending_abort(http_req *hr)
{
    free(hr->pending);
    hr->pending = NULL;
}

/* Origin: absent (not a browser) is allowed; "*" allows any; "" allows only
 * the page's own host (http(s)://<Host header>); otherwise the list. */
static int http_ws_origin_ok(struct lws *wsi, const char *allowed)
{
    char origin[256], host[200];
    if (lws_hdr_copy(wsi, origin, sizeof(origin), WSI_TOKEN_ORIGIN) <= 0)
        return 1;
    if (!strcmp(allowed, "*"))
        return 1;
    if (!*allowed) {
        if (lws_hdr_copy(wsi, host, sizeof(host), WSI_TOKEN_HOST) <= 0)
            return 0;
        const char *o = !strncmp(origin, "http://", 7) ? origin + 7
                      : !strncmp(origin, "https://", 8) ? origin + 8 : NULL;
        return o && !strcasecmp(o, host);
    }
    size_t olen = strlen(origin);
    for (const char *p = allowed; *p;) {
        while (*p == ' ' || *p == ',')
            p++;
        size_t n = strcspn(p, ", ");
        if (n && n == olen && !strncasecmp(p, origin, n))
            return 1;
        p += n;
    }
    return 0;
}

/* Accept only /ws/chat (or /ws/agent for the agent protocol) and an allowed Origin. */
int http_ws_filter(struct lws *wsi, const char *path)
{
    char uri[64];
    const app *ap = http_app(wsi);
    if (lws_hdr_copy(wsi, uri, sizeof(uri), WSI_TOKEN_GET_URI) <= 0 || strcmp(uri, path))
        return -1;
    if (!http_ws_origin_ok(wsi, ap->cfg->webchat.allowed_origins)) {
        log_info("ws: origin refused on %s", path);
        return -1;
    }
    return 0;
}

int http_ws_rx_feed(http_ws_rx *rx, struct lws *wsi, const void *in, size_t len, size_t max)
{
    if (!rx->too_large) {
        if (rx->data.len + len > max) {
            rx->too_large = 1;
            buf_free(&rx->data);
        } else {
            buf_append(&rx->data, in, len);
        }
    }
    return lws_is_final_fragment(wsi) && !lws_remaining_packet_payload(wsi);
}

void http_ws_rx_reset(http_ws_rx *rx)
{
    rx->too_large = 0;
    buf_reset(&rx->data);
}
