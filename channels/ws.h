/* ws.h -- codec of the web-chat WebSocket protocol "dvcbot.chat.v1".
 *
 * Pure: no I/O, no dialogs (bot/ep_ws.c does the connection work).
 *
 * Client frames (one JSON object per WebSocket text message):
 *   {"type":"hello","user":"<1-64 chars>"}    resume the session of that user
 *   {"type":"message","text":"..."}
 *   {"type":"postback","payload":"<button payload>"}
 * Server frames:
 *   {"type":"hello","user":"..."}              the id the connection now speaks as
 *   {"type":"reply","text":"...","buttons":[...],"intent":"..."}   one per reply part
 *   {"type":"notice",...}                      verbatim from dvcbot:notices:{channel}:{user}
 *   {"type":"error","error":"<code>","message":"..."}
 *
 * Ownership: ws_parse fills a ws_frame whose strings it owns; ws_frame_clear
 * frees them (and accepts a zeroed frame). Renderers return malloc'd text. */
#ifndef DVC_CHANNELS_WS_H
#define DVC_CHANNELS_WS_H

#include <stddef.h>
#include "channels/message.h"

typedef enum ws_frame_type {
    WS_FRAME_HELLO = 1,
    WS_FRAME_MESSAGE,
    WS_FRAME_POSTBACK,
} ws_frame_type;

typedef struct ws_frame {
    ws_frame_type type;
    char *user;                 /* hello */
    char *text;                 /* message */
    char *payload;              /* postback */
} ws_frame;

/* Parse one client frame of len bytes; max_text bounds a message's text in
 * bytes. 0 on success; -1 with *errkey one of "invalid_json",
 * "unknown_type", "invalid_user", "invalid_text", "text_too_long",
 * "missing_text", "invalid_payload" (keys of messages.vi.json under
 * "errors."). On failure the frame is left empty. */
int ws_parse(const char *data, size_t len, size_t max_text, ws_frame *f, const char **errkey);
void ws_frame_clear(ws_frame *f);

/* A new message for the router (channel c, user) from a message or
 * postback frame; the frame's text/payload are moved into it. */
message *ws_frame_message(ws_frame *f, channel c, const char *user);

/* 1 if s is a valid user id (1-64 code points of text, no CR/LF/TAB). */
int ws_user_valid(const char *s, size_t n);

/* Server frames; *len gets the length of the malloc'd NUL-terminated text.
 * A reply frame is r's part i, its JSON taken from j when j was built from r
 * (channels/chat.h chat_json; NULL: escaped here). */
struct chat_json;
char *ws_render_reply_part(const reply *r, const struct chat_json *j, size_t i, const char *intent,
                           size_t *len);
char *ws_render_error(const char *code, const char *message, size_t *len);
char *ws_render_hello(const char *user, size_t *len);
/* 1 if text is a JSON object with "type":"notice" (what may be forwarded). */
int ws_notice_valid(const char *text, size_t len);

#endif
