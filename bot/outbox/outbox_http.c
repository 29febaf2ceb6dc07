/* outbox_http.c -- one GET to Kannel's /cgi-bin/sendsms with the lws HTTP
 * client on the server's context (protocol "dvc-sendsms"). The request
 * object rides on the wsi as opaque user data; whatever happens (answer,
 * connection error, timeout, close, context destroyed) obx_finished() is
 * called exactly once. */
#include <string.h>

#include "bot/app/log.h"
#include "bot/outbox/outbox_int.h"

static void obx_http_end(struct lws *wsi, obx_req *r, obx_outcome o)
{
    if (r->finished)
        return;
    r->finished = 1;
    lws_set_opaque_user_data(wsi, NULL);
    r->wsi = NULL;
    if (!r->connecting)
        obx_finished(r, o);
}

void obx_http_send(outbox_worker *w, obx_req *r, const char *path)
{
    struct lws_client_connect_info ci;
    memset(&ci, 0, sizeof(ci));
    ci.context = w->d.lws;
    ci.address = w->host;
    ci.port = w->port;
    ci.path = path;
    ci.host = w->host;
    ci.origin = w->host;
    ci.method = "GET";
    ci.local_protocol_name = "dvc-sendsms";
    ci.alpn = "http/1.1";
    ci.opaque_user_data = r;
    r->connecting = 1;
    struct lws *wsi = lws_client_connect_via_info(&ci);
    r->connecting = 0;
    if (!wsi) {
        r->finished = 1;
        obx_finished(r, OBX_UNREACHABLE);
        return;
    }
    if (r->finished) { /* failed inside the connect call */
        obx_finished(r, r->status >= 200 && r->status < 300 ? OBX_SENT : OBX_UNREACHABLE);
        return;
    }
    r->wsi = wsi;
    int secs = (w->d.cfg->sms.timeout_ms + 999) / 1000;
    lws_set_timeout(wsi, PENDING_TIMEOUT_USER_OK, secs);
}

static obx_outcome obx_http_outcome(const obx_req *r)
{
    if (r->status >= 200 && r->status < 300)
        return OBX_SENT;
    return r->status ? OBX_REFUSED : OBX_UNREACHABLE;
}

int outbox_worker_http(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                       size_t len)
{
    obx_req *r = lws_get_opaque_user_data(wsi);
    switch (reason) {
    case LWS_CALLBACK_ESTABLISHED_CLIENT_HTTP:
        if (r)
            r->status = (int)lws_http_client_http_response(wsi);
        return 0;
    case LWS_CALLBACK_RECEIVE_CLIENT_HTTP_READ:
        if (r && r->blen + 1 < sizeof(r->body)) {
            size_t n = len < sizeof(r->body) - 1 - r->blen ? len : sizeof(r->body) - 1 - r->blen;
            memcpy(r->body + r->blen, in, n);
            r->blen += n;
            r->body[r->blen] = '\0';
        }
        return 0;
    case LWS_CALLBACK_RECEIVE_CLIENT_HTTP: {
        char buffer[1024 + LWS_PRE], *px = buffer + LWS_PRE;
        int lenx = sizeof(buffer) - LWS_PRE;
        return lws_http_client_read(wsi, &px, &lenx) < 0 ? -1 : 0;
    }
    case LWS_CALLBACK_COMPLETED_CLIENT_HTTP:
        if (r)
            obx_http_end(wsi, r, obx_http_outcome(r));
        return -1; /* one request per connection */
    case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
        if (r) {
            log_error("sendsms: %s", in ? (const char *)in : "connection failed");
            obx_http_end(wsi, r, OBX_UNREACHABLE);
        }
        return 0;
    case LWS_CALLBACK_CLOSED_CLIENT_HTTP:
        if (r)
            obx_http_end(wsi, r, obx_http_outcome(r) == OBX_SENT ? OBX_SENT : OBX_UNREACHABLE);
        return 0;
    default:
        return lws_callback_http_dummy(wsi, reason, user, in, len);
    }
}
