/* ep_chat.c -- POST /api/v1/chat: chat codec -> router -> chat codec.
 *
 * The request waits on Redis (session load and save) through the router; it
 * holds an http_pending, never the wsi, while it waits (bot/http.h). */
#include <string.h>

#include "bot/http/endpoints.h"
#include "bot/http/http.h"
#include "bot/http/limit.h"
#include "bot/conv/router.h"
#include "channels/chat.h"
#include "common/xmalloc.h"

static void ep_chat_done(int status, reply *r, const char *intent, void *ctx)
{
    http_req *hr;
    struct lws *wsi = http_pending_done(ctx, &hr);
    if (!wsi) {
        reply_free(r);
        return;
    }
    hr->intent = intent;
    if (status == ROUTER_LIMITED) {
        http_limit_refuse(wsi, hr, router_retry_after(http_app(wsi)->router));
    } else if (status != ROUTER_OK) {
        http_error(wsi, hr, 503, "unavailable");
    } else {
        size_t len;
        char *body = chat_render(r, intent, &len);
        http_respond_take(wsi, hr, 200, "application/json", body, len);
    }
    reply_free(r);
}

static void ep_chat_complete(struct lws *wsi, http_req *hr)
{
    const app *ap = http_app(wsi);
    if (http_json_body_check(wsi, hr) < 0)
        return;
    const char *errkey;
    message *m = chat_parse(hr->body.data ? hr->body.data : "", hr->body.len,
                            (size_t)ap->cfg->chat.max_text, &errkey);
    if (!m) {
        http_error(wsi, hr, 400, errkey);
        return;
    }
    char addr[HTTP_ADDR_MAX];
    http_client_addr(wsi, addr, sizeof(addr));
    m->addr = *addr ? xstrdup(addr) : NULL;
    http_pending *p = http_pending_message(wsi, hr, m);
    if (router_handle(ap->router, m, ep_chat_done, p) < 0) {
        http_pending_abort(hr);
        http_error(wsi, hr, 503, "unavailable");
    }
}

const http_endpoint ep_chat_endpoint = {
    .route = ROUTE_CHAT, .methods = HTTP_POST, .on_body = ep_chat_complete,
    .budget_in_router = 1, /* the address and the identity in one script (router.c) */
};
