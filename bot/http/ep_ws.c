/* ep_ws.c -- the web chat over WebSocket: protocol "dvcbot.chat.v1" on /ws/chat.
 *
 * Frames are parsed by channels/ws.c and handed to the same router and
 * dialogs as POST /api/v1/chat. The connection speaks as channel "chat"
 * (CHANNEL_CHAT, not CHANNEL_WS), deliberately: a {"type":"hello","user":U}
 * resumes the session dvcbot:sess:chat:U, whether it was started over REST
 * or over an earlier WebSocket, and complaints, ratings and notices of that
 * user are the same records (docs/webchat.md).
 *
 * One heap ws_conn per connection (the lws per-session data only points to
 * it). It outlives the wsi while a router call or a notice fetch is in flight:
 * LWS_CALLBACK_CLOSED sets conn->wsi = NULL and unlinks it from the hub; the
 * last completion frees it. Frames to send wait in a per-connection queue and
 * are written in LWS_CALLBACK_SERVER_WRITEABLE, except the router's reply,
 * which leaves at once when nothing waits before it (ws_queue_send(): the
 * router's completion runs outside every lws callback). Messages of one
 * connection go through the router one at a time, in order.
 *
 * The hub (per-vhost protocol data) lists the live connections; an lws_sul
 * tick (every 200 ms at most) pings silent connections and closes dead ones.
 * Notices (dvcbot:notices:chat:{user}) of identified users: fetched at once
 * after a hello (what arrived while offline); then each new one comes on
 * the instance's subscriber connection (dvcbot:ev:notice, store/pubsub.h)
 * and goes to every connection of that user here, then leaves the list
 * (outbox_notice_ack): an idle connection costs no Redis work. After the
 * subscriber (re)connects, every identified connection catches up from its
 * list. Without a subscriber (app.events NULL) every webchat.notice_poll_ms
 * one script checks which users have any (500 per call) and
 * outbox_notices_pop fetches only those. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bot/http/endpoints.h"
#include "bot/http/http.h"
#include "bot/http/limit.h"
#include "bot/app/log.h"
#include "bot/conv/router.h"
#include "bot/http/ws_queue.h"
#include "channels/ws.h"
#include "store/agent_queue.h"
#include "store/outbox.h"
#include "common/xmalloc.h"

#define WS_IN_MAX 16            /* frames waiting for the router per connection */
#define WS_NOTICES_BATCH 20

typedef struct ws_in {
    struct ws_in *next;
    ws_frame f;
} ws_in;

typedef struct ws_hub ws_hub;

typedef struct ws_conn {
    struct lws *wsi;            /* NULL once closed */
    ws_hub *hub;                /* NULL once closed */
    struct ws_conn *prev, *next;
    char *user;                 /* NULL until hello or the first message */
    char addr[HTTP_ADDR_MAX];   /* the client's address (bot/http/limit.h) */
    ws_queue out;
    ws_in *in_head, *in_tail;
    size_t nin;
    http_ws_rx rx;
    int busy, polling, pumping, ping_due, overflow;
    uint64_t last_rx_ms, last_ping_ms, last_poll_ms;
} ws_conn;

struct ws_hub {
    struct lws_context *ctx;
    const app *app;
    lws_sorted_usec_list_t sul;
    ws_conn *conns;
    size_t nconns;
    uint64_t last_check_ms;     /* last batched notice check */
};

typedef struct ws_pss {
    ws_conn *c;
} ws_pss;

static uint64_t ws_now_ms(void)
{
    return uv_hrtime() / 1000000u;
}

static void ws_conn_free(ws_conn *c)
{
    if (!c)
        return;
    ws_queue_clear(&c->out);
    while (c->in_head) {
        ws_in *i = c->in_head;
        c->in_head = i->next;
        ws_frame_clear(&i->f);
        free(i);
    }
    buf_free(&c->rx.data);
    free(c->user);
    free(c);
}

/* Free a closed connection once nothing refers to it any more. */
static void ws_conn_release(ws_conn *c)
{
    if (!c->wsi && !c->busy && !c->polling)
        ws_conn_free(c);
}

/* Queue a frame (takes text) and ask for WRITEABLE. */
static void ws_send_take(ws_conn *c, char *text, size_t len)
{
    if (!c->wsi) {
        free(text);
        return;
    }
    const config *cfg = c->hub->app->cfg;
    if (ws_queue_push(&c->out, text, len, (size_t)cfg->webchat.max_out) < 0)
        c->overflow = 1;        /* a reader this slow is dropped */
    free(text);
    lws_callback_on_writable(c->wsi);
}

/* The router's reply (takes text), from outside every lws callback: written
 * at once when nothing waits before it (bot/http/ws_queue.h). */
static void ws_send_now(ws_conn *c, char *text, size_t len)
{
    const config *cfg = c->hub->app->cfg;
    if (ws_queue_send(&c->out, c->wsi, text, len, (size_t)cfg->webchat.max_out) < 0) {
        c->overflow = 1;        /* closed at the next WRITEABLE */
        lws_callback_on_writable(c->wsi);
    } else if (!c->out.head) {
        metrics_ws_frame(c->hub->app->metrics, 1);
    }
    free(text);
}

static void ws_send_error(ws_conn *c, const char *code)
{
    size_t n;
    buf key = {0};
    buf_printf(&key, "errors.%s", code);
    const char *msg = messages_get(c->hub->app->msgs, key.data, "vi");
    buf_free(&key);
    char *t = ws_render_error(code, msg, &n);
    ws_send_take(c, t, n);
}

static void ws_set_user(ws_conn *c, const char *user)
{
    free(c->user);
    c->user = xstrdup(user);
    c->last_poll_ms = 0;        /* fetch its notices at the next tick */
    size_t n;
    char *t = ws_render_hello(user, &n);
    ws_send_take(c, t, n);
}

/* An anonymous connection gets "w-" and 32 random hex digits (128 bits:
 * the id is the conversation's bearer, issued only here, issue 19/12). */
static void ws_anon_user(ws_conn *c)
{
    unsigned char r[16];
    char id[40];
    lws_get_random(c->hub->ctx, r, sizeof(r));
    strcpy(id, "w-");
    for (size_t i = 0; i < sizeof(r); i++)
        snprintf(id + 2 + 2 * i, 3, "%02x", r[i]);
    ws_set_user(c, id);
}

static void ws_pump(ws_conn *c);

static void ws_routed(int status, reply *r, const char *intent, void *ctx)
{
    ws_conn *c = ctx;
    c->busy = 0;
    if (!c->wsi) {
        reply_free(r);
        ws_conn_release(c);
        return;
    }
    if (status == ROUTER_LIMITED) {
        ws_send_error(c, "rate_limited");
    } else if (status != ROUTER_OK) {
        ws_send_error(c, "unavailable");
    } else {
        /* pumping: called back from within router_handle(), so from within
         * LWS_CALLBACK_RECEIVE: the frames wait for WRITEABLE */
        const struct chat_json *j = router_reply_json(c->hub->app->router); /* escaped once */
        for (size_t i = 0; r && i < r->nparts; i++) {
            size_t n;
            char *t = ws_render_reply_part(r, j, i, intent, &n);
            if (c->pumping || c->overflow)
                ws_send_take(c, t, n);
            else
                ws_send_now(c, t, n);
        }
    }
    reply_free(r);
    if (!c->pumping)
        ws_pump(c);
}

/* Hand queued frames to the router, one at a time. */
static void ws_pump(ws_conn *c)
{
    c->pumping = 1;
    while (c->wsi && !c->busy && c->in_head) {
        ws_in *in = c->in_head;
        c->in_head = in->next;
        if (!c->in_head)
            c->in_tail = NULL;
        c->nin--;
        if (in->f.type == WS_FRAME_HELLO) {
            ws_set_user(c, in->f.user);
        } else {
            if (!c->user)
                ws_anon_user(c);
            message *m = ws_frame_message(&in->f, CHANNEL_CHAT, c->user);
            m->addr = c->addr[0] ? xstrdup(c->addr) : NULL;
            c->busy = 1;
            if (router_handle(c->hub->app->router, m, ws_routed, c) < 0) {
                c->busy = 0;
                ws_send_error(c, "unavailable");
            }
        }
        ws_frame_clear(&in->f);
        free(in);
    }
    c->pumping = 0;
}

/* One complete client frame. */
static void ws_frame_in(ws_conn *c, const char *data, size_t len, int binary)
{
    const config *cfg = c->hub->app->cfg;
    ws_frame f;
    const char *err;
    if (binary) {
        ws_send_error(c, "invalid_json");
        return;
    }
    if (ws_parse(data, len, (size_t)cfg->chat.max_text, &f, &err) < 0) {
        ws_send_error(c, err);
        return;
    }
    if (c->nin >= WS_IN_MAX) {
        ws_frame_clear(&f);
        ws_send_error(c, "busy");
        return;
    }
    ws_in *in = xmalloc(sizeof(*in));   /* not calloc: it bypasses glibc's per-thread cache */
    *in = (ws_in){.f = f};
    if (c->in_tail)
        c->in_tail->next = in;
    else
        c->in_head = in;
    c->in_tail = in;
    c->nin++;
    ws_pump(c);
}

static void ws_receive(struct lws *wsi, ws_conn *c, const void *in, size_t len)
{
    const config *cfg = c->hub->app->cfg;
    c->last_rx_ms = ws_now_ms();
    if (!http_ws_rx_feed(&c->rx, wsi, in, len, (size_t)cfg->webchat.max_frame))
        return;
    metrics_ws_frame(c->hub->app->metrics, 0);
    if (c->rx.too_large)
        ws_send_error(c, "frame_too_large");
    else
        ws_frame_in(c, c->rx.data.data ? c->rx.data.data : "", c->rx.data.len,
                    lws_frame_is_binary(wsi));
    http_ws_rx_reset(&c->rx);
}

static int ws_writeable(struct lws *wsi, ws_conn *c)
{
    if (c->overflow)
        return -1;
    if (c->ping_due) {
        /* a payload: lws 4.1 does not report an empty PONG (RECEIVE_PONG) */
        unsigned char ping[LWS_PRE + 4];
        memcpy(ping + LWS_PRE, "dvcb", 4);
        c->ping_due = 0;
        if (lws_write(wsi, ping + LWS_PRE, 4, LWS_WRITE_PING) < 0)
            return -1;
        if (c->out.head)
            lws_callback_on_writable(wsi);
        return 0;
    }
    if (!c->out.head)
        return 0;
    metrics_ws_frame(c->hub->app->metrics, 1);
    return ws_queue_write(&c->out, wsi);
}

static void ws_noticed(int status, const char *const *notices, size_t n, void *privdata)
{
    ws_conn *c = privdata;
    c->polling = 0;
    if (!c->wsi) {
        ws_conn_release(c);
        return;
    }
    for (size_t i = 0; status == 0 && i < n; i++)
        if (ws_notice_valid(notices[i], strlen(notices[i])))
            ws_send_take(c, xstrdup(notices[i]), strlen(notices[i]));
    if (status == 0 && n == WS_NOTICES_BATCH)
        c->last_poll_ms = 0;    /* more waiting: fetch again at the next tick */
}

static void ws_pop_notices(ws_hub *h, ws_conn *c)
{
    if (outbox_notices_pop(h->app->store, "chat", c->user, WS_NOTICES_BATCH, ws_noticed, c) == 0)
        c->polling = 1;
}

/* One existence check for up to AGENTQ_BATCH_MAX users; the connections stay
 * alive (polling) until it answers. */
typedef struct ws_batch {
    ws_hub *h;
    ws_conn *conns[AGENTQ_BATCH_MAX];
    size_t n;
} ws_batch;

static void ws_checked(int status, const unsigned char *flags, size_t n, void *privdata)
{
    ws_batch *b = privdata;
    for (size_t i = 0; i < b->n; i++) {
        ws_conn *c = b->conns[i];
        c->polling = 0;
        if (!c->wsi)
            ws_conn_release(c);
        else if (status == 0 && i < n && flags[i])
            ws_pop_notices(c->hub, c);
    }
    free(b);
}

static void ws_check_batch(ws_batch *b)
{
    const char *users[AGENTQ_BATCH_MAX];
    for (size_t i = 0; i < b->n; i++)
        users[i] = b->conns[i]->user;
    if (agentq_notices_waiting(b->h->app->store, "chat", users, b->n, ws_checked, b) < 0) {
        for (size_t i = 0; i < b->n; i++)
            b->conns[i]->polling = 0;
        free(b);
        return;
    }
    for (size_t i = 0; i < b->n; i++)
        b->conns[i]->polling = 1;
}

/* Ping or close one connection; a user just identified gets its notices now. */
static void ws_tick_conn(ws_hub *h, ws_conn *c, uint64_t now, const config *cfg)
{
    uint64_t silent = now - c->last_rx_ms;
    if (silent > (uint64_t)cfg->webchat.idle_timeout_s * 1000) {
        lws_set_timeout(c->wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
        return;
    }
    if (silent > (uint64_t)cfg->webchat.ping_s * 1000 &&
        now - c->last_ping_ms > (uint64_t)cfg->webchat.ping_s * 1000) {
        c->last_ping_ms = now;
        c->ping_due = 1;
        lws_callback_on_writable(c->wsi);
    }
    if (c->user && !c->polling && c->last_poll_ms == 0) {
        c->last_poll_ms = now;
        ws_pop_notices(h, c);
    }
}

/* Every notice_poll_ms: which identified users have notices (batched). */
static void ws_check_notices(ws_hub *h)
{
    ws_batch *b = NULL;
    for (ws_conn *c = h->conns; c; c = c->next) {
        if (!c->user || c->polling)
            continue;
        if (!b) {
            b = xmalloc(sizeof(*b));
            b->h = h;
            b->n = 0;
        }
        b->conns[b->n++] = c;
        if (b->n == AGENTQ_BATCH_MAX) {
            ws_check_batch(b);
            b = NULL;
        }
    }
    if (b)
        ws_check_batch(b);
}

static void ws_tick(lws_sorted_usec_list_t *sul)
{
    ws_hub *h = lws_container_of(sul, ws_hub, sul);
    const config *cfg = h->app->cfg;
    uint64_t now = ws_now_ms();
    for (ws_conn *c = h->conns; c; c = c->next)
        ws_tick_conn(h, c, now, cfg);
    if (!h->app->events && now - h->last_check_ms >= (uint64_t)cfg->webchat.notice_poll_ms) {
        h->last_check_ms = now;
        ws_check_notices(h);
    }
    int every = cfg->webchat.notice_poll_ms < 200 ? cfg->webchat.notice_poll_ms : 200;
    lws_sul_schedule(h->ctx, 0, &h->sul, ws_tick, (lws_usec_t)every * 1000);
}

static void ws_established(struct lws *wsi, ws_pss *pss)
{
    ws_hub *h = lws_protocol_vh_priv_get(lws_get_vhost(wsi), lws_get_protocol(wsi));
    ws_conn *c = xcalloc(1, sizeof(*c));
    c->wsi = wsi;
    c->hub = h;
    c->last_rx_ms = c->last_ping_ms = ws_now_ms();
    http_client_addr(wsi, c->addr, sizeof(c->addr));
    c->next = h->conns;
    if (h->conns)
        h->conns->prev = c;
    h->conns = c;
    h->nconns++;
    metrics_ws_conn(h->app->metrics, 1);
    pss->c = c;
}

static void ws_closed(ws_pss *pss)
{
    ws_conn *c = pss->c;
    if (!c)
        return;
    pss->c = NULL;
    ws_hub *h = c->hub;
    if (c->prev)
        c->prev->next = c->next;
    else
        h->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    h->nconns--;
    metrics_ws_conn(h->app->metrics, -1);
    c->wsi = NULL;
    c->hub = NULL;
    ws_conn_release(c);
}

/* "chat:{user}\n{json}" published by notice_push: to every connection of
 * that user on this instance, then out of the list. */
static void ws_on_notice_ev(const char *ch, const char *msg, size_t len, void *privdata)
{
    ws_hub *h = privdata;
    (void)ch;
    const char *nl = memchr(msg, '\n', len);
    if (!nl || nl - msg < 6 || memcmp(msg, "chat:", 5))
        return;
    size_t ulen = (size_t)(nl - msg) - 5, jlen = len - (size_t)(nl - msg) - 1;
    const char *json = nl + 1;
    if (!ws_notice_valid(json, jlen))
        return;
    int sent = 0;
    for (ws_conn *c = h->conns; c; c = c->next)
        if (c->user && strlen(c->user) == ulen && !memcmp(c->user, msg + 5, ulen)) {
            ws_send_take(c, xstrndup(json, jlen), jlen);
            sent = 1;
        }
    if (sent) {
        char *user = xstrndup(msg + 5, ulen);
        outbox_notice_ack(h->app->store, "chat", user, json, jlen);
        free(user);
    }
}

/* The subscriber (re)connected: what was published meanwhile is in the lists. */
static void ws_on_events_up(void *privdata)
{
    ws_hub *h = privdata;
    for (ws_conn *c = h->conns; c; c = c->next)
        c->last_poll_ms = 0;
}

static int ws_protocol_init(struct lws *wsi)
{
    ws_hub *h = lws_protocol_vh_priv_zalloc(lws_get_vhost(wsi), lws_get_protocol(wsi),
                                            sizeof(*h));
    if (!h)
        return -1;
    h->ctx = lws_get_context(wsi);
    h->app = lws_context_user(h->ctx);
    store_sub_listen(h->app->events, STORE_EV_NOTICE, ws_on_notice_ev, ws_on_events_up, h);
    lws_sul_schedule(h->ctx, 0, &h->sul, ws_tick, 500 * LWS_US_PER_MS);
    return 0;
}

int ep_ws(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len)
{
    ws_pss *pss = user;
    switch (reason) {
    case LWS_CALLBACK_PROTOCOL_INIT:
        return ws_protocol_init(wsi);
    case LWS_CALLBACK_PROTOCOL_DESTROY: {
        ws_hub *h = lws_protocol_vh_priv_get(lws_get_vhost(wsi), lws_get_protocol(wsi));
        if (h) {
            lws_sul_cancel(&h->sul);
            store_sub_unlisten(h->app->events, h);
        }
        return 0;
    }
    case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION:
        return http_ws_filter(wsi, "/ws/chat") < 0 ? 1 : 0;
    case LWS_CALLBACK_ESTABLISHED:
        ws_established(wsi, pss);
        return 0;
    case LWS_CALLBACK_RECEIVE:
        if (pss->c)
            ws_receive(wsi, pss->c, in, len);
        return 0;
    case LWS_CALLBACK_RECEIVE_PONG:
        if (pss->c)
            pss->c->last_rx_ms = ws_now_ms();
        return 0;
    case LWS_CALLBACK_SERVER_WRITEABLE:
        return pss->c ? ws_writeable(wsi, pss->c) : 0;
    case LWS_CALLBACK_CLOSED:
        ws_closed(pss);
        return 0;
    default:
        return 0;
    }
}

size_t ws_connections(struct lws_context *ctx)
{
    struct lws_vhost *vh = lws_get_vhost_by_name(ctx, "default");
    const struct lws_protocols *p = vh ? lws_vhost_name_to_protocol(vh, "dvcbot.chat.v1") : NULL;
    ws_hub *h = p ? lws_protocol_vh_priv_get(vh, p) : NULL;
    return h ? h->nconns : 0;
}
