/* chatlog.c -- the web chat's visible history in the session (chatlog.h). */
#include "bot/conv/chatlog.h"

#include <string.h>
#include <jansson.h>

#include "common/xmalloc.h"

/* A copy of s cut to at most max bytes, never inside a UTF-8 sequence. */
static json_t *chatlog_text(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n > max) {
        n = max;
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;
    }
    return json_stringn(s, n);
}

/* The title of the button with this payload on the last bot line, or NULL. */
static const char *chatlog_title(json_t *arr, const char *payload)
{
    for (size_t i = json_array_size(arr); payload && i-- > 0;) {
        json_t *e = json_array_get(arr, i);
        const char *from = json_string_value(json_object_get(e, "from"));
        if (!from || strcmp(from, "bot"))
            continue;
        size_t j;
        json_t *b;
        json_array_foreach(json_object_get(e, "buttons"), j, b) {
            const char *p = json_string_value(json_object_get(b, "payload"));
            if (p && !strcmp(p, payload))
                return json_string_value(json_object_get(b, "title"));
        }
    }
    return NULL;
}

static void chatlog_add(json_t *arr, const char *from, const char *text, json_t *buttons)
{
    json_t *e = json_object();
    json_object_set_new(e, "from", json_string(from));
    json_object_set_new(e, "text", chatlog_text(text, CHATLOG_TEXT_MAX));
    if (buttons)
        json_object_set_new(e, "buttons", buttons);
    json_array_append_new(arr, e);
}

static json_t *chatlog_buttons(const reply_part *p)
{
    if (!p->nbuttons)
        return NULL;
    json_t *a = json_array();
    for (size_t i = 0; i < p->nbuttons; i++)
        json_array_append_new(a, json_pack("{s:s,s:s}",
                                           "title", p->buttons[i].title ? p->buttons[i].title : "",
                                           "payload",
                                           p->buttons[i].payload ? p->buttons[i].payload : ""));
    return a;
}

void chatlog_remember(json_t *session, const message *m, const reply *r)
{
    if (m->channel != CHANNEL_CHAT || !json_is_object(session))
        return;
    json_t *arr = json_object_get(session, "chatlog");
    if (!json_is_array(arr)) {
        arr = json_array();
        json_object_set_new(session, "chatlog", arr);
    }
    const char *said = m->text;
    if (!said)
        said = chatlog_title(arr, m->payload);
    if (said && *said)
        chatlog_add(arr, "me", said, NULL);
    for (size_t i = 0; r && i < r->nparts; i++) {
        const reply_part *p = &r->parts[i];
        if ((p->text && *p->text) || p->nbuttons)
            chatlog_add(arr, "bot", p->text ? p->text : "", chatlog_buttons(p));
    }
    while (json_array_size(arr) > CHATLOG_MAX)
        json_array_remove(arr, 0);
}

char *chatlog_render(const char *session_json, size_t len, size_t *outlen)
{
    json_t *s = session_json ? json_loadb(session_json, len, 0, NULL) : NULL;
    json_t *items = json_object_get(s, "chatlog");
    json_t *o = json_object();
    json_object_set_new(o, "items", json_is_array(items) ? json_incref(items) : json_array());
    char *out = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    json_decref(s);
    *outlen = strlen(out);
    return out;
}
