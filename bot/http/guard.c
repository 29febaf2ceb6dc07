/* guard.c -- what is refused before any endpoint sees a request (see guard.h). */
#include "bot/http/guard.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bot/http/conn.h"
#include "bot/http/http.h"
#include "bot/http/http_gate.h"
#include "bot/app/log.h"
#include "common/xmalloc.h"

#define GUARD_CL_DIGITS 18      /* fits in a long long */

/* 1 if every Content-Length line is a run of digits (around optional white
 * space, which lws keeps on repeated lines) with the same value, or there is
 * none; 0 otherwise. */
static int guard_content_length_ok(struct lws *wsi)
{
    char first[32] = "", v[64];
    for (int i = 0;; i++) {
        int n = lws_hdr_fragment_length(wsi, WSI_TOKEN_HTTP_CONTENT_LENGTH, i);
        if (n <= 0)
            return 1;
        if (n >= (int)sizeof(v) ||
            lws_hdr_copy_fragment(wsi, v, sizeof(v), WSI_TOKEN_HTTP_CONTENT_LENGTH, i) != n)
            return 0;
        const char *d = v + strspn(v, " \t");
        size_t k = strspn(d, "0123456789");
        if (k == 0 || k > GUARD_CL_DIGITS || d[k + strspn(d + k, " \t")] != '\0')
            return 0;
        if (!i)
            memcpy(first, d, k);
        else if (strlen(first) != k || memcmp(first, d, k))
            return 0;
    }
}

/* What http_gate.c found in the request's bytes: 0, or -1 once refused. */
static int guard_gate(struct lws *wsi)
{
    const char *code;
    int st = http_gate_verdict(wsi, &code);
    if (!st)
        return 0;
    http_refuse(wsi, st, code);
    return -1;
}

int guard_filter(struct lws *wsi)
{
    if (guard_gate(wsi) < 0 || conn_filter(wsi) < 0)
        return -1;
    int has_cl = lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_CONTENT_LENGTH) > 0;
    int has_te = lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_TRANSFER_ENCODING) > 0;
    if (!guard_content_length_ok(wsi) || (has_cl && has_te)) {
        http_refuse(wsi, 400, "invalid_content_length");
        return -1;
    }
    return 0;
}

/* 1 if the comma-separated Sec-WebSocket-Protocol list names one of ours. */
static int guard_ws_protocol_ok(struct lws *wsi)
{
    static const char *const ours[] = {"dvcbot.chat.v1", "dvcbot.agent.v1"};
    int n = lws_hdr_total_length(wsi, WSI_TOKEN_PROTOCOL);
    if (n <= 0 || n > 1024)
        return 0;
    char *list = xmalloc((size_t)n + 1);
    int found = 0;
    if (lws_hdr_copy(wsi, list, n + 1, WSI_TOKEN_PROTOCOL) > 0) {
        for (char *p = list; *p && !found;) {
            p += strspn(p, ", \t");
            size_t k = strcspn(p, ", \t");
            for (size_t i = 0; i < sizeof(ours) / sizeof(ours[0]); i++)
                if (k == strlen(ours[i]) && !strncmp(p, ours[i], k))
                    found = 1;
            p += k;
        }
    }
    free(list);
    return found;
}

int guard_upgrade(struct lws *wsi, char *up)
{
    if (!up)
        return -1;
    if (!strcasecmp(up, "websocket")) {
        if (guard_gate(wsi) < 0)
            return -1;
        if (guard_ws_protocol_ok(wsi))
            return 0;
        log_info("http: WebSocket upgrade without a dvcbot subprotocol refused");
        http_refuse(wsi, 400, "websocket_protocol");
        return -1;
    }
    if (!strcasecmp(up, "h2c")) {
        /* lws 4.1.6 cannot decline an upgrade and go on: after this callback
         * it compares this very value with "websocket" and "h2c" */
        up[0] = '-';
        return 0;
    }
    /* lws has already answered 403 to an upgrade it does not know */
    return -1;
}

int guard_root_cb(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                  size_t len)
{
    switch (reason) {
    case LWS_CALLBACK_FILTER_HTTP_CONNECTION:
        return guard_filter(wsi);
    case LWS_CALLBACK_HTTP_CONFIRM_UPGRADE:
        return guard_upgrade(wsi, in);
    case LWS_CALLBACK_SERVER_NEW_CLIENT_INSTANTIATED:
        http_gate_open(wsi);
        return lws_callback_http_dummy(wsi, reason, user, in, len);
    case LWS_CALLBACK_WSI_DESTROY:
        http_gate_close(wsi);
        return lws_callback_http_dummy(wsi, reason, user, in, len);
    default:
        return lws_callback_http_dummy(wsi, reason, user, in, len);
    }
}
