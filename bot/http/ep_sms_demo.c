/* ep_sms_demo.c -- /sms/demo, the simulator's view of outbound SMS, served
 * only when `dvcbot serve --demo-sms` runs (`make run`; 404 otherwise):
 *
 *   POST /sms/demo?to=MSISDN&from=SENDER&text=TEXT&ts=MS  (scripts/demo-smsc.py,
 *        for every SMS Kannel's fake SMSC delivered) -> 204
 *   GET  /sms/demo?to=MSISDN -> 200 {"messages": [{"ts", "from", "text"}, ...]},
 *        oldest first (store/demo_sms.h keeps the last 50 for a day)
 *
 * A channel endpoint: the caller shows the channel secret (auth_channel(),
 * 403 otherwise), as the simulator already does for /sms/kannel. Requests
 * carry everything in the query; a body is not read. */
#include <stdlib.h>
#include <string.h>

#include "bot/http/endpoints.h"
#include "bot/http/http.h"
#include "common/buf.h"
#include "common/xmalloc.h"
#include "store/demo_sms.h"

typedef struct demo_args {
    char to[24], from[24], ts[24];
    char *text;     /* malloc'd */
} demo_args;

static void demo_copy(char *dst, size_t cap, const char *v, size_t vlen)
{
    size_t n = strnlen(v, vlen);
    if (n >= cap)
        n = 0; /* too long: treated as absent */
    memcpy(dst, v, n);
    dst[n] = '\0';
}

static void demo_arg(const char *name, size_t nlen, const char *value, size_t vlen, void *ctx)
{
    demo_args *a = ctx;
    if (nlen == 2 && !memcmp(name, "to", 2))
        demo_copy(a->to, sizeof(a->to), value, vlen);
    else if (nlen == 4 && !memcmp(name, "from", 4))
        demo_copy(a->from, sizeof(a->from), value, vlen);
    else if (nlen == 2 && !memcmp(name, "ts", 2))
        demo_copy(a->ts, sizeof(a->ts), value, vlen);
    else if (nlen == 4 && !memcmp(name, "text", 4) && !a->text)
        a->text = xstrndup(value, strnlen(value, vlen));
}

static void demo_put_done(redisReply *rr, void *privdata)
{
    http_req *hr;
    struct lws *wsi = http_pending_done(privdata, &hr);
    if (!wsi)
        return;
    if (!rr || rr->type == REDIS_REPLY_ERROR)
        http_error(wsi, hr, 503, "unavailable");
    else
        http_respond(wsi, hr, 204, "application/json", "", 0);
}

static void demo_list_done(redisReply *rr, void *privdata)
{
    http_req *hr;
    struct lws *wsi = http_pending_done(privdata, &hr);
    if (!wsi)
        return;
    if (!rr || rr->type != REDIS_REPLY_ARRAY) {
        http_error(wsi, hr, 503, "unavailable");
        return;
    }
    buf b = {0};
    buf_puts(&b, "{\"messages\":[");
    for (size_t i = 0; i < rr->elements; i++) {
        if (rr->element[i]->type != REDIS_REPLY_STRING)
            continue;
        if (b.data[b.len - 1] != '[')
            buf_puts(&b, ",");
        buf_append(&b, rr->element[i]->str, rr->element[i]->len);
    }
    buf_puts(&b, "]}");
    size_t n;
    char *body = buf_detach(&b, &n);
    http_respond_take(wsi, hr, 200, "application/json", body, n);
}

/* {"ts":MS,"from":"...","text":"..."} of a POST */
static char *demo_json(const demo_args *a, size_t *n)
{
    buf b = {0};
    buf_printf(&b, "{\"ts\":%lld,\"from\":", strtoll(a->ts, NULL, 10));
    buf_json_str(&b, a->from);
    buf_puts(&b, ",\"text\":");
    buf_json_str(&b, a->text ? a->text : "");
    buf_puts(&b, "}");
    return buf_detach(&b, n);
}

static void demo_request(struct lws *wsi, http_req *hr, const char *rest)
{
    const app *ap = http_app(wsi);
    demo_args a = {.to = ""};
    /* lws 4.1 hands GET the whole URI, POST the part after the mount */
    if (rest && !strncmp(rest, "/sms/demo", 9))
        rest += 9;
    if (!ap->demo_sms || (rest && *rest && strcmp(rest, "/"))) {
        http_error(wsi, hr, 404, "not_found");
        return;
    }
    http_args_each(wsi, demo_arg, &a);
    http_pending *p = http_pending_new(wsi, hr);
    int rc;
    if (hr->method == HTTP_POST) {
        size_t n;
        char *json = demo_json(&a, &n);
        rc = demo_sms_put(ap->store, a.to, json, n, demo_put_done, p);
        free(json);
    } else {
        rc = demo_sms_list(ap->store, a.to, demo_list_done, p);
    }
    free(a.text);
    if (rc < 0) {
        http_pending_abort(hr);
        if (!a.to[0] || strspn(a.to, "+0123456789") != strlen(a.to))
            http_error(wsi, hr, 400, "invalid_phone");
        else
            http_error(wsi, hr, 503, "unavailable");
    }
}

const http_endpoint ep_sms_demo_endpoint = {
    .route = ROUTE_SMS, .methods = HTTP_GET | HTTP_POST, .channel = 1,
    .on_request = demo_request,
};
