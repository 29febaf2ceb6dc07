/* push.c -- what the push-channel adapters share (see push.h): events and
 * calls, the inbound stream's JSON form of an event, small helpers. */
#include "channels/push.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/utf8.h"
#include "common/xmalloc.h"

void push_event_clear(push_event *e)
{
    if (!e)
        return;
    free(e->user);
    free(e->id);
    free(e->text);
    free(e->payload);
    free(e->phone);
    free(e->answer);
    memset(e, 0, sizeof(*e));
}

void push_events_clear(push_events *e)
{
    if (!e)
        return;
    for (size_t i = 0; i < e->n; i++)
        push_event_clear(&e->v[i]);
    free(e->v);
    e->v = NULL;
    e->n = 0;
}

/* A JSON string of n bytes of s. */
static void buf_json_escape_wrap(buf *b, const char *s, size_t n)
{
    buf_putc(b, '"');
    buf_json_escape(b, s, n);
    buf_putc(b, '"');
}

static void push_kv(buf *b, const char *k, const char *v)
{
    if (!v)
        return;
    buf_printf(b, ",\"%s\":", k);
    buf_json_str(b, v);
}

char *push_event_encode(const push_event *e, size_t *len)
{
    buf b = {0};
    buf_printf(&b, "{\"kind\":%d,\"ts\":%lld", (int)e->kind, e->ts_ms);
    push_kv(&b, "user", e->user);
    push_kv(&b, "id", e->id);
    push_kv(&b, "text", e->text);
    push_kv(&b, "payload", e->payload);
    push_kv(&b, "phone", e->phone);
    push_kv(&b, "answer", e->answer);
    buf_putc(&b, '}');
    return buf_detach(&b, len);
}

static char *push_get(json_t *o, const char *k)
{
    json_t *v = json_object_get(o, k);
    return json_is_string(v) ? xstrndup(json_string_value(v), json_string_length(v)) : NULL;
}

int push_event_decode(const char *json, size_t len, push_event *e)
{
    memset(e, 0, sizeof(*e));
    json_t *o = json_loadb(json, len, 0, NULL);
    json_t *k = json_object_get(o, "kind");
    json_int_t kind = json_is_integer(k) ? json_integer_value(k) : 0;
    if (!json_is_object(o) || kind < PUSH_EV_TEXT || kind > PUSH_EV_CONTACT) {
        json_decref(o);
        return -1;
    }
    e->kind = (push_kind)kind;
    json_t *ts = json_object_get(o, "ts");
    e->ts_ms = json_is_integer(ts) ? (long long)json_integer_value(ts) : 0;
    e->user = push_get(o, "user");
    e->id = push_get(o, "id");
    e->text = push_get(o, "text");
    e->payload = push_get(o, "payload");
    e->phone = push_get(o, "phone");
    e->answer = push_get(o, "answer");
    json_decref(o);
    if (!e->user || !*e->user || (e->kind == PUSH_EV_TEXT && !e->text) ||
        (e->kind == PUSH_EV_POSTBACK && !e->payload) || (e->kind == PUSH_EV_CONTACT && !e->phone)) {
        push_event_clear(e);
        return -1;
    }
    return 0;
}

message *push_event_message(const push_event *e, channel c)
{
    if (e->kind != PUSH_EV_TEXT && e->kind != PUSH_EV_POSTBACK)
        return NULL;
    message *m = message_new(c, e->user, strlen(e->user));
    if (e->kind == PUSH_EV_TEXT)
        m->text = xstrdup(e->text);
    else
        m->payload = xstrdup(e->payload);
    if (e->id)
        m->ref = xstrdup(e->id);
    return m;
}

void push_calls_add(push_calls *c, const char *method, char *body, size_t len)
{
    c->v = xrealloc(c->v, (c->n + 1) * sizeof(*c->v));
    c->v[c->n].method = xstrdup(method);
    c->v[c->n].body = body;
    c->v[c->n].len = len;
    c->n++;
}

void push_calls_free(push_calls *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n; i++) {
        free(c->v[i].method);
        free(c->v[i].body);
    }
    free(c->v);
    c->v = NULL;
    c->n = 0;
}

char *push_calls_json(const push_calls *c)
{
    buf b = {0};
    buf_putc(&b, '[');
    for (size_t i = 0; i < c->n; i++) {
        buf_puts(&b, i ? ",[" : "[");
        buf_json_str(&b, c->v[i].method);
        buf_putc(&b, ',');
        buf_json_escape_wrap(&b, c->v[i].body, c->v[i].len);
        buf_putc(&b, ']');
    }
    buf_putc(&b, ']');
    return buf_detach(&b, NULL);
}

const char *push_outcome_name(push_outcome o)
{
    static const char *const names[] = {"sent", "retry", "token", "quota", "blocked",
                                        "window", "failed"};
    return (unsigned)o <= PUSH_FAILED ? names[o] : "unknown";
}

int push_secret_equal(const char *a, const char *b)
{
    if (!a || !b)
        return 0;
    size_t na = strlen(a), nb = strlen(b);
    unsigned char d = na != nb;
    for (size_t i = 0; i < na; i++)
        d |= (unsigned char)(a[i] ^ b[i % (nb ? nb : 1)]);
    return d == 0 && nb > 0;
}

size_t push_utf8_cut(const char *s, size_t n, size_t max)
{
    if (n <= max)
        return n;
    size_t k = max;
    while (k > 0 && ((unsigned char)s[k] & 0xC0) == 0x80)
        k--;
    return k;
}
