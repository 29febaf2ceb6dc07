/* chatlog.h -- what the web chat page showed, for a reload (issue 19): one
 * capped list per chat user, apart from the session so that a long
 * conversation does not make every turn's session read and write larger.
 *
 *   dvcbot:chatlog:chat:{user}   list of JSON lines {"from","text","buttons"?},
 *                                the last `max` kept, TTL = the session's
 *
 * The lines are built by bot/conv/chatlog.c and appended by the turn's
 * commit (sessions_commit: RPUSH, LTRIM to CHATLOG_KEEP once it is longer, EXPIRE, inside the
 * script that writes the session, so a turn sends no command for them).
 * chatlog_read returns -1 (nothing sent, fn not called) on bad arguments or
 * a store that cannot send, else 0; its fn gets status 0 and the lines
 * (valid during the call), or -1 and no lines when Redis fails. */
#ifndef DVC_STORE_CHATLOG_H
#define DVC_STORE_CHATLOG_H

#include <stddef.h>

#include "store/redis.h"

#define CHATLOG_KEEP 30         /* lines kept a chat user */
#define CHATLOG_KEY_MAX 320     /* 64 code points of UTF-8 and the prefix */

/* The list's key for user into out; its length, or -1 (empty user, or it
 * does not fit cap). */
int chatlog_key(const char *user, char *out, size_t cap);

typedef void chatlog_read_fn(int status, const char *const *lines, const size_t *lens, size_t n,
                             void *privdata);
int chatlog_read(store *s, const char *user, chatlog_read_fn *fn, void *privdata);

#endif
