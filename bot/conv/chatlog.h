/* chatlog.h -- what the web chat page showed, so that a reload or a new
 * device of the same chat id shows the conversation again (issue 19). The
 * router calls chatlog_remember() once per turn; POST /api/v1/chat/history
 * (bot/http/ep_chat.c) reads the lines back (store/chatlog.h) and answers
 * chatlog_render().
 *
 * A line is {"from": "me"|"bot", "text": T, "buttons": [{"title","payload"}],
 * "at": epoch seconds} (buttons only on bot lines that had some; "at" absent
 * in lines of an earlier version), T cut to CHATLOG_TEXT_MAX bytes on a UTF-8
 * boundary; the last CHATLOG_KEEP lines are kept in
 * dvcbot:chatlog:chat:{user} with the session's TTL (store/chatlog.h),
 * appended by the turn's commit with the session. Only CHANNEL_CHAT (REST
 * and WebSocket) keeps one. A tapped button is logged by its title, found
 * in the last reply's buttons that the session keeps for typed answers
 * (bot/conv/dialogs/dialog.h "btns"; "chat_buttons" in a session written by
 * an earlier version). The same list is the hand-off history: when the
 * citizen asks for a person, store/lua/agentq_enqueue.lua turns its last
 * lines into the operator's (store/agent_queue.h), so a turn writes its lines
 * once. */
#ifndef DVC_BOT_CONV_CHATLOG_H
#define DVC_BOT_CONV_CHATLOG_H

#include <stddef.h>

#include "channels/message.h"
#include "store/redis.h"

#define CHATLOG_TEXT_MAX 1200

struct json_t;

struct chat_json;

/* The bytes of text (NULL: none) a line keeps: its length cut to
 * CHATLOG_TEXT_MAX, never inside a UTF-8 sequence (reply_json.h marks it). */
size_t chatlog_keep(const char *text);

/* The lines of one turn into lines[0..cap) (malloc'd JSON texts; the caller
 * frees them): the citizen's (its text, or the title of the tapped button; a
 * payload sent without a button, as the page's greeting and language switch,
 * adds none) and the reply's parts, whose JSON is copied from j (built from
 * r by reply_json_build()). The session must still hold the previous
 * reply's buttons (call this before dialog_answer_remember()); it is not
 * changed. Returns the number of lines; 0 for other channels or when session
 * is not an object. at: the turn's time (epoch seconds). The router sends
 * them with the session's commit. */
size_t chatlog_remember(const struct json_t *session, const message *m, const reply *r,
                        const struct chat_json *j, long long at, char **lines, size_t cap);

/* An earlier version kept the hand-off history in the session ("recent"):
 * its last max lines, {"from": "citizen"|"bot", "text", "at"}, as chat log
 * lines ("citizen" made "me") into lines
 * (malloc'd; the caller frees them), and "recent" taken out of session.
 * Returns the number of lines; the router sends them with the turn's. */
size_t chatlog_migrate(struct json_t *session, char **lines, size_t max);

/* {"items": [...]} of n stored lines (lines that do not parse are skipped).
 * Returns a malloc'd string (caller frees), *outlen set. */
char *chatlog_render(const char *const *lines, const size_t *lens, size_t n, size_t *outlen);

#endif
