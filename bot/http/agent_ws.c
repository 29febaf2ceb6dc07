/* agent_ws.c -- the operator console's WebSocket: protocol "dvcbot.agent.v1"
 * on /ws/agent (the page is web/agent.html, served at /agent).
 *
 * Client frames (JSON):
 *   {"type":"login","key":"dvc_..."}     an operator key (dvcbot keys create --operator)
 *   {"type":"list"}                      -> {"type":"queue","items":[...]} (also pushed every second)
 *   {"type":"take","conv":"chat:U"}      -> {"type":"taken","conv"} + {"type":"history","conv","items"}
 *   {"type":"history","conv":"chat:U"}   -> {"type":"history",...}
 *   {"type":"reply","conv","text"}       -> {"type":"sent","conv","text"}; the citizen gets a notice
 *   {"type":"release","conv"}            -> {"type":"released","conv"}; the bot answers again
 * Server frames also: {"type":"login","name"}, {"type":"message","conv","text","at"} (the
 * citizen wrote), {"type":"error","error","message"}. Everything but login needs a login.
 *
 * Like ep_ws.c, one heap agent_op per connection outlives the wsi while Redis
 * calls are in flight (op->pending); frames are written only in WRITEABLE. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bot/conv/agent.h"
#include "bot/http/endpoints.h"
#include "bot/http/http.h"
#include "bot/http/ws_queue.h"
#include "common/buf.h"
#include "common/utf8.h"
#include "channels/ws.h"
#include "store/agent_queue.h"
#include "store/keys.h"
#include "common/xmalloc.h"

#define AGENT_OUT_MAX 1024
#define AGENT_FRAME_MAX 16384

struct agent_op {
    struct lws *wsi;            /* NULL once closed */
    agent_hub *hub;
    char *name;                 /* NULL until logged in */
    char key[KEYS_HASH_HEX];    /* hash of the key logged in with ("" before) */
    char trying[KEYS_HASH_HEX]; /* hash of the key of the login in flight */
    int revoked;                /* its key was revoked: close once the error is out */
    int pending;                /* Redis calls in flight */
    ws_queue out;
    http_ws_rx rx;
};

typedef struct agent_call {
    struct agent_op *op;
    char *conv;
    char *text;
} agent_call;

typedef struct agent_pss {
    struct agent_op *op;
} agent_pss;

static const char *agent_ws_name(const struct agent_op *op)
{
    return op->name ? op->name : "";
}

static void agent_op_release(struct agent_op *op)
{
    if (op->wsi || op->pending)
        return;
    ws_queue_clear(&op->out);
    buf_free(&op->rx.data);
    free(op->name);
    free(op);
}

static void agent_ws_send(struct agent_op *op, const char *text, size_t len)
{
    if (!op->wsi)
        return;
    ws_queue_push(&op->out, text, len, AGENT_OUT_MAX);
    lws_callback_on_writable(op->wsi);
}

static void agent_send_error(struct agent_op *op, const char *code)
{
    buf key = {0};
    size_t n;
    buf_printf(&key, "errors.%s", code);
    char *t = ws_render_error(code, messages_get(agent_messages(op->hub), key.data, "vi"), &n);
    buf_free(&key);
    agent_ws_send(op, t, n);
    free(t);
}

/* {"type":T,"conv":C[,"text":X]} */
static void agent_send_conv(struct agent_op *op, const char *type, const char *conv, const char *text)
{
    buf b = {0};
    buf_printf(&b, "{\"type\":\"%s\",\"conv\":", type);
    buf_json_str(&b, conv);
    if (text) {
        buf_puts(&b, ",\"text\":");
        buf_json_str(&b, text);
    }
    buf_putc(&b, '}');
    agent_ws_send(op, b.data, b.len);
    buf_free(&b);
}

static agent_call *agent_call_new(struct agent_op *op, const char *conv, const char *text)
{
    agent_call *c = xcalloc(1, sizeof(*c));
    c->op = op;
    c->conv = conv ? xstrdup(conv) : NULL;
    c->text = text ? xstrdup(text) : NULL;
    op->pending++;
    return c;
}

/* Ends a call: 1 if the operator is still connected (then use c->op). */
static int agent_call_end(agent_call *c)
{
    c->op->pending--;
    int live = c->op->wsi != NULL;
    if (!live)
        agent_op_release(c->op);
    return live;
}

static void agent_call_free(agent_call *c)
{
    free(c->conv);
    free(c->text);
    free(c);
}

/* A notice for the citizen: {"type":"notice","kind":K,"text":T[,"operator":O]} */
static char *agent_notice(const char *kind, const char *text, const char *op)
{
    buf b = {0};
    buf_printf(&b, "{\"type\":\"notice\",\"kind\":\"%s\",\"text\":", kind);
    buf_json_str(&b, text);
    if (op) {
        buf_puts(&b, ",\"operator\":");
        buf_json_str(&b, op);
    }
    buf_putc(&b, '}');
    return buf_detach(&b, NULL);
}

static void agent_on_text(int status, const char *json, size_t len, void *privdata)
{
    agent_call *c = privdata;
    if (agent_call_end(c)) {
        if (status < 0) {
            agent_send_error(c->op, "unavailable");
        } else {
            buf b = {0};
            if (c->conv) {
                buf_puts(&b, "{\"type\":\"history\",\"conv\":");
                buf_json_str(&b, c->conv);
                buf_puts(&b, ",\"items\":");
            } else {
                buf_puts(&b, "{\"type\":\"queue\",\"items\":");
            }
            buf_append(&b, json, len);
            buf_putc(&b, '}');
            agent_ws_send(c->op, b.data, b.len);
            buf_free(&b);
        }
    }
    agent_call_free(c);
}

static void agent_history(struct agent_op *op, const char *conv)
{
    agent_call *c = agent_call_new(op, conv, NULL);
    if (agentq_history(agent_store(op->hub), conv, agent_on_text, c) < 0) {
        op->pending--;
        agent_call_free(c);
        agent_send_error(op, "unavailable");
    }
}

static void agent_list(struct agent_op *op)
{
    agent_call *c = agent_call_new(op, NULL, NULL);
    if (agentq_list(agent_store(op->hub), agent_on_text, c) < 0) {
        op->pending--;
        agent_call_free(c);
        agent_send_error(op, "unavailable");
    }
}

static void agent_on_login(int status, const char *agency, const char *role, void *privdata)
{
    agent_call *c = privdata;
    if (agent_call_end(c)) {
        struct agent_op *op = c->op;
        if (status < 0) {
            agent_send_error(op, "unavailable");
        } else if (status != 0 || strcmp(role, "operator") || !*agency) {
            agent_send_error(op, "unauthorized");
        } else {
            free(op->name);
            op->name = xstrdup(agency);
            memcpy(op->key, op->trying, sizeof(op->key));
            buf b = {0};
            buf_puts(&b, "{\"type\":\"login\",\"name\":");
            buf_json_str(&b, op->name);
            buf_putc(&b, '}');
            agent_ws_send(op, b.data, b.len);
            buf_free(&b);
            agent_list(op);
        }
    }
    agent_call_free(c);
}

static void agent_login(struct agent_op *op, const char *key)
{
    char hex[KEYS_HASH_HEX];
    if (!key || !keys_text_valid(key, strlen(key)) || keys_hash(key, strlen(key), hex) < 0) {
        agent_send_error(op, "unauthorized");
        return;
    }
    memcpy(op->trying, hex, sizeof(op->trying));
    agent_call *c = agent_call_new(op, NULL, NULL);
    if (keys_lookup(agent_store(op->hub), hex, agent_on_login, c) < 0) {
        op->pending--;
        agent_call_free(c);
        agent_send_error(op, "unavailable");
    }
}

/* take / reply / release: status 0 done, 1 refused. */
static void agent_on_done(int status, void *privdata, const char *type, const char *refused)
{
    agent_call *c = privdata;
    if (agent_call_end(c)) {
        if (status < 0)
            agent_send_error(c->op, "unavailable");
        else if (status == 1)
            agent_send_error(c->op, refused);
        else {
            agent_send_conv(c->op, type, c->conv, c->text);
            if (!strcmp(type, "taken"))
                agent_history(c->op, c->conv);
        }
    }
    agent_call_free(c);
}

static void agent_on_take(int status, void *p) { agent_on_done(status, p, "taken", "not_waiting"); }
static void agent_on_say(int status, void *p) { agent_on_done(status, p, "sent", "not_held"); }
static void agent_on_release(int status, void *p) { agent_on_done(status, p, "released", "not_held"); }

/* One action on a conversation. */
static void agent_act(struct agent_op *op, const char *type, const char *conv, const char *text)
{
    const messages *msgs = agent_messages(op->hub);
    store *s = agent_store(op->hub);
    long long now = (long long)time(NULL);
    agent_call *c = agent_call_new(op, conv, text);
    char *notice = NULL;
    int rc;
    if (!strcmp(type, "take")) {
        buf t = {0};
        messages_format(msgs, "human_agent.taken", "vi", &t, "operator", op->name, NULL);
        notice = agent_notice("agent_taken", t.data ? t.data : "", op->name);
        buf_free(&t);
        rc = agentq_take(s, conv, op->name, notice, now, agent_on_take, c);
    } else if (!strcmp(type, "reply")) {
        notice = agent_notice("agent_message", text, op->name);
        rc = agentq_say(s, conv, op->name, text, notice, now, agent_on_say, c);
    } else {
        notice = agent_notice("agent_released", messages_get(msgs, "human_agent.released", "vi"),
                              op->name); /* [web] the page asks to rate this operator */
        rc = agentq_release(s, conv, op->name, notice, agent_on_release, c);
    }
    free(notice);
    if (rc < 0) {
        op->pending--;
        agent_call_free(c);
        agent_send_error(op, "unavailable");
    }
}

static const char *agent_str(json_t *root, const char *field)
{
    json_t *v = json_object_get(root, field);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

static void agent_frame(struct agent_op *op, const char *data, size_t len)
{
    json_t *root = json_loadb(data, len, JSON_REJECT_DUPLICATES, NULL);
    const char *type = agent_str(root, "type"), *conv = agent_str(root, "conv");
    const char *text = agent_str(root, "text");
    if (!json_is_object(root))
        agent_send_error(op, "invalid_json");
    else if (!type)
        agent_send_error(op, "unknown_type");
    else if (!strcmp(type, "login"))
        agent_login(op, agent_str(root, "key"));
    else if (!op->name)
        agent_send_error(op, "unauthorized");
    else if (!strcmp(type, "list"))
        agent_list(op);
    else if (strcmp(type, "take") && strcmp(type, "reply") && strcmp(type, "release") &&
             strcmp(type, "history"))
        agent_send_error(op, "unknown_type");
    else if (!conv || !strchr(conv, ':'))
        agent_send_error(op, "invalid_code");
    else if (!strcmp(type, "history"))
        agent_history(op, conv);
    else if (!strcmp(type, "reply") && (!text || !*text || !utf8_valid_text(text, strlen(text))))
        agent_send_error(op, "invalid_text");
    else
        agent_act(op, type, conv, text);
    json_decref(root);
}

static void agent_receive(struct lws *wsi, struct agent_op *op, const void *in, size_t len)
{
    if (!http_ws_rx_feed(&op->rx, wsi, in, len, AGENT_FRAME_MAX))
        return;
    if (op->rx.too_large)
        agent_send_error(op, "frame_too_large");
    else
        agent_frame(op, op->rx.data.data ? op->rx.data.data : "", op->rx.data.len);
    http_ws_rx_reset(&op->rx);
}

static const char *agent_ws_key(const struct agent_op *op)
{
    return op->key;
}

/* The key was revoked (on any instance): say so, then close. */
static void agent_ws_revoke(struct agent_op *op)
{
    if (!op->wsi || op->revoked)
        return;
    op->revoked = 1;
    free(op->name);
    op->name = NULL;
    op->key[0] = '\0';
    agent_send_error(op, "unauthorized");
}

static const agent_op_ops agent_ws_ops = {.send = agent_ws_send, .name = agent_ws_name,
                                          .key = agent_ws_key, .revoke = agent_ws_revoke};

static int agent_ws_writeable(struct lws *wsi, struct agent_op *op)
{
    if (ws_queue_write(&op->out, wsi) < 0)
        return -1;
    if (op->revoked && !op->out.head) {
        lws_close_reason(wsi, LWS_CLOSE_STATUS_POLICY_VIOLATION, (unsigned char *)"revoked", 7);
        return -1;
    }
    return 0;
}

int ep_agent_ws(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len)
{
    agent_pss *pss = user;
    switch (reason) {
    case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION:
        return http_ws_filter(wsi, "/ws/agent") < 0 || !http_app(wsi)->agent ? 1 : 0;
    case LWS_CALLBACK_ESTABLISHED:
        pss->op = xcalloc(1, sizeof(*pss->op));
        pss->op->wsi = wsi;
        pss->op->hub = http_app(wsi)->agent;
        agent_op_add(pss->op->hub, pss->op, &agent_ws_ops);
        return 0;
    case LWS_CALLBACK_RECEIVE:
        if (pss->op)
            agent_receive(wsi, pss->op, in, len);
        return 0;
    case LWS_CALLBACK_SERVER_WRITEABLE:
        return pss->op ? agent_ws_writeable(wsi, pss->op) : 0;
    case LWS_CALLBACK_CLOSED:
        if (pss->op) {
            agent_op_remove(pss->op->hub, pss->op);
            pss->op->wsi = NULL;
            agent_op_release(pss->op);
            pss->op = NULL;
        }
        return 0;
    default:
        return 0;
    }
}
