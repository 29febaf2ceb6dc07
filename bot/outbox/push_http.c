/* push_http.c -- one POST to a platform API with the lws HTTP client on the
 * server's context (protocol "dvc-push"): JSON or form body, one extra
 * header, the answer's status and (capped) body. The request rides on the
 * wsi as opaque user data; whatever happens, done() runs exactly once. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bot/app/log.h"
#include "bot/outbox/push_int.h"
#include "common/xmalloc.h"

#define PW_ANSWER_MAX 16384

int pw_url_parse(push_url *u, const char *url)
{
    memset(u, 0, sizeof(*u));
    const char *h;
    if (!strncmp(url, "http://", 7)) {
        h = url + 7;
        u->port = 80;
    } else if (!strncmp(url, "https://", 8)) {
        h = url + 8;
        u->port = 443;
        u->tls = 1;
    } else {
        return -1;
    }
    const char *slash = strchr(h, '/');
    const char *colon = memchr(h, ':', slash ? (size_t)(slash - h) : strlen(h));
    size_t hl = colon ? (size_t)(colon - h) : slash ? (size_t)(slash - h) : strlen(h);
    if (hl == 0 || hl >= sizeof(u->host))
        return -1;
    memcpy(u->host, h, hl);
    if (colon)
        u->port = atoi(colon + 1);
    snprintf(u->path, sizeof(u->path), "%s", slash ? slash : "");
    size_t pl = strlen(u->path);
    if (pl && u->path[pl - 1] == '/')
        u->path[pl - 1] = '\0';
    return u->port > 0 && u->port < 65536 ? 0 : -1;
}

static void pw_http_end(struct lws *wsi, pw_http *h)
{
    if (h->finished)
        return;
    h->finished = 1;
    if (wsi)
        lws_set_opaque_user_data(wsi, NULL);
    h->wsi = NULL;
    if (!h->connecting)
        h->done(h);
}

void pw_http_start(pw_http *h, const char *body, size_t len)
{
    h->body = xmalloc(LWS_PRE + len + 1);
    memcpy(h->body + LWS_PRE, body, len);
    h->len = len;
    struct lws_client_connect_info ci;
    memset(&ci, 0, sizeof(ci));
    ci.context = h->w->d.lws;
    ci.address = h->url->host;
    ci.port = h->url->port;
    ci.path = h->path;
    ci.host = h->url->host;
    ci.origin = h->url->host;
    ci.method = "POST";
    ci.ssl_connection = h->url->tls ? LCCSCF_USE_SSL : 0;
    ci.local_protocol_name = "dvc-push";
    ci.alpn = "http/1.1";
    ci.opaque_user_data = h;
    h->connecting = 1;
    struct lws *wsi = lws_client_connect_via_info(&ci);
    h->connecting = 0;
    if (!wsi || h->finished) {
        h->finished = 1;
        h->done(h);
        return;
    }
    h->wsi = wsi;
    lws_set_timeout(wsi, PENDING_TIMEOUT_USER_OK, (h->w->d.cfg->push.timeout_ms + 999) / 1000);
}

void pw_http_free(pw_http *h)
{
    if (!h)
        return;
    free(h->body);
    buf_free(&h->answer);
    free(h);
}

static int pw_http_headers(struct lws *wsi, pw_http *h, void *in, size_t len)
{
    unsigned char **p = (unsigned char **)in, *end = (*p) + len;
    char cl[24];
    snprintf(cl, sizeof(cl), "%zu", h->len);
    if (lws_add_http_header_by_name(wsi, (const unsigned char *)"content-type:",
                                    (const unsigned char *)h->ctype, (int)strlen(h->ctype), p,
                                    end) ||
        lws_add_http_header_by_name(wsi, (const unsigned char *)"content-length:",
                                    (const unsigned char *)cl, (int)strlen(cl), p, end))
        return -1;
    if (h->hname && lws_add_http_header_by_name(wsi, (const unsigned char *)h->hname,
                                                (const unsigned char *)h->hvalue,
                                                (int)strlen(h->hvalue), p, end))
        return -1;
    lws_client_http_body_pending(wsi, 1);
    lws_callback_on_writable(wsi);
    return 0;
}

int push_worker_http(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                     size_t len)
{
    pw_http *h = lws_get_opaque_user_data(wsi);
    switch (reason) {
    case LWS_CALLBACK_CLIENT_APPEND_HANDSHAKE_HEADER:
        return h ? pw_http_headers(wsi, h, in, len) : 0;
    case LWS_CALLBACK_CLIENT_HTTP_WRITEABLE:
        if (!h)
            return -1;
        lws_client_http_body_pending(wsi, 0);
        return lws_write(wsi, (unsigned char *)h->body + LWS_PRE, h->len, LWS_WRITE_HTTP_FINAL)
               != (int)h->len ? -1 : 0;
    case LWS_CALLBACK_ESTABLISHED_CLIENT_HTTP:
        if (h)
            h->status = (int)lws_http_client_http_response(wsi);
        return 0;
    case LWS_CALLBACK_RECEIVE_CLIENT_HTTP_READ:
        if (h && h->answer.len + len <= PW_ANSWER_MAX)
            buf_append(&h->answer, in, len);
        return 0;
    case LWS_CALLBACK_RECEIVE_CLIENT_HTTP: {
        char buffer[1024 + LWS_PRE], *px = buffer + LWS_PRE;
        int lenx = sizeof(buffer) - LWS_PRE;
        return lws_http_client_read(wsi, &px, &lenx) < 0 ? -1 : 0;
    }
    case LWS_CALLBACK_COMPLETED_CLIENT_HTTP:
        if (h)
            pw_http_end(wsi, h);
        return -1; /* one request per connection */
    case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
        if (h) {
            log_error("push: %s: %s", h->url->host, in ? (const char *)in : "connection failed");
            h->status = 0;
            pw_http_end(wsi, h);
        }
        return 0;
    case LWS_CALLBACK_CLOSED_CLIENT_HTTP:
        if (h) {
            if (!h->answer.len && h->status == 200)
                h->status = 0; /* closed before the answer was read */
            pw_http_end(wsi, h);
        }
        return 0;
    default:
        return lws_callback_http_dummy(wsi, reason, user, in, len);
    }
}
