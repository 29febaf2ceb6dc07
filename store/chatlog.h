/* chatlog.h -- what the web chat page showed, for a reload (issue 19): one
 * capped list per chat user, apart from the session so that a long
 * conversation does not make every turn's session read and write larger.
 *
 *   dvcbot:chatlog:chat:{user}   list of JSON lines {"from","text","buttons"?},
 *                                the last `max` kept, TTL = the session's
 *
 * The lines are built by bot/conv/chatlog.c; this file only stores them
 * (RPUSH + LTRIM + EXPIRE pipelined, LRANGE: plain commands, binary safe).
 * chatlog_push is fire-and-forget (a lost write loses history lines, never a
 * reply). Both return -1 (nothing sent, fn not called) on bad arguments or a
 * store that cannot send, else 0; chatlog_read's fn gets status 0 and the
 * lines (valid during the call), or -1 and no lines when Redis fails. */
#ifndef DVC_STORE_CHATLOG_H
#define DVC_STORE_CHATLOG_H

#include <stddef.h>

#include "store/redis.h"

int chatlog_push(store *s, const char *user, const char *const *lines, size_t n, int ttl_s,
                 int max);

typedef void chatlog_read_fn(int status, const char *const *lines, const size_t *lens, size_t n,
                             void *privdata);
int chatlog_read(store *s, const char *user, chatlog_read_fn *fn, void *privdata);

#endif
