/* chatlog.c -- the web chat's lines in a capped list (chatlog.h): its key and
 * its read; the lines are appended by the turn's commit (sessions.c). */
#include "store/chatlog.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/xmalloc.h"

int chatlog_key(const char *user, char *out, size_t cap)
{
    if (!user || !*user)
        return -1;
    int kn = snprintf(out, cap, "dvcbot:chatlog:chat:%s", user);
    return kn < 0 || (size_t)kn >= cap ? -1 : kn;
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
    char key[CHATLOG_KEY_MAX];
    int kn = chatlog_key(user, key, sizeof(key));
    if (kn < 0 ||
        store_command(s, chatlog_on_read, c, "LRANGE %b 0 -1", key, (size_t)kn) < 0) {
        free(c);
        return -1;
    }
    return 0;
}
