/* chat.c -- JSON codec of the web-chat REST channel (see chat.h). */
#include "channels/chat.h"

#include <jansson.h>
#include <stdlib.h>
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
    json_t *root = json_loadb(body, len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, NULL);
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

/* Literals appended without strlen. */
#define CHAT_LIT(b, lit) buf_append((b), (lit), sizeof(lit) - 1)

/* s (NULL: "") escaped into b. */
static void chat_escape(buf *b, const char *s)
{
    s = s ? s : "";
    buf_json_escape(b, s, strlen(s));
}

/* [{"title":...,"payload":...},...] of p's buttons (at least one). */
static void chat_buttons(buf *b, const reply_part *p)
{
    for (size_t j = 0; j < p->nbuttons; j++) {
        if (j)
            CHAT_LIT(b, ",{\"title\":\"");
        else
            CHAT_LIT(b, "[{\"title\":\"");
        chat_escape(b, p->buttons[j].title);
        CHAT_LIT(b, "\",\"payload\":\"");
        chat_escape(b, p->buttons[j].payload);
        CHAT_LIT(b, "\"}");
    }
    buf_putc(b, ']');
}

/* s escaped into b for jp, the escaped length at its mark noted: escaped in
 * two runs, up to the mark and the rest. */
_Static_assert(CHAT_JSON_MARKS == 1, "chat_json_text notes one mark");
static void chat_json_text(buf *b, const char *s, const size_t *marks, chat_json_part *jp)
{
    size_t n = strlen(s), cut = marks && marks[0] < n ? marks[0] : n;
    jp->text = b->len;
    buf_json_escape(b, s, cut);
    jp->mark[0] = b->len - jp->text;
    buf_json_escape(b, s + cut, n - cut);
    jp->text_len = b->len - jp->text;
}

/* The bytes r's JSON takes when nothing needs escaping, plus a margin. */
static size_t chat_json_size(const reply *r)
{
    size_t n = 64;
    for (size_t i = 0; r && i < r->nparts; i++) {
        const reply_part *p = &r->parts[i];
        n += 48 + (p->text ? strlen(p->text) : 0) + (p->svg ? 16 + strlen(p->svg) : 0);
        for (size_t k = 0; k < p->nbuttons; k++)
            n += 32 + (p->buttons[k].title ? strlen(p->buttons[k].title) : 0) +
                 (p->buttons[k].payload ? strlen(p->buttons[k].payload) : 0);
    }
    return n + n / 16;
}

void chat_json_build(chat_json *j, const reply *r, const size_t *marks)
{
    buf b = {0};
    buf_reserve(&b, chat_json_size(r));
    size_t n = r ? r->nparts : 0;
    j->parts = n ? xmalloc(n * sizeof(*j->parts)) : NULL;  /* each set below */
    j->nparts = n;
    CHAT_LIT(&b, "{\"replies\":[");
    for (size_t i = 0; i < n; i++) {
        const reply_part *p = &r->parts[i];
        chat_json_part *jp = &j->parts[i];
        if (i)
            buf_putc(&b, ',');
        *jp = (chat_json_part){.obj = b.len};
        CHAT_LIT(&b, "{\"text\":\"");
        chat_json_text(&b, p->text ? p->text : "", marks ? marks + i * CHAT_JSON_MARKS : NULL, jp);
        CHAT_LIT(&b, "\",\"buttons\":");
        jp->buttons = b.len;
        if (p->nbuttons)
            chat_buttons(&b, p);
        else
            CHAT_LIT(&b, "[]");
        jp->buttons_len = p->nbuttons ? b.len - jp->buttons : 0;
        if (p->svg) {
            CHAT_LIT(&b, ",\"qr_svg\":\"");
            chat_escape(&b, p->svg);
            buf_putc(&b, '"');
        }
        buf_putc(&b, '}');
        jp->obj_len = b.len - jp->obj;
    }
    buf_putc(&b, ']');
    j->data = buf_detach(&b, &j->len);
}

void chat_json_clear(chat_json *j)
{
    if (!j)
        return;
    free(j->data);
    free(j->parts);
    *j = (chat_json){0};
}

/* j when it was built from r, else tmp built from r. */
static const chat_json *chat_json_for(const reply *r, const chat_json *j, chat_json *tmp)
{
    if (j && j->nparts == (r ? r->nparts : 0))
        return j;
    chat_json_build(tmp, r, NULL);
    return tmp;
}

char *chat_render_json(const reply *r, const chat_json *j, const char *intent, size_t *len)
{
    chat_json tmp = {0};
    j = chat_json_for(r, j, &tmp);
    intent = intent ? intent : "unknown";
    buf b = {0};
    buf_reserve(&b, j->len + 16 + strlen(intent));
    buf_append(&b, j->data, j->len);
    CHAT_LIT(&b, ",\"intent\":\"");
    chat_escape(&b, intent);
    CHAT_LIT(&b, "\"}");
    chat_json_clear(&tmp);
    return buf_detach(&b, len);
}

char *chat_render(const reply *r, const char *intent, size_t *len)
{
    return chat_render_json(r, NULL, intent, len);
}

void chat_render_part_json(buf *b, const reply *r, const chat_json *j, size_t i)
{
    chat_json tmp = {0};
    j = chat_json_for(r, j, &tmp);
    buf_append(b, j->data + j->parts[i].obj, j->parts[i].obj_len);
    chat_json_clear(&tmp);
}
