/* http.h -- the plumbing every dynamic HTTP endpoint shares.
 *
 * One struct http_req is the lws per-session data of every dynamic protocol
 * (bot/server.c mounts one protocol per concern: chat, health, metrics, not
 * found). It tracks the method, collects a capped request body, holds the
 * response until the finisher of bot/http/conn.h writes it (outside every
 * lws callback, one request at a time per connection), and logs and counts
 * the request when it is written.
 *
 * Pending requests: an endpoint that waits on Redis allocates an http_pending
 * with http_pending_new() and gives it (never the wsi) to the asynchronous
 * call. If the client disconnects first, http_common() clears pending->wsi;
 * the completion then sees NULL and only frees the pending object.
 *
 * Calls that write return 0 or -1; -1 means "close the connection" and is
 * returned from the lws callback as it is. */
#ifndef DVC_BOT_HTTP_HTTP_H
#define DVC_BOT_HTTP_HTTP_H

#include <stddef.h>
#include <stdint.h>
#include <uv.h>
#include <libwebsockets.h>

#include "bot/app/app.h"
#include "bot/app/metrics.h"
#include "channels/message.h"
#include "bot/http/conn.h"
#include "common/buf.h"


enum http_method {
    HTTP_GET = 1, HTTP_POST = 2, HTTP_PUT = 4, HTTP_DELETE = 8,
    HTTP_PATCH = 16, HTTP_HEAD = 32, HTTP_OPTIONS = 64, HTTP_OTHER = 128,
};

typedef struct http_pending {
    struct lws *wsi;            /* NULL once the client is gone */
} http_pending;

#define HTTP_ADDR_MAX 64    /* a client address, NUL included (bot/http/limit.h) */

typedef struct http_req {
    int method;                 /* one enum http_method */
    metrics_route route;
    uint64_t t0;                /* uv_hrtime() at the request line */
    buf body;                   /* request body, capped at http.max_body */
    int too_large;              /* body exceeded the cap: being drained */
    int has_body;               /* the request declares a body (conn_request_has_body) */
    int body_done;              /* LWS_CALLBACK_HTTP_BODY_COMPLETION seen */
    int close_after;            /* close instead of keeping the connection */
    int closing;                /* response written: close once flushed */
    conn_fin fin;               /* the deferred write of the response */
    http_pending *pending;      /* owned while the request waits */
    /* the response, written in WRITEABLE */
    int status;
    const char *ctype;
    char *resp;                 /* the body (malloc'd) */
    size_t resp_len;
    const char *allow;          /* Allow header for 405, or NULL */
    const char *cache;          /* Cache-Control value, NULL: no-store */
    int head_only;              /* HEAD: the headers of the response only */
    const char *xhdr_name;      /* one extra header ("x-kannel-coding:"), or NULL */
    const char *xhdr_value;
    int retry_after;            /* > 0: a Retry-After header (429, bot/http/limit.h) */
    /* for the access log */
    const char *channel;
    char *user;
    const char *intent;
    const char *error;
    /* the client's address as bot/http/limit.c found it for this request
     * (http_client_addr), kept for the endpoint: "" until then or unknown */
    char addr[HTTP_ADDR_MAX];
    int addr_known;
} http_req;

/* The gateway's dependencies (bot/app/app.h): the lws context user data. */
const app *http_app(struct lws *wsi);

/* Start a request (LWS_CALLBACK_HTTP): read the method; if it is not in
 * allowed, queue a 405 and return 1; if a body is declared larger than the
 * cap, mark it to be drained (the 413 is sent at body completion). Returns 0
 * to go on, 1 when a response is already queued. */
int http_begin(struct lws *wsi, http_req *hr, metrics_route route, int allowed);

/* Append a body chunk (LWS_CALLBACK_HTTP_BODY), dropping it past the cap. */
void http_body(struct lws *wsi, http_req *hr, const void *in, size_t len);

/* Queue a response; it is written soon, outside the lws callbacks
 * (http_common). The body is copied. */
void http_respond(struct lws *wsi, http_req *hr, int status, const char *ctype,
                  const char *body, size_t len);
/* Same, taking a malloc'd body. */
void http_respond_take(struct lws *wsi, http_req *hr, int status, const char *ctype,
                       char *body, size_t len);
/* Queue {"error": code, "message": <messages.vi.json errors.<code>>}. */
void http_error(struct lws *wsi, http_req *hr, int status, const char *code);

/* Write {"error": code, ...} with status and Connection: close at once,
 * outside the endpoint driver (bot/http/guard.c, before lws binds an
 * endpoint); the caller then closes the connection (returns -1 to lws). */
void http_refuse(struct lws *wsi, int status, const char *code);

/* At body completion of a JSON endpoint: queue 413 if the body was over the
 * cap, or 415 if a Content-Type other than application/json was sent (an
 * absent one is taken as JSON), and return -1; return 0 to go on. */
int http_json_body_check(struct lws *wsi, http_req *hr);

/* 1 if the request declares a body (a positive Content-Length, or a
 * Transfer-Encoding): a PUT/POST with no body at all gets no
 * LWS_CALLBACK_HTTP_BODY_COMPLETION from lws, so it must be handled at once. */
int http_has_body(struct lws *wsi);

/* Allocate the pending object of hr (see above). */
http_pending *http_pending_new(struct lws *wsi, http_req *hr);
/* Same, for a request that carries a citizen's message: the access log line
 * names its channel and (masked) user. */
http_pending *http_pending_message(struct lws *wsi, http_req *hr, const message *m);
/* Called by a completion: returns the wsi if the client is still there
 * (and detaches the pending object from its request), NULL otherwise. Frees
 * the pending object in both cases. */
struct lws *http_pending_done(http_pending *p, http_req **hr);

/* FILTER_PROTOCOL_CONNECTION of a WebSocket protocol: 0 if the URI is path
 * and the Origin is allowed (webchat.allowed_origins), -1 otherwise. */
int http_ws_filter(struct lws *wsi, const char *path);

/* One dynamic HTTP endpoint (h2o's handler, nginx's location): the route it
 * is counted under, the methods it accepts, and two hooks. The endpoint is
 * the user pointer of its lws protocol (struct lws_protocols.user), and
 * http_endpoint_cb() is the protocol callback of every endpoint: it runs
 * http_begin() (405, 411, 413 on a declared oversize), collects the body
 * (capped), answers 413 when the body went over the cap, and hands
 * everything else to http_common().
 *
 * on_request: at LWS_CALLBACK_HTTP once the method is accepted (may be
 *   NULL). rest is the URI after the mount point. It may answer (a response
 *   or a pending request); if it does not, the body is read and on_body runs
 *   at its completion. A request that declares no body gets no completion
 *   from lws: on_request must answer it (see http_has_body()).
 * on_body: the body is complete and within the cap (may be NULL).
 * channel: the endpoint speaks for a phone number (SMS, USSD): a caller that
 *   auth_channel() (bot/http/auth.h) refuses gets 403 channel_forbidden
 *   before on_request, and its body is never read into on_body.
 * Between the accepted method and on_request the request passes its client
 * address's budget (bot/http/limit.h: 429 with Retry-After); on_request and
 * on_body then run from that answer, still in this order. */
typedef struct http_endpoint {
    metrics_route route;
    int methods;                /* enum http_method bits */
    int channel;                /* 1: trusts a phone number, auth_channel() first (403) */
    int budget_in_router;       /* 1: the router counts the address budget with the
                                 * message (one script, not two: bot/http/limit.h) */
    void (*on_request)(struct lws *wsi, http_req *hr, const char *rest);
    void (*on_body)(struct lws *wsi, http_req *hr);
} http_endpoint;

/* The lws protocol callback of every endpoint (user: its http_endpoint). */
int http_endpoint_cb(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                     size_t len);

/* Call fn for every URI argument "name=value", in order, as decoded by lws;
 * value (vlen bytes, then a NUL) may itself hold NUL bytes (%00); both are
 * valid during the call only. Arguments without '=' are skipped. */
typedef void http_arg_fn(const char *name, size_t nlen, const char *value, size_t vlen,
                         void *ctx);
void http_args_each(struct lws *wsi, http_arg_fn *fn, void *ctx);

/* Undo http_pending_new() when the asynchronous call was refused at once. */
void http_pending_abort(http_req *hr);

/* Reassembly of one WebSocket message from its fragments (both WebSocket
 * protocols): http_ws_rx_feed() appends a fragment (past max bytes the data
 * is dropped and too_large set) and returns 1 once the message is complete;
 * the caller handles data (or the too-large error), then http_ws_rx_reset(). */
typedef struct http_ws_rx {
    buf data;
    int too_large;
} http_ws_rx;
int http_ws_rx_feed(http_ws_rx *rx, struct lws *wsi, const void *in, size_t len, size_t max);
void http_ws_rx_reset(http_ws_rx *rx);

/* The request starts (LWS_CALLBACK_HTTP): note whether it declares a body;
 * one without is held (bot/http/conn.h) until its response is written. */
void http_req_start(struct lws *wsi, http_req *hr);
/* LWS_CALLBACK_HTTP_BODY_COMPLETION: the request is held from now on. */
void http_body_done(struct lws *wsi, http_req *hr);

/* WRITEABLE, BODY_COMPLETION, CLOSED_HTTP, DROP_PROTOCOL and everything
 * else. A queued response is written outside every lws callback, keep-alive
 * decided by bot/http/conn.h: the connection is closed after a response
 * sent before its request's body was read, after a partial write, or when
 * the pipelining guard says so (with Connection: close). */
int http_common(struct lws *wsi, enum lws_callback_reasons reason, http_req *hr,
                void *in, size_t len);

#endif
