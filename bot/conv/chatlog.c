/* chatlog.c -- the web chat's visible history (chatlog.h). */
#include "bot/conv/chatlog.h"

#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "store/chatlog.h"
#include "common/xmalloc.h"

#define CHATLOG_TURN_MAX 16     /* lines pushed for one turn (store/chatlog.c) */

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

/* The title of the last reply's button with this payload, or NULL. */
static const char *chatlog_title(const json_t *session, const char *payload)
{
    size_t i;
    json_t *b;
    json_array_foreach(json_object_get(session, "chat_buttons"), i, b) {
        const char *p = json_string_value(json_array_get(b, 1));
        if (payload && p && !strcmp(p, payload))
            return json_string_value(json_array_get(b, 0));
    }
    return NULL;
}

static char *chatlog_line(const char *from, const char *text, const reply_part *p)
{
    json_t *e = json_object();
    json_object_set_new(e, "from", json_string(from));
    json_object_set_new(e, "text", chatlog_text(text ? text : "", CHATLOG_TEXT_MAX));
    if (p && p->nbuttons) {
        json_t *a = json_array();
        for (size_t i = 0; i < p->nbuttons; i++)
            json_array_append_new(a, json_pack("{s:s,s:s}", "title",
                                               p->buttons[i].title ? p->buttons[i].title : "",
                                               "payload",
                                               p->buttons[i].payload ? p->buttons[i].payload : ""));
        json_object_set_new(e, "buttons", a);
    }
    char *s = json_dumps(e, JSON_COMPACT);
    json_decref(e);
    return s;
}

/* session.chat_buttons = the last part's buttons that has any, or none. */
static void chatlog_keep_buttons(json_t *session, const reply *r)
{
    json_object_del(session, "chat_buttons");
    for (size_t i = r ? r->nparts : 0; i-- > 0;) {
        const reply_part *p = &r->parts[i];
        if (!p->nbuttons)
            continue;
        json_t *a = json_array();
        for (size_t j = 0; j < p->nbuttons; j++)
            json_array_append_new(a, json_pack("[s,s]", p->buttons[j].title ? p->buttons[j].title : "",
                                               p->buttons[j].payload ? p->buttons[j].payload : ""));
        json_object_set_new(session, "chat_buttons", a);
        return;
    }
}

void chatlog_remember(store *s, json_t *session, const message *m, const reply *r, int ttl_s)
{
    if (!s || m->channel != CHANNEL_CHAT || !json_is_object(session))
        return;
    char *lines[CHATLOG_TURN_MAX];
    size_t n = 0;
    const char *said = m->text ? m->text : chatlog_title(session, m->payload);
    if (said && *said)
        lines[n++] = chatlog_line("me", said, NULL);
    for (size_t i = 0; r && i < r->nparts && n < CHATLOG_TURN_MAX; i++) {
        const reply_part *p = &r->parts[i];
        if ((p->text && *p->text) || p->nbuttons)
            lines[n++] = chatlog_line("bot", p->text, p);
    }
    if (n)
        chatlog_push(s, m->user, (const char *const *)lines, n, ttl_s, CHATLOG_MAX);
    for (size_t i = 0; i < n; i++)
        free(lines[i]);
    chatlog_keep_buttons(session, r);
}

char *chatlog_render(const char *const *lines, const size_t *lens, size_t n, size_t *outlen)
{
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *e = json_loadb(lines[i], lens[i], 0, NULL);
        if (json_is_object(e))
            json_array_append_new(items, e);
        else
            json_decref(e);
    }
    json_t *o = json_pack("{s:o}", "items", items);
    char *out = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    *outlen = strlen(out);
    return out;
}
