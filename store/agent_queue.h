/* agent_queue.h -- conversations handed to a human operator ([webchat]).
 *
 * Keys (store/README.md):
 *   dvcbot:agent:conv:{conv}    hash   state (waiting|held), since (epoch s),
 *                                      operator ("" while waiting), reason
 *   dvcbot:agent:waiting        zset   conv -> epoch s it started waiting
 *   dvcbot:agent:held           zset   conv -> epoch s it was taken
 *   dvcbot:agent:log:{conv}     list   JSON {"from":"citizen|bot|operator","text","at"},
 *                                      latest AGENTQ_LOG_MAX, TTL AGENTQ_LOG_TTL_S
 * A conv id is "{channel}:{user}" (the channel has no ':'; the user may).
 * Notices to the citizen (taken, operator message, released, timeout) go on
 * dvcbot:notices:{channel}:{user} with outbox.h's notice_push, in the same
 * script as the state change.
 *
 * All calls are asynchronous on the store's loop: they return -1 without
 * calling back when the store is down or an argument is invalid; otherwise
 * fn runs exactly once (status -1 when Redis failed). Strings handed to a
 * callback are valid during the callback only. Every value is binary-safe. */
#ifndef DVC_STORE_AGENT_QUEUE_H
#define DVC_STORE_AGENT_QUEUE_H

#include <stddef.h>

#include "store/redis.h"

/* Also read by the Lua scripts ("--! const", scripts/embed-lua.py). */
#define AGENTQ_LOG_MAX 50
#define AGENTQ_LOG_TTL_S 604800
#define AGENTQ_HISTORY_MAX 8        /* lines of the hand-off history */
#define AGENTQ_TEXT_MAX 400         /* bytes of a hand-off history line's text */

enum agentq_state { AGENTQ_NONE = 0, AGENTQ_WAITING = 1, AGENTQ_HELD = 2 };

/* "{channel}:{user}", malloc'd; NULL if channel is not 1-32 of [a-z0-9_-]. */
char *agentq_conv(const char *channel, const char *user);

/* status 0 ok / 1 refused (see each call) / -1 Redis failed. */
typedef void agentq_done_fn(int status, void *privdata);

/* Put conv in the waiting queue (status 0), or leave it as it is when it is
 * already waiting or held (status 1). The conversation log starts from the
 * hand-off history: the last lines of the web chat's log (store/chatlog.h:
 * dvcbot:chatlog:{conv}, lines {"from": "me"|"bot", "text", "buttons"?,
 * "at"?}) as the operator's lines {"from": "citizen"|"bot", "text", "at"?}:
 * the bot's lines of a turn joined by "\n", texts cut to AGENTQ_TEXT_MAX
 * bytes on a UTF-8 boundary, the last AGENTQ_HISTORY_MAX of them. A
 * conversation with no chat log reads the list an earlier version wrote
 * instead (dvcbot:sess-recent:{conv}, lines in the operator's format).
 * addr: the citizen's client address (kept in the conversation: the queue
 * lists one conversation per address in turn, see agentq_list), or NULL.
 * per_hour > 0: a conversation asks at most per_hour times an hour and one
 * address 4 x per_hour (dvcbot:rl:handoff:{conv}, dvcbot:rl:handoff-addr:
 * {addr}); over that, status 2 and nothing is queued. */
int agentq_enqueue(store *s, const char *conv, const char *reason, long long now, const char *addr, int per_hour, agentq_done_fn *fn,
                   void *privdata);

/* state: enum agentq_state; operator: who holds it ("" otherwise). */
typedef void agentq_state_fn(int status, int state, const char *op, void *privdata);
int agentq_state(store *s, const char *conv, agentq_state_fn *fn, void *privdata);

/* Append n lines (from[i]: "citizen", "bot", ...; text[i]) to the
 * conversation log in one call; fn may be NULL. */
int agentq_log(store *s, const char *conv, long long now, const char *const *from,
               const char *const *text, int n, agentq_done_fn *fn, void *privdata);

/* A JSON text: [{"conv","state","since","operator","reason","last"}] of the
 * waiting (oldest first) then held conversations, at most 200. */
typedef void agentq_text_fn(int status, const char *json, size_t len, void *privdata);
int agentq_list(store *s, agentq_text_fn *fn, void *privdata);

/* The log of conv as a JSON array text (oldest first). */
int agentq_history(store *s, const char *conv, agentq_text_fn *fn, void *privdata);

/* Operator op takes a waiting conv: status 0, and notice_json is queued for
 * the citizen; status 1 when it is not waiting (taken by someone, gone). */
int agentq_take(store *s, const char *conv, const char *op, const char *notice_json,
                long long now, agentq_done_fn *fn, void *privdata);

/* op says text to the citizen of a conv it holds: logged and queued as
 * notice_json. status 1 when op does not hold conv. */
int agentq_say(store *s, const char *conv, const char *op, const char *text,
               const char *notice_json, long long now, agentq_done_fn *fn, void *privdata);

/* op hands conv back to the bot (deleted; notice_json queued). status 1 when
 * op does not hold it. */
int agentq_release(store *s, const char *conv, const char *op, const char *notice_json,
                   agentq_done_fn *fn, void *privdata);

/* Every conversation waiting since before `before` leaves the queue and its
 * citizen gets notice_json. fn gets the number of conversations expired. */
typedef void agentq_count_fn(int status, long long n, void *privdata);
int agentq_expire(store *s, long long before, const char *notice_json, agentq_count_fn *fn,
                  void *privdata);

/* For the WebSocket push (bot/ep_ws.c): which of n users of channel have
 * notices waiting on dvcbot:notices:{channel}:{user} (outbox.h owns that
 * list; this only reads it): one EXISTS per user inside one script. fn gets
 * flags[i] = 1 for user i (n at most AGENTQ_BATCH_MAX). */
#define AGENTQ_BATCH_MAX 500
typedef void agentq_flags_fn(int status, const unsigned char *flags, size_t n, void *privdata);
int agentq_notices_waiting(store *s, const char *channel, const char *const *users, size_t n,
                           agentq_flags_fn *fn, void *privdata);

#endif
