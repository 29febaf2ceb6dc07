/* chatlog.c -- the web chat's lines in a capped list (chatlog.h). */
#include "store/chatlog.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/xmalloc.h"

#define CHATLOG_PUSH_MAX 16     /* lines of one turn */

/* Three pipelined commands, no script: RPUSH, LTRIM, EXPIRE (a Lua script
 * cost 27 us of Redis time per turn, these about 4). */
int chatlog_push(store *s, const char *user, const char *const *lines, size_t n, int ttl_s,
                 int max)
{
    if (!s || !user || !*user || n == 0 || n > CHATLOG_PUSH_MAX || ttl_s <= 0 || max <= 0)
        return -1;
    char key[320]; /* 64 code points of UTF-8 and the prefix */
    int kn = snprintf(key, sizeof(key), "dvcbot:chatlog:chat:%s", user);
    if (kn < 0 || (size_t)kn >= sizeof(key))
        return -1;
    const char *argv[2 + CHATLOG_PUSH_MAX] = {"RPUSH", key};
    size_t lens[2 + CHATLOG_PUSH_MAX] = {5, (size_t)kn};
    for (size_t i = 0; i < n; i++) {
        argv[2 + i] = lines[i];
        lens[2 + i] = strlen(lines[i]);
    }
    if (store_commandargv(s, NULL, NULL, (int)(2 + n), argv, lens) < 0)
        return -1;
    store_command(s, NULL, NULL, "LTRIM %b %d -1", key, (size_t)kn, -max);
    store_command(s, NULL, NULL, "EXPIRE %b %d", key, (size_t)kn, ttl_s);
    return 0;
}

typedef struct chatlog_call {
    chatlog_read_fn *fn;
    void *privdata;
} chatlog_call;

static void chatlog_on_read(redisReply *r, void *privdata)
{
    chatlog_call *c = privdata;
    chatlog_read_fn *fn = c->fn;
    void *up = c->privdata;
    free(c);
    if (!r || r->type != REDIS_REPLY_ARRAY) {
        fn(-1, NULL, NULL, 0, up);
        return;
    }
    size_t n = r->elements;
    const char **lines = xcalloc(n ? n : 1, sizeof(*lines));
    size_t *lens = xcalloc(n ? n : 1, sizeof(*lens));
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (r->element[i]->type == REDIS_REPLY_STRING) {
            lines[k] = r->element[i]->str;
            lens[k++] = r->element[i]->len;
        }
    fn(0, lines, lens, k, up);
    free(lines);
    free(lens);
}

int chatlog_read(store *s, const char *user, chatlog_read_fn *fn, void *privdata)
{
    if (!s || !user || !*user || !fn)
        return -1;
    chatlog_call *c = xcalloc(1, sizeof(*c));
    c->fn = fn;
    c->privdata = privdata;
    char key[320]; /* 64 code points of UTF-8 and the prefix */
    int kn = snprintf(key, sizeof(key), "dvcbot:chatlog:chat:%s", user);
    if (kn < 0 || (size_t)kn >= sizeof(key) ||
        store_command(s, chatlog_on_read, c, "LRANGE %b 0 -1", key, (size_t)kn) < 0) {
        free(c);
        return -1;
    }
    return 0;
}
