/* reply_json.h -- a chat turn's reply escaped as JSON once (channels/chat.h
 * chat_json) for all of its writers: the chat log's lines (chatlog.h), the
 * hand-off history's bot line (agent.h), and the answer the endpoint sends
 * (ep_chat.c, ep_ws.c, through router_reply_json()). Each part's text is
 * marked where those lines cut it, so that they copy escaped prefixes
 * instead of escaping the text again. */
#ifndef DVC_BOT_CONV_REPLY_JSON_H
#define DVC_BOT_CONV_REPLY_JSON_H

#include "channels/chat.h"

/* The marks of chat_json_part.mark[]: the bytes of a part's text kept by
 * the hand-off line, by the chat log's line. */
enum { REPLY_JSON_AGENT = 0, REPLY_JSON_CHATLOG = 1 };

/* Fill j (zeroed, or cleared with chat_json_clear) from r (may be NULL). */
void reply_json_build(chat_json *j, const reply *r);

#endif
