/* agent.c -- the agent hub: router hook, operator registry, wait timer (see agent.h). */
#include "bot/conv/agent.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bot/app/log.h"
#include "common/buf.h"
#include "store/agent_queue.h"
#include "common/xmalloc.h"

/* An operator connection and what the hub may do with it. */
typedef struct agent_op_ref {
    struct agent_op *op;
    const agent_op_ops *ops;
} agent_op_ref;

static const char *agent_op_ref_name(const agent_op_ref *r) { return r->ops->name(r->op); }
static void agent_op_ref_send(const agent_op_ref *r, const char *text, size_t len)
{
    r->ops->send(r->op, text, len);
}

struct agent_hub {
    uv_loop_t *loop;
    store *store;
    const config *cfg;
    const messages *msgs;
    uv_timer_t timer;
    int timer_on;
    int listing;                /* a queue listing is in flight */
    int expiring;
    char *timeout_notice;       /* JSON notice for a citizen who waited too long */
    agent_op_ref *ops;
    size_t nops, capops;
    store_sub *events;          /* NULL: this instance's consoles only */
};

typedef struct agent_checking {
    agent_hub *h;
    agent_check_fn *fn;
    void *ctx;
    char *conv;
    char *text;
} agent_checking;

static long long agent_now(void)
{
    return (long long)time(NULL);
}

static char *agent_timeout_json(const messages *msgs)
{
    buf b = {0};
    buf_puts(&b, "{\"type\":\"notice\",\"kind\":\"agent_timeout\",\"text\":");
    buf_json_str(&b, messages_get(msgs, "human_agent.timeout", "vi"));
    buf_puts(&b, ",\"buttons\":[{\"title\":");
    buf_json_str(&b, messages_get(msgs, "menu.complaint_new", "vi"));
    buf_puts(&b, ",\"payload\":\"complaint_new\"}]}");
    return buf_detach(&b, NULL);
}

static void agent_broadcast(agent_hub *h, const char *text, size_t len)
{
    for (size_t i = 0; i < h->nops; i++)
        if (*agent_op_ref_name(&h->ops[i]))
            agent_op_ref_send(&h->ops[i], text, len);
}

static void agent_listed(int status, const char *json, size_t len, void *privdata)
{
    agent_hub *h = privdata;
    h->listing = 0;
    if (status < 0 || !h->nops)
        return;
    buf b = {0};
    buf_puts(&b, "{\"type\":\"queue\",\"items\":");
    buf_append(&b, json, len);
    buf_putc(&b, '}');
    agent_broadcast(h, b.data, b.len);
    buf_free(&b);
}

static void agent_expired(int status, long long n, void *privdata)
{
    agent_hub *h = privdata;
    h->expiring = 0;
    if (status == 0 && n > 0)
        log_info("agent: %lld conversation(s) waited longer than %d s", n, h->cfg->webchat.agent_wait_s);
}

static void agent_tick(uv_timer_t *t)
{
    agent_hub *h = t->data;
    if (!h->expiring &&
        agentq_expire(h->store, agent_now() - h->cfg->webchat.agent_wait_s, h->timeout_notice,
                      agent_expired, h) == 0)
        h->expiring = 1;
    if (h->nops && !h->listing && agentq_list(h->store, agent_listed, h) == 0)
        h->listing = 1;
}

agent_hub *agent_new(uv_loop_t *loop, store *s, const config *cfg, const messages *msgs)
{
    agent_hub *h = xcalloc(1, sizeof(*h));
    h->loop = loop;
    h->store = s;
    h->cfg = cfg;
    h->msgs = msgs;
    h->timeout_notice = agent_timeout_json(msgs);
    uv_timer_init(loop, &h->timer);
    h->timer.data = h;
    uv_timer_start(&h->timer, agent_tick, 1000, 1000);
    h->timer_on = 1;
    return h;
}

void agent_stop(agent_hub *h)
{
    if (h) {
        store_sub_unlisten(h->events, h);
        h->events = NULL;
    }
    if (h && h->timer_on) {
        h->timer_on = 0;
        uv_close((uv_handle_t *)&h->timer, NULL);
    }
}

void agent_free(agent_hub *h)
{
    if (!h)
        return;
    free(h->timeout_notice);
    free(h->ops);
    free(h);
}

/* A frame for the consoles of operator op on this instance. */
static void agent_to_op(agent_hub *h, const char *op, size_t oplen, const char *frame,
                        size_t len)
{
    for (size_t i = 0; i < h->nops; i++) {
        const char *name = agent_op_ref_name(&h->ops[i]);
        if (strlen(name) == oplen && !memcmp(name, op, oplen))
            agent_op_ref_send(&h->ops[i], frame, len);
    }
}

/* dvcbot:ev:agent "{operator}\n{frame}": published by any instance. */
static void agent_on_event(const char *chan, const char *msg, size_t len, void *privdata)
{
    (void)chan;
    const char *nl = memchr(msg, '\n', len);
    if (nl && nl > msg)
        agent_to_op(privdata, msg, (size_t)(nl - msg), nl + 1, len - (size_t)(nl - msg) - 1);
}

/* dvcbot:ev:revoked "{hash}": close the consoles logged in with that key. */
static void agent_on_revoked(const char *chan, const char *msg, size_t len, void *privdata)
{
    agent_hub *h = privdata;
    (void)chan;
    for (size_t i = 0; i < h->nops; i++) {
        const char *key = h->ops[i].ops->key(h->ops[i].op);
        if (*key && strlen(key) == len && !memcmp(key, msg, len))
            h->ops[i].ops->revoke(h->ops[i].op);
    }
}

void agent_set_events(agent_hub *h, store_sub *events)
{
    if (!h || !events)
        return;
    h->events = events;
    store_sub_listen(events, STORE_EV_AGENT, agent_on_event, NULL, h);
    store_sub_listen(events, STORE_EV_REVOKED, agent_on_revoked, NULL, h);
}

static void agent_checked(int status, int state, const char *op, void *privdata)
{
    agent_checking *k = privdata;
    agent_hub *h = k->h;
    if (status == 0 && state == AGENTQ_HELD) {
        buf b = {0};
        buf_puts(&b, op);
        buf_putc(&b, '\n');
        size_t head = b.len;
        buf_puts(&b, "{\"type\":\"message\",\"conv\":");
        buf_json_str(&b, k->conv);
        buf_puts(&b, ",\"text\":");
        buf_json_str(&b, k->text);
        buf_printf(&b, ",\"at\":%lld}", agent_now());
        if (!h->events || store_publish(h->store, STORE_EV_AGENT, b.data, b.len) < 0)
            agent_to_op(h, op, strlen(op), b.data + head, b.len - head);
        buf_free(&b);
    }
    k->fn(status < 0 ? -1 : 0, state == AGENTQ_HELD, state != AGENTQ_NONE, k->ctx);
    free(k->conv);
    free(k->text);
    free(k);
}

int agent_check(agent_hub *h, const message *m, agent_check_fn *fn, void *ctx)
{
    char *conv = agentq_conv(channel_name(m->channel), m->user);
    if (!conv)
        return -1;
    agent_checking *k = xcalloc(1, sizeof(*k));
    k->h = h;
    k->fn = fn;
    k->ctx = ctx;
    k->conv = conv;
    k->text = xstrdup(m->text ? m->text : m->payload ? m->payload : "");
    if (agentq_state(h->store, conv, agent_checked, k) < 0) {
        free(k->conv);
        free(k->text);
        free(k);
        return -1;
    }
    return 0;
}

void agent_note(agent_hub *h, const message *m, const reply *r, const json_t *session)
{
    if (!h || m->channel != CHANNEL_CHAT ||
        !json_is_true(json_object_get(session, "agent")))
        return;
    char *conv = agentq_conv(channel_name(m->channel), m->user);
    if (!conv)
        return;
    const char *from[2] = {"citizen", "bot"}, *text[2];
    text[0] = m->text ? m->text : m->payload ? m->payload : "";
    buf b = {0};
    for (size_t i = 0; r && i < r->nparts; i++) {
        if (i)
            buf_putc(&b, '\n');
        buf_puts(&b, r->parts[i].text ? r->parts[i].text : "");
    }
    text[1] = b.data;
    agentq_log(h->store, conv, agent_now(), from, text, b.len ? 2 : 1, NULL, NULL);
    buf_free(&b);
    free(conv);
}

store *agent_store(const agent_hub *h) { return h->store; }
const config *agent_config(const agent_hub *h) { return h->cfg; }
const messages *agent_messages(const agent_hub *h) { return h->msgs; }

void agent_op_add(agent_hub *h, struct agent_op *op, const agent_op_ops *ops)
{
    if (h->nops == h->capops) {
        h->capops = h->capops ? 2 * h->capops : 8;
        h->ops = xrealloc(h->ops, h->capops * sizeof(*h->ops));
    }
    h->ops[h->nops++] = (agent_op_ref){op, ops};
}

void agent_op_remove(agent_hub *h, struct agent_op *op)
{
    for (size_t i = 0; i < h->nops; i++)
        if (h->ops[i].op == op) {
            h->ops[i] = h->ops[--h->nops];
            return;
        }
}
