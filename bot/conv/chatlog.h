/* chatlog.h -- what the web chat page showed, kept in the session so that a
 * reload or a new device of the same chat id shows the conversation again
 * (issue 19). Owned by the [web] floor work; the router calls
 * chatlog_remember() once per turn, POST /api/v1/chat/history
 * (bot/http/ep_chat.c) reads it back with chatlog_render().
 *
 * The log is the session member "chatlog": an array of at most CHATLOG_MAX
 * entries {"from": "me"|"bot", "text": T, "buttons": [{"title","payload"}]}
 * (buttons only on bot lines that had some), texts cut to CHATLOG_TEXT_MAX
 * bytes on a UTF-8 boundary. Only CHANNEL_CHAT (REST and WebSocket) keeps one:
 * SMS and USSD sessions do not grow. No Redis call of its own: the router
 * saves the session anyway. */
#ifndef DVC_BOT_CONV_CHATLOG_H
#define DVC_BOT_CONV_CHATLOG_H

#include <stddef.h>

#include "channels/message.h"

#define CHATLOG_MAX 30
#define CHATLOG_TEXT_MAX 1200

struct json_t;

/* Append the citizen's line (its text, or the title of the tapped button of
 * the last bot line; a payload sent without a button, as the page's greeting
 * and language switch, adds no line) and the reply's parts to the session's
 * log, dropping the oldest past CHATLOG_MAX. Does nothing for other channels
 * or when session is not an object. */
void chatlog_remember(struct json_t *session, const message *m, const reply *r);

/* {"items": [...]} of the session JSON (len bytes; NULL or not an object:
 * an empty list). Returns a malloc'd string (caller frees), *outlen set. */
char *chatlog_render(const char *session_json, size_t len, size_t *outlen);

#endif
