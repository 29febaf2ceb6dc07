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

/* Append one reply part as a JSON object {"text":...,"buttons":[...]}
 * (shared with the WebSocket codec). */
struct buf;
void chat_render_part(struct buf *b, const reply_part *p);

#endif
