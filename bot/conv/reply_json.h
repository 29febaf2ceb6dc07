/* reply_json.h -- a chat turn's reply escaped as JSON once (channels/chat.h
 * chat_json) for both of its writers: the chat log's lines (chatlog.h, also
 * the hand-off history) and the answer the endpoint sends (ep_chat.c,
 * ep_ws.c, through router_reply_json()). Each part's text is marked where
 * the chat log's line cuts it, so that the line copies an escaped prefix
 * instead of escaping the text again. */
#ifndef DVC_BOT_CONV_REPLY_JSON_H
#define DVC_BOT_CONV_REPLY_JSON_H

#include "channels/chat.h"

/* The mark of chat_json_part.mark[]: the bytes of a part's text kept by the
 * chat log's line. */
enum { REPLY_JSON_CHATLOG = 0 };

/* Fill j (zeroed, or cleared with chat_json_clear) from r (may be NULL). */
void reply_json_build(chat_json *j, const reply *r);

#endif
