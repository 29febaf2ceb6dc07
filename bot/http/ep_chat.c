/* ep_chat.c -- POST /api/v1/chat: chat codec -> router -> chat codec;
 * POST /api/v1/chat/history: the lines the page showed (bot/conv/chatlog.h);
 * POST /api/v1/chat/csat: the citizen rates the operator's help (store/csat.h).
 *
 * The request waits on Redis (session load and save) through the router; it
 * holds an http_pending, never the wsi, while it waits (bot/http.h). */
#include <stdlib.h>
#include <string.h>

#include "bot/http/endpoints.h"
#include "bot/http/http.h"
#include "bot/http/limit.h"
#include "bot/conv/chatlog.h"
#include "bot/conv/router.h"
#include "store/agent_queue.h"
#include "store/csat.h"
#include "store/chatlog.h"
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
        /* the texts as the router escaped them for the chat log */
        char *body = chat_render_json(r, router_reply_json(http_app(wsi)->router), intent, &len);
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
    const char *addr = http_req_addr(wsi, hr);  /* the limiter's (bot/http/limit.h) */
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

/* ---- POST /api/v1/chat/history {"user"}: the page's lines after a reload ---- */

static void ep_history_loaded(int status, const char *const *lines, const size_t *lens, size_t n,
                              void *ctx)
{
    http_req *hr;
    struct lws *wsi = http_pending_done(ctx, &hr);
    if (!wsi)
        return;
    if (status < 0) {
        http_error(wsi, hr, 503, "unavailable");
        return;
    }
    size_t len;
    char *body = chatlog_render(lines, lens, n, &len);
    http_respond_take(wsi, hr, 200, "application/json", body, len);
}

static void ep_history_complete(struct lws *wsi, http_req *hr)
{
    if (http_json_body_check(wsi, hr) < 0)
        return;
    const char *errkey;
    message *m = chat_parse_history(hr->body.data ? hr->body.data : "", hr->body.len, &errkey);
    if (!m) {
        http_error(wsi, hr, 400, errkey);
        return;
    }
    http_pending *p = http_pending_new(wsi, hr);
    int rc = chatlog_read(http_app(wsi)->store, m->user, ep_history_loaded, p);
    message_free(m);
    if (rc < 0) {
        http_pending_abort(hr);
        http_error(wsi, hr, 503, "unavailable");
    }
}

const http_endpoint ep_chat_history_endpoint = {
    .route = ROUTE_CHAT, .methods = HTTP_POST, .on_body = ep_history_complete,
};

/* ---- POST /api/v1/chat/csat {"user","score"}: rate the operator's help ---- */

static void ep_csat_done(int status, const char *operator_name, void *ctx)
{
    http_req *hr;
    struct lws *wsi = http_pending_done(ctx, &hr);
    (void)operator_name;
    if (!wsi)
        return;
    if (status < 0)
        http_error(wsi, hr, 503, "unavailable");
    else if (status == 1)
        http_error(wsi, hr, 409, "csat_not_pending");
    else
        http_respond(wsi, hr, 200, "application/json", "{\"ok\":true}", 11);
}

static void ep_csat_complete(struct lws *wsi, http_req *hr)
{
    if (http_json_body_check(wsi, hr) < 0)
        return;
    const char *errkey;
    int score = 0;
    message *m = chat_parse_csat(hr->body.data ? hr->body.data : "", hr->body.len, &score, &errkey);
    if (!m) {
        http_error(wsi, hr, 400, errkey);
        return;
    }
    char *conv = agentq_conv(channel_name(CHANNEL_CHAT), m->user);
    message_free(m);
    if (!conv) {
        http_error(wsi, hr, 400, "invalid_user");
        return;
    }
    http_pending *p = http_pending_new(wsi, hr);
    int rc = csat_put(http_app(wsi)->store, conv, score, ep_csat_done, p);
    free(conv);
    if (rc < 0) {
        http_pending_abort(hr);
        http_error(wsi, hr, 503, "unavailable");
    }
}

const http_endpoint ep_chat_csat_endpoint = {
    .route = ROUTE_CHAT, .methods = HTTP_POST, .on_body = ep_csat_complete,
};
