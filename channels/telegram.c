/* telegram.c -- the Telegram Bot API adapter (see telegram.h). */
#include "channels/telegram.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/utf8.h"
#include "common/xmalloc.h"

static int tg_verify(const push_verify_in *in, const char **errkey)
{
    *errkey = "bad_signature";
    return in->secret && *in->secret && push_secret_equal(in->signature, in->secret) ? 0 : -1;
}

/* A positive integer id as text, or NULL. */
static char *tg_id(json_t *o, const char *k)
{
    json_t *v = json_object_get(o, k);
    if (!json_is_integer(v) || json_integer_value(v) <= 0)
        return NULL;
    char tmp[32];
    snprintf(tmp, sizeof(tmp), "%lld", (long long)json_integer_value(v));
    return xstrdup(tmp);
}

static push_event *tg_add(push_events *out, push_kind k, char *user, const char *uid)
{
    out->v = xrealloc(out->v, (out->n + 1) * sizeof(*out->v));
    push_event *e = &out->v[out->n++];
    memset(e, 0, sizeof(*e));
    e->kind = k;
    e->user = user;
    e->id = xstrdup(uid);
    return e;
}

static int tg_private(json_t *msg)
{
    const char *ty = json_string_value(json_object_get(json_object_get(msg, "chat"), "type"));
    return ty && !strcmp(ty, "private");
}

static int tg_message(json_t *msg, const char *uid, push_events *out)
{
    if (!tg_private(msg))
        return 0;
    char *user = tg_id(json_object_get(msg, "from"), "id");
    if (!user)
        return -1;
    json_t *date = json_object_get(msg, "date");
    long long ts = json_is_integer(date) && json_integer_value(date) > 0 &&
                   json_integer_value(date) < 100000000000LL
                   ? (long long)json_integer_value(date) * 1000 : 0;
    json_t *t = json_object_get(msg, "text"), *c = json_object_get(msg, "contact");
    const char *s = json_string_value(t);
    size_t n = json_string_length(t);
    push_event *e = NULL;
    if (s && utf8_valid_text(s, n)) {
        if (!strcmp(s, "/start") || !strncmp(s, "/start ", 7)) {
            e = tg_add(out, PUSH_EV_FOLLOW, user, uid);
        } else {
            e = tg_add(out, PUSH_EV_TEXT, user, uid);
            e->text = xstrndup(s, push_utf8_cut(s, n, PUSH_TEXT_MAX));
        }
    } else if (json_is_object(c)) {
        char *owner = tg_id(c, "user_id");
        json_t *ph = json_object_get(c, "phone_number");
        if (owner && !strcmp(owner, user) && json_is_string(ph) && json_string_length(ph) <= 20) {
            e = tg_add(out, PUSH_EV_CONTACT, user, uid);
            e->phone = xstrdup(json_string_value(ph));
        } else {
            free(user);
        }
        free(owner);
    } else {
        free(user); /* photos, stickers, ...: nothing to do */
    }
    if (e)
        e->ts_ms = ts;
    return 0;
}

static int tg_callback(json_t *cq, const char *uid, push_events *out)
{
    char *user = tg_id(json_object_get(cq, "from"), "id");
    json_t *idv = json_object_get(cq, "id"), *d = json_object_get(cq, "data");
    if (!user || !json_is_string(idv) || json_string_length(idv) > 128) {
        free(user);
        return -1;
    }
    const char *s = json_string_value(d);
    size_t n = json_string_length(d);
    push_event *e;
    if (s && n > 1 && n <= TELEGRAM_DATA_MAX && utf8_valid_text(s, n) && (s[0] == 'P' || s[0] == 'T')) {
        e = tg_add(out, s[0] == 'P' ? PUSH_EV_POSTBACK : PUSH_EV_TEXT, user, uid);
        *(s[0] == 'P' ? &e->payload : &e->text) = xstrndup(s + 1, n - 1);
    } else {
        e = tg_add(out, PUSH_EV_POSTBACK, user, uid); /* not ours: acknowledged, shown help */
        e->payload = xstrdup("intent:help");
    }
    e->answer = xstrdup(json_string_value(idv));
    return 0;
}

static int tg_member(json_t *cm, const char *uid, push_events *out)
{
    if (!tg_private(cm))
        return 0;
    char *user = tg_id(json_object_get(cm, "from"), "id");
    const char *st = json_string_value(json_object_get(json_object_get(cm, "new_chat_member"),
                                                       "status"));
    if (!user || !st) {
        free(user);
        return user ? 0 : -1;
    }
    if (!strcmp(st, "kicked"))
        tg_add(out, PUSH_EV_UNFOLLOW, user, uid);
    else if (!strcmp(st, "member"))
        tg_add(out, PUSH_EV_FOLLOW, user, uid);
    else
        free(user);
    return 0;
}

static int tg_parse(const char *body, size_t len, push_events *out, const char **errkey)
{
    memset(out, 0, sizeof(*out));
    json_t *o = json_loadb(body, len, JSON_REJECT_DUPLICATES, NULL);
    json_t *upd = json_object_get(o, "update_id");
    if (!json_is_object(o) || !json_is_integer(upd)) {
        *errkey = json_is_object(o) ? "invalid_event" : "invalid_json";
        json_decref(o);
        return -1;
    }
    char uid[32];
    snprintf(uid, sizeof(uid), "u%lld", (long long)json_integer_value(upd));
    json_t *v;
    int rc = 0;
    if ((v = json_object_get(o, "message")) && json_is_object(v))
        rc = tg_message(v, uid, out);
    else if ((v = json_object_get(o, "callback_query")) && json_is_object(v))
        rc = tg_callback(v, uid, out);
    else if ((v = json_object_get(o, "my_chat_member")) && json_is_object(v))
        rc = tg_member(v, uid, out);
    json_decref(o);
    if (rc < 0) {
        push_events_clear(out);
        *errkey = "invalid_event";
    }
    return rc;
}

static void tg_cut(buf *b, const char *s, size_t max)
{
    buf_putc(b, '"');
    buf_json_escape(b, s, push_utf8_cut(s, strlen(s), max));
    buf_putc(b, '"');
}

static void tg_button(buf *b, const reply_button *bt)
{
    buf_puts(b, "[{\"text\":");
    tg_cut(b, bt->title, 200);
    buf_puts(b, ",\"callback_data\":");
    size_t pn = strlen(bt->payload);
    if (pn + 1 <= TELEGRAM_DATA_MAX && pn > 0) {
        buf_puts(b, "\"P");
        buf_json_escape(b, bt->payload, pn);
        buf_putc(b, '"');
    } else {
        buf_puts(b, "\"T");
        buf_json_escape(b, bt->title, push_utf8_cut(bt->title, strlen(bt->title),
                                                    TELEGRAM_DATA_MAX - 1));
        buf_putc(b, '"');
    }
    buf_puts(b, "}]");
}

static void tg_part(const reply_part *p, const char *user, const push_texts *t, push_calls *out)
{
    buf b = {0};
    buf_printf(&b, "{\"chat_id\":%s,\"text\":", user);
    tg_cut(&b, *p->text ? p->text : t->more, TELEGRAM_TEXT_MAX);
    if (p->nbuttons == 1 && !strcmp(p->buttons[0].payload, TELEGRAM_SHARE_PHONE)) {
        buf_puts(&b, ",\"reply_markup\":{\"keyboard\":[[{\"text\":");
        tg_cut(&b, p->buttons[0].title, 200);
        buf_puts(&b, ",\"request_contact\":true}]],\"one_time_keyboard\":true,"
                     "\"resize_keyboard\":true}");
    } else if (p->nbuttons) {
        buf_puts(&b, ",\"reply_markup\":{\"inline_keyboard\":[");
        for (size_t i = 0; i < p->nbuttons && i < 100; i++) {
            if (i)
                buf_putc(&b, ',');
            tg_button(&b, &p->buttons[i]);
        }
        buf_puts(&b, "]}");
    }
    buf_putc(&b, '}');
    size_t n;
    char *s = buf_detach(&b, &n);
    push_calls_add(out, "sendMessage", s, n);
}

static void tg_render(const reply *r, const char *user, const push_texts *t, push_calls *out)
{
    for (size_t i = 0; r && i < r->nparts; i++)
        if (*r->parts[i].text || r->parts[i].nbuttons)
            tg_part(&r->parts[i], user, t, out);
}

char *telegram_render_answer(const char *id, size_t *len)
{
    buf b = {0};
    buf_puts(&b, "{\"callback_query_id\":");
    buf_json_str(&b, id);
    buf_putc(&b, '}');
    return buf_detach(&b, len);
}

static push_outcome tg_classify(int status, const char *body, size_t len, long *retry_after_s)
{
    *retry_after_s = 0;
    json_t *o = json_loadb(body, len, 0, NULL);
    json_t *ra = json_object_get(json_object_get(o, "parameters"), "retry_after");
    if (json_is_integer(ra) && json_integer_value(ra) > 0 && json_integer_value(ra) < 86400)
        *retry_after_s = (long)json_integer_value(ra);
    int okv = json_is_true(json_object_get(o, "ok"));
    json_decref(o);
    if (status == 200)
        return okv ? PUSH_SENT : PUSH_RETRY;
    if (status == 429)
        return PUSH_QUOTA;
    if (status == 403)
        return PUSH_BLOCKED;
    if (status == 0 || status >= 500)
        return PUSH_RETRY;
    return PUSH_FAILED;
}

const push_adapter telegram_adapter = {
    .name = "telegram", .channel = CHANNEL_TELEGRAM, .verify = tg_verify, .parse = tg_parse,
    .render = tg_render, .classify = tg_classify,
};
