/* chat.c -- JSON codec of the web-chat REST channel (see chat.h). */
#include "channels/chat.h"

#include <jansson.h>
#include <string.h>

#include "common/buf.h"
#include "common/utf8.h"
#include "common/xmalloc.h"

static int chat_parse_user(json_t *root, message **out)
{
    json_t *u = json_object_get(root, "user");
    if (!json_is_string(u))
        return -1;
    const char *s = json_string_value(u);
    size_t n = json_string_length(u);
    size_t cps = utf8_count(s, n);
    if (cps == 0 || cps > CHAT_USER_MAX || !utf8_valid_text(s, n) || memchr(s, '\n', n) ||
        memchr(s, '\r', n) || memchr(s, '\t', n))
        return -1;
    *out = message_new(CHANNEL_CHAT, s, n);
    return 0;
}

/* Fills m->text or m->payload; returns NULL or the error key. */
static const char *chat_parse_content(json_t *root, message *m, size_t max_text)
{
    json_t *t = json_object_get(root, "text");
    json_t *p = json_object_get(root, "payload");
    if (p && !json_is_null(p)) {
        if (!json_is_string(p) || json_string_length(p) == 0 ||
            json_string_length(p) > CHAT_PAYLOAD_MAX ||
            !utf8_valid_text(json_string_value(p), json_string_length(p)))
            return "invalid_payload";
        m->payload = xstrndup(json_string_value(p), json_string_length(p));
        return NULL;
    }
    if (!t || json_is_null(t))
        return "missing_text";
    if (!json_is_string(t))
        return "invalid_text";
    const char *s = json_string_value(t);
    size_t n = json_string_length(t);
    if (n > max_text)
        return "text_too_long";
    if (!utf8_valid_text(s, n))
        return "invalid_text";
    m->text = xstrndup(s, n);
    return NULL;
}

message *chat_parse_history(const char *body, size_t len, const char **errkey)
{
    json_t *root = json_loadb(body, len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, NULL);
    message *m = NULL;
    *errkey = NULL;
    if (!root || !json_is_object(root))
        *errkey = "invalid_json";
    else if (chat_parse_user(root, &m) < 0)
        *errkey = "invalid_user";
    json_decref(root);
    return m;
}

message *chat_parse_csat(const char *body, size_t len, int *score, const char **errkey)
{
    json_t *root = json_loadb(body, len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, NULL);
    json_t *sc = json_object_get(root, "score");
    message *m = NULL;
    *errkey = NULL;
    if (!root || !json_is_object(root))
        *errkey = "invalid_json";
    else if (!json_is_integer(sc) || json_integer_value(sc) < 1 || json_integer_value(sc) > 5)
        *errkey = "invalid_score";
    else if (chat_parse_user(root, &m) < 0)
        *errkey = "invalid_user";
    else
        *score = (int)json_integer_value(sc);
    json_decref(root);
    return m;
}

message *chat_parse(const char *body, size_t len, size_t max_text, const char **errkey)
{
    json_error_t jerr;
    json_t *root = json_loadb(body, len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &jerr);
    message *m = NULL;
    *errkey = NULL;
    if (!root || !json_is_object(root)) {
        *errkey = "invalid_json";
    } else if (chat_parse_user(root, &m) < 0) {
        *errkey = "invalid_user";
    } else if ((*errkey = chat_parse_content(root, m, max_text)) != NULL) {
        message_free(m);
        m = NULL;
    }
    json_decref(root);
    return m;
}

void chat_render_part(buf *b, const reply_part *p)
{
    buf_puts(b, "{\"text\":");
    buf_json_str(b, p->text);
    buf_puts(b, ",\"buttons\":[");
    for (size_t j = 0; j < p->nbuttons; j++) {
        buf_puts(b, j ? ",{\"title\":" : "{\"title\":");
        buf_json_str(b, p->buttons[j].title);
        buf_puts(b, ",\"payload\":");
        buf_json_str(b, p->buttons[j].payload);
        buf_putc(b, '}');
    }
    buf_putc(b, ']');
    if (p->svg) {
        buf_puts(b, ",\"qr_svg\":");
        buf_json_str(b, p->svg);
    }
    buf_putc(b, '}');
}

char *chat_render(const reply *r, const char *intent, size_t *len)
{
    buf b = {0};
    buf_puts(&b, "{\"replies\":[");
    for (size_t i = 0; r && i < r->nparts; i++) {
        if (i)
            buf_putc(&b, ',');
        chat_render_part(&b, &r->parts[i]);
    }
    buf_puts(&b, "],\"intent\":");
    buf_json_str(&b, intent ? intent : "unknown");
    buf_putc(&b, '}');
    return buf_detach(&b, len);
}
