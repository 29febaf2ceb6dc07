/* redis_script.c -- store_eval: the embedded Lua scripts (store/lua/,
 * build/gen/store/store_lua.c) sent by SHA1 with EVALSHA, with EVAL of the
 * full text as the fallback when Redis does not know the SHA (NOSCRIPT), and
 * SCRIPT LOAD of every script each time the connection comes up.
 *
 * A call keeps a copy of its arguments until it is answered, so that the
 * fallback can send them again from inside the NOSCRIPT reply's callback;
 * the caller's callback runs exactly once, with the answer of the EVALSHA or
 * of its one EVAL retry. */
#include "store/redis.h"

#include <stdlib.h>
#include <string.h>

#include "common/xmalloc.h"
#include "store/arg.h"
#include "store/redis_int.h"
#include "store/store_lua.h"

#define STORE_NOSCRIPT "NOSCRIPT"

typedef struct store_evalcall {
    store *s;
    store_reply_fn *fn;
    void *privdata;
    const store_script *script;
    int argc;
    int retried;
    const char **argv;          /* EVALSHA|EVAL, sha|text, nkeys, args (copies) */
    size_t *argvlen;
    char nkeys[NUM_MAX];
    store_pending pending;      /* the command's, in the call's block */
} store_evalcall;

static void store_evalcall_free(store_evalcall *c)
{
    free(c); /* one block with its argv, argvlen and argument bytes */
}

static int store_is_noscript(const redisReply *r)
{
    return r != NULL && r->type == REDIS_REPLY_ERROR && r->str != NULL &&
           strncmp(r->str, STORE_NOSCRIPT, strlen(STORE_NOSCRIPT)) == 0;
}

static void store_eval_on_reply(redisReply *r, void *privdata)
{
    store_evalcall *c = privdata;

    if (store_is_noscript(r) && !c->retried) {
        c->retried = 1;
        c->argv[0] = "EVAL";
        c->argvlen[0] = 4;
        c->argv[1] = c->script->text;
        c->argvlen[1] = c->script->len;
        if (store_commandargv_in(c->s, &c->pending, store_eval_on_reply, c, c->argc, c->argv,
                                 c->argvlen) == 0)
            return;
        /* the store was closed from an earlier callback: answer with the error */
    }
    if (c->fn != NULL && store_hold_reply(c->s, c->script, r, c->fn, c->privdata)) {
        store_evalcall_free(c); /* answered once a replica has the write */
        return;
    }
    if (c->fn != NULL)
        c->fn(r, c->privdata);
    store_evalcall_free(c);
}

/* One block: the call, argv, argvlen and the copied argument bytes. */
static store_evalcall *store_evalcall_new(int nargs, const char *const *args,
                                          const size_t *lens)
{
    int argc = nargs + 3;
    size_t bytes = 0;
    for (int i = 0; i < nargs; i++)
        bytes += args[i] ? (lens ? lens[i] : strlen(args[i])) + 1 : 1;
    size_t head = (sizeof(store_evalcall) + sizeof(void *) - 1) / sizeof(void *) * sizeof(void *);
    char *blob = xmalloc(head + (size_t)argc * (sizeof(char *) + sizeof(size_t)) + bytes);
    store_evalcall *c = (store_evalcall *)(void *)blob;
    memset(c, 0, sizeof(*c));
    c->argc = argc;
    c->argv = (const char **)(void *)(blob + head);
    c->argvlen = (size_t *)(void *)(blob + head + (size_t)argc * sizeof(char *));
    char *data = blob + head + (size_t)argc * (sizeof(char *) + sizeof(size_t));
    for (int i = 0; i < nargs; i++) {
        size_t n = args[i] ? (lens ? lens[i] : strlen(args[i])) : 0;
        if (n)
            memcpy(data, args[i], n);
        data[n] = '\0';
        c->argv[3 + i] = data;
        c->argvlen[3 + i] = n;
        data += n + 1;
    }
    return c;
}

int store_eval(store *s, store_reply_fn *fn, void *privdata, const store_script *script,
               int nkeys, int nargs, const char *const *args, const size_t *lens)
{
    if (!store_is_up(s) || script == NULL || nkeys < 0 || nargs < nkeys ||
        (nargs > 0 && args == NULL))
        return -1;
    store_evalcall *c = store_evalcall_new(nargs, args, lens);
    c->s = s;
    c->fn = fn;
    c->privdata = privdata;
    c->script = script;
    c->argv[0] = "EVALSHA";
    c->argvlen[0] = 7;
    c->argv[1] = script->sha1;
    c->argvlen[1] = strlen(script->sha1);
    c->argv[2] = c->nkeys;
    c->argvlen[2] = num_format(c->nkeys, nkeys);
    if (store_commandargv_in(s, &c->pending, store_eval_on_reply, c, c->argc, c->argv,
                             c->argvlen) < 0) {
        store_evalcall_free(c);
        return -1;
    }
    return 0;
}

void store_scripts_preload(store *s)
{
    for (size_t i = 0; i < STORE_LUA_COUNT; i++) {
        const store_script *sc = store_lua_all[i];
        const char *argv[3] = {"SCRIPT", "LOAD", sc->text};
        const size_t argvlen[3] = {6, 4, sc->len};
        (void)store_commandargv(s, NULL, NULL, 3, argv, argvlen);
    }
}
