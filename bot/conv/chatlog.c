/* chatlog.c -- the web chat's visible history (chatlog.h). */
#include "bot/conv/chatlog.h"
#include "bot/conv/reply_json.h"
#include "bot/conv/dialogs/dialog.h"

#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "common/buf.h"
#include "common/num.h"
#include "common/xmalloc.h"


size_t chatlog_keep(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n > CHATLOG_TEXT_MAX) {
        n = CHATLOG_TEXT_MAX;
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;
    }
    return n;
}

/* The title of the last reply's button with this payload, or NULL: of the
 * buttons of its last part that had any (session "btns" from "btns_from",
 * dialog.h), or, in a session written by an earlier version, "chat_buttons"
 * ([[title, payload], ...] of that part). */
static const char *chatlog_title(const json_t *session, const char *payload)
{
    size_t i;
    json_t *b = json_object_get(session, "btns");
    if (!payload)
        return NULL;
    if (json_is_string(b) || json_is_array(b)) {
        const char *titles[DIALOG_BUTTONS_MAX], *payloads[DIALOG_BUTTONS_MAX];
        int normalised;
        size_t n = dialog_buttons_kept(session, titles, payloads, &normalised);
        json_int_t from = json_integer_value(json_object_get(session, "btns_from"));
        for (i = from > 0 ? (size_t)from : 0; i < n; i++)
            if (payloads[i] && !strcmp(payloads[i], payload))
                return titles[i];
        return NULL;
    }
    json_array_foreach(json_object_get(session, "chat_buttons"), i, b) {
        const char *p = json_string_value(json_array_get(b, 1));
        if (p && !strcmp(p, payload))
            return json_string_value(json_array_get(b, 0));
    }
    return NULL;
}

/* A line's end: ",\"at\":{seconds}}" into out (CHATLOG_AT_MAX bytes); its
 * length. */
#define CHATLOG_AT_MAX 32
static size_t chatlog_at(char *out, long long at)
{
    memcpy(out, ",\"at\":", 6);
    size_t n = 6 + num_format(out + 6, at);
    out[n++] = '}';
    out[n] = '\0';
    return n;
}

/* The citizen's line {"from":"me","text","at"} as JSON text, written
 * directly (the line is stored as it is: no jansson object per line). b is
 * the turn's scratch buffer (grown once for all of its lines); the line
 * returned is a copy. */
static char *chatlog_me_line(buf *b, const char *text, const char *end, size_t endlen)
{
    buf_reset(b);
    buf_puts(b, "{\"from\":\"me\",\"text\":\"");
    buf_json_escape(b, text, chatlog_keep(text));
    buf_putc(b, '"');
    buf_append(b, end, endlen);
    return xstrndup(b->data, b->len);
}

/* The bot's line of part i {"from":"bot","text","buttons"?,"at"}: the
 * text's and the buttons' JSON copied from j (reply_json.h) into a string
 * of its size. */
static char *chatlog_bot_line(const chat_json *j, size_t i, const char *end, size_t endlen)
{
    static const char head[] = "{\"from\":\"bot\",\"text\":\"", bl[] = ",\"buttons\":";
    const chat_json_part *jp = &j->parts[i];
    size_t tl = jp->mark[REPLY_JSON_CHATLOG];
    buf b = {0};
    buf_reserve(&b, sizeof(head) + tl + sizeof(bl) + jp->buttons_len + endlen + 2);
    buf_append(&b, head, sizeof(head) - 1);
    buf_append(&b, j->data + jp->text, tl);
    buf_putc(&b, '"');
    if (jp->buttons_len) {
        buf_append(&b, bl, sizeof(bl) - 1);
        buf_append(&b, j->data + jp->buttons, jp->buttons_len);
    }
    buf_append(&b, end, endlen);
    return buf_detach(&b, NULL);
}

size_t chatlog_remember(const json_t *session, const message *m, const reply *r,
                        const chat_json *j, long long at, char **lines, size_t cap)
{
    if (m->channel != CHANNEL_CHAT || !json_is_object(session))
        return 0;
    size_t n = 0;
    buf b = {0};
    char end[CHATLOG_AT_MAX];
    size_t endlen = chatlog_at(end, at);
    const char *said = m->text ? m->text : chatlog_title(session, m->payload);
    if (said && *said && n < cap)
        lines[n++] = chatlog_me_line(&b, said, end, endlen);
    for (size_t i = 0; r && j && j->nparts == r->nparts && i < r->nparts && n < cap; i++) {
        const reply_part *p = &r->parts[i];
        if ((p->text && *p->text) || p->nbuttons)
            lines[n++] = chatlog_bot_line(j, i, end, endlen);
    }
    buf_free(&b);
    return n;
}

/* A line of the old history as a chat log line (a malloc'd copy), or NULL
 * when e is not such a line. */
static char *chatlog_from_recent(const json_t *e)
{
    const char *from = json_string_value(json_object_get(e, "from"));
    if (!json_is_object(e) || !from || !json_is_string(json_object_get(e, "text")))
        return NULL;
    json_t *c = json_deep_copy(e);
    if (!strcmp(from, "citizen"))
        json_object_set_new(c, "from", json_string("me"));
    char *line = json_dumps(c, JSON_COMPACT);
    json_decref(c);
    return line;
}

size_t chatlog_migrate(json_t *session, char **lines, size_t max)
{
    json_t *old = json_object_get(session, "recent"), *e;
    size_t i, k = json_array_size(old), n = 0;
    json_array_foreach(old, i, e) {
        char *line = i + max < k ? NULL : chatlog_from_recent(e);  /* the last max */
        if (line)
            lines[n++] = line;
    }
    json_object_del(session, "recent");
    return n;
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
