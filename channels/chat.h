/* chat.h -- codec of the web-chat REST channel (POST /api/v1/chat).
 *
 * Parses the request body of SPEC.md into a struct message and renders a
 * struct reply into the JSON answer. Pure: no I/O, no dialogs.
 *
 * Request:  {"user": "<1-64 chars>", "text": "..."}  or  {"user", "payload"}
 * Answer:   {"replies": [{"text", "buttons": [{"title","payload"}]}], "intent"} */
#ifndef DVC_CHANNELS_CHAT_H
#define DVC_CHANNELS_CHAT_H

#include <stddef.h>
#include "channels/message.h"
#include "common/buf.h"

#define CHAT_USER_MAX 64        /* characters (code points) */
#define CHAT_PAYLOAD_MAX 256    /* bytes */

/* Parse len bytes of body. max_text is the largest text accepted, in bytes.
 * Returns a new message (free with message_free) or NULL with *errkey set to
 * one of: "invalid_json", "invalid_user", "invalid_text", "text_too_long",
 * "invalid_payload", "missing_text" (a key of config/messages.vi.json under
 * "errors."; the HTTP status is 400 for all of them). */
message *chat_parse(const char *body, size_t len, size_t max_text, const char **errkey);

/* POST /api/v1/chat/history: {"user": "<1-64 chars>"} only. Returns a new
 * message with the user and no text (free with message_free) or NULL with
 * *errkey "invalid_json" or "invalid_user". */
message *chat_parse_history(const char *body, size_t len, const char **errkey);

/* POST /api/v1/chat/csat: {"user": "<1-64 chars>", "score": 1..5}. Returns
 * a new message with the user (free with message_free), *score set, or NULL
 * with *errkey "invalid_json", "invalid_user" or "invalid_score". */
message *chat_parse_csat(const char *body, size_t len, int *score, const char **errkey);

/* Render r (may be NULL: no replies) and the intent name as the JSON answer.
 * Returns a malloc'd NUL-terminated string; *len gets its length. */
char *chat_render(const reply *r, const char *intent, size_t *len);

/* A reply's texts and buttons as JSON, escaped once for every writer of
 * the same turn (the answer above, the WebSocket frames, the web chat's
 * history and hand-off lines: bot/conv/router.c builds it). data is the
 * answer's {"replies":[...] without its intent and closing brace. Part i is
 * the object data[obj, obj + obj_len) {"text","buttons","qr_svg"?}; its text
 * escaped (no quotes) is data[text, text + text_len); mark[k] is the escaped
 * length of its first marks[k] bytes (the prefix a line cut to marks[k]
 * bytes writes); data[buttons, buttons + buttons_len) is its buttons'
 * [{"title","payload"},...], buttons_len 0 when it has none. A NULL text,
 * title or payload is written as "" (message.h never leaves one NULL). */
#define CHAT_JSON_MARKS 1
typedef struct chat_json_part {
    size_t obj, obj_len;
    size_t text, text_len;
    size_t mark[CHAT_JSON_MARKS];
    size_t buttons, buttons_len;
} chat_json_part;

typedef struct chat_json {
    char *data;             /* owned; NUL-terminated */
    size_t len;
    chat_json_part *parts;  /* owned, nparts of them */
    size_t nparts;
} chat_json;

/* Fill j (zeroed, or cleared with chat_json_clear) from r (may be NULL: no
 * parts). marks is NULL (every mark[k] is then the whole text_len) or holds
 * CHAT_JSON_MARKS byte counts per part, marks[i * CHAT_JSON_MARKS + k] for
 * part i; a count beyond the text's length stands for all of it. */
void chat_json_build(chat_json *j, const reply *r, const size_t *marks);
/* Free j's memory and zero it (accepts NULL). */
void chat_json_clear(chat_json *j);

/* chat_render() with the parts' JSON taken from j, which must have been
 * built from r (j NULL, or one of another reply's part count: built here).
 * The answer is byte for byte chat_render()'s. */
char *chat_render_json(const reply *r, const chat_json *j, const char *intent, size_t *len);
/* Append r's part i as its JSON object {"text","buttons":[...]} (shared
 * with the WebSocket codec); j as for chat_render_json. */
void chat_render_part_json(buf *b, const reply *r, const chat_json *j, size_t i);

#endif
