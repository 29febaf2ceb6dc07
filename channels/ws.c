/* ws.c -- the dvcbot.chat.v1 frame codec (see ws.h). */
#include "channels/ws.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "channels/chat.h"
#include "common/buf.h"
#include "common/utf8.h"
#include "common/xmalloc.h"

void ws_frame_clear(ws_frame *f)
{
    if (!f)
        return;
    free(f->user);
    free(f->text);
    free(f->payload);
    memset(f, 0, sizeof(*f));
}

int ws_user_valid(const char *s, size_t n)
{
    size_t cps = utf8_count(s, n);
    return cps > 0 && cps <= CHAT_USER_MAX && utf8_valid_text(s, n) && !memchr(s, '\n', n) &&
           !memchr(s, '\r', n) && !memchr(s, '\t', n);
}

static const char *ws_parse_hello(json_t *root, ws_frame *f)
{
    json_t *u = json_object_get(root, "user");
    if (!json_is_string(u) || !ws_user_valid(json_string_value(u), json_string_length(u)))
        return "invalid_user";
    f->user = xstrndup(json_string_value(u), json_string_length(u));
    return NULL;
}

static const char *ws_parse_message(json_t *root, ws_frame *f, size_t max_text)
{
    json_t *t = json_object_get(root, "text");
    if (!t || json_is_null(t))
        return "missing_text";
    if (!json_is_string(t))
        return "invalid_text";
    size_t n = json_string_length(t);
    if (n > max_text)
        return "text_too_long";
    if (!utf8_valid_text(json_string_value(t), n))
        return "invalid_text";
    f->text = xstrndup(json_string_value(t), n);
    return NULL;
}

static const char *ws_parse_postback(json_t *root, ws_frame *f)
{
    json_t *p = json_object_get(root, "payload");
    if (!json_is_string(p) || json_string_length(p) == 0 ||
        json_string_length(p) > CHAT_PAYLOAD_MAX ||
        !utf8_valid_text(json_string_value(p), json_string_length(p)))
        return "invalid_payload";
    f->payload = xstrndup(json_string_value(p), json_string_length(p));
    return NULL;
}

int ws_parse(const char *data, size_t len, size_t max_text, ws_frame *f, const char **errkey)
{
    memset(f, 0, sizeof(*f));
    json_t *root = json_loadb(data, len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, NULL);
    const char *err = NULL;
    json_t *type = json_object_get(root, "type");
    if (!json_is_object(root)) {
        err = "invalid_json";
    } else if (!json_is_string(type)) {
        err = "unknown_type";
    } else if (!strcmp(json_string_value(type), "hello")) {
        f->type = WS_FRAME_HELLO;
        err = ws_parse_hello(root, f);
    } else if (!strcmp(json_string_value(type), "message")) {
        f->type = WS_FRAME_MESSAGE;
        err = ws_parse_message(root, f, max_text);
    } else if (!strcmp(json_string_value(type), "postback")) {
        f->type = WS_FRAME_POSTBACK;
        err = ws_parse_postback(root, f);
    } else {
        err = "unknown_type";
    }
    json_decref(root);
    *errkey = err;
    if (err)
        ws_frame_clear(f);
    return err ? -1 : 0;
}

message *ws_frame_message(ws_frame *f, channel c, const char *user)
{
    message *m = message_new(c, user, strlen(user));
    m->text = f->text;
    m->payload = f->payload;
    f->text = f->payload = NULL;
    return m;
}

char *ws_render_reply_part(const reply *r, const chat_json *j, size_t i, const char *intent,
                           size_t *len)
{
    buf b = {0};
    /* the frame's size when j has the part: one allocation */
    size_t part = j && r && j->nparts == r->nparts && i < j->nparts ? j->parts[i].obj_len : 0;
    buf_reserve(&b, 32 + part + (intent ? 2 * strlen(intent) : 0));
    buf_append(&b, "{\"type\":\"reply\",", 16);
    size_t at = b.len;
    chat_render_part_json(&b, r, j, i);     /* {"text":...,"buttons":[...]} */
    memmove(b.data + at, b.data + at + 1, b.len - at - 2);  /* its members only */
    b.len -= 2;
    if (intent) {
        buf_puts(&b, ",\"intent\":");
        buf_json_str(&b, intent);
    }
    buf_putc(&b, '}');
    return buf_detach(&b, len);
}

char *ws_render_error(const char *code, const char *text, size_t *len)
{
    buf b = {0};
    buf_puts(&b, "{\"type\":\"error\",\"error\":");
    buf_json_str(&b, code);
    buf_puts(&b, ",\"message\":");
    buf_json_str(&b, text ? text : "");
    buf_putc(&b, '}');
    return buf_detach(&b, len);
}

char *ws_render_hello(const char *user, size_t *len)
{
    buf b = {0};
    buf_puts(&b, "{\"type\":\"hello\",\"user\":");
    buf_json_str(&b, user);
    buf_putc(&b, '}');
    return buf_detach(&b, len);
}

int ws_notice_valid(const char *text, size_t len)
{
    json_t *root = json_loadb(text, len, 0, NULL);
    json_t *type = json_object_get(root, "type");
    int ok = json_is_object(root) && json_is_string(type) &&
             !strcmp(json_string_value(type), "notice");
    json_decref(root);
    return ok;
}
