/* test_store_scripts.c -- the embedded Lua scripts of the store
 * (the store/lua/ files, compiled into store_lua.c) against a real Redis.
 *
 * On a private redis-server (tests/unit/redis_fixture.h): each script
 * compiles in Redis under the SHA1 computed at build time; a call is one
 * EVALSHA (counted in INFO commandstats), never an EVAL while Redis has the
 * script; after SCRIPT FLUSH the NOSCRIPT answer is retried once with EVAL,
 * pipelined calls included (each answered once, in order, run once); and
 * after Redis restarts the store has loaded every script again when it comes
 * back up, so the first call is an EVALSHA. */
#include "t.h"
#include "tests/unit/redis_fixture.h"
#include "store/outbox.h"
#include "store/ratings.h"
#include "store/redis.h"
#include "store/store_lua.h"

/* "calls" of a command in INFO commandstats (0 when not called since the
 * last CONFIG RESETSTAT). */
static long long cmd_calls(redisContext *c, const char *cmd)
{
    redisReply *r = redisCommand(c, "INFO commandstats");
    char needle[64];
    const char *at;
    long long n = 0;

    snprintf(needle, sizeof(needle), "cmdstat_%s:calls=", cmd);
    if (r != NULL && r->type == REDIS_REPLY_STRING && (at = strstr(r->str, needle)) != NULL)
        n = atoll(at + strlen(needle));
    if (r != NULL)
        freeReplyObject(r);
    return n;
}

typedef struct erec {
    int calls;
    int status;
    int created;
    long long id;
} erec;

static void erec_enqueued(int status, long long id, int created, void *privdata)
{
    erec *x = privdata;

    x->calls++;
    x->status = status;
    x->id = id;
    x->created = created;
}

static void erec_stats(int status, const redisReply *complaints, const redisReply *ratings,
                       const redisReply *dossiers, void *privdata)
{
    erec *x = privdata;

    x->calls++;
    x->status = status == 0 && complaints && ratings && dossiers ? 0 : -1;
}

static void test_script_shas(redisContext *c)
{
    int ok = 1;

    for (size_t i = 0; i < STORE_LUA_COUNT; i++) {
        const store_script *sc = store_lua_all[i];
        redisReply *r = redisCommand(c, "SCRIPT LOAD %b", sc->text, sc->len);
        int same = r != NULL && r->type == REDIS_REPLY_STRING && strlen(sc->sha1) == 40 &&
                   strcmp(r->str, sc->sha1) == 0;

        if (!same)
            printf("# %s: %s\n", sc->name, r != NULL && r->str != NULL ? r->str : "no reply");
        ok &= same;
        if (r != NULL)
            freeReplyObject(r);
    }
    T_OK(ok, "each of the %d embedded scripts compiles in Redis under its precomputed SHA1",
         STORE_LUA_COUNT);
}

/* n outbox_enqueue calls at once; 1 if each was answered once, created, with
 * the ids first..first+n-1 in order. */
static int enqueue_burst(store *t, erec *e, int n, long long first)
{
    outbox_msg m = { "84900000001", "xin ch\xc3\xa0o", "notify", NULL, NULL };
    int ok = 1;

    for (int i = 0; i < n; i++)
        ok &= outbox_enqueue(t, &m, erec_enqueued, &e[i]) == 0;
    RUN_UNTIL(e[n - 1].calls, 3000);
    for (int i = 0; i < n; i++)
        ok &= e[i].calls == 1 && e[i].status == 0 && e[i].created == 1 && e[i].id == first + i;
    return ok;
}

static void test_scripts(void)
{
    enum { N = 4 };
    char url[64];
    erec st[N], en[N + 3];
    redisContext *c = sync_open(5);
    store *t;
    int ok = 1;

    memset(st, 0, sizeof(st));
    memset(en, 0, sizeof(en));
    snprintf(url, sizeof(url), "redis://127.0.0.1:%d/5", redis_port);
    t = redis_store_open(url, 1000, 1000);
    RUN_UNTIL(store_is_up(t) && store_pending_count(t) == 0, 3000);
    T_OK(store_is_up(t) && c != NULL && !c->err, "a store on db 5 for the scripts");
    test_script_shas(c);

    sync_do(c, "CONFIG RESETSTAT");
    for (int i = 0; i < N; i++)
        ratings_stats(t, erec_stats, &st[i]);
    RUN_UNTIL(st[N - 1].calls, 3000);
    for (int i = 0; i < N; i++)
        ok &= st[i].calls == 1 && st[i].status == 0;
    T_OK(ok && cmd_calls(c, "evalsha") == N && cmd_calls(c, "eval") == 0,
         "%d script calls: %lld EVALSHA, %lld EVAL", N, cmd_calls(c, "evalsha"),
         cmd_calls(c, "eval"));

    sync_do(c, "SCRIPT FLUSH");
    sync_do(c, "CONFIG RESETSTAT");
    T_OK(enqueue_burst(t, en, 1, 1), "after SCRIPT FLUSH a script call still succeeds");
    T_OK(enqueue_burst(t, en + 1, N - 1, 2), "and the next ones too");
    T_OK(cmd_calls(c, "eval") == 1 && cmd_calls(c, "evalsha") == N,
         "after the flush: one EVAL (the retry of the NOSCRIPT), then EVALSHA only "
         "(eval %lld, evalsha %lld)", cmd_calls(c, "eval"), cmd_calls(c, "evalsha"));

    sync_do(c, "SCRIPT FLUSH");
    sync_do(c, "CONFIG RESETSTAT");
    T_OK(enqueue_burst(t, en + N, 3, N + 1),
         "3 pipelined calls after a flush: each answered once, in order");
    redisReply *r = redisCommand(c, "GET dvcbot:outbox:seq");
    T_OK(r != NULL && r->type == REDIS_REPLY_STRING && atoi(r->str) == N + 3 &&
         cmd_calls(c, "eval") == 3, "each retried once and run once (seq %s, eval %lld)",
         r != NULL && r->str != NULL ? r->str : "-", cmd_calls(c, "eval"));
    if (r != NULL)
        freeReplyObject(r);
    sync_do(c, "FLUSHDB");
    store_close(t);
    redisFree(c);
}

/* A restarted Redis has no scripts: the store loaded them all when it came
 * up again, so a call is one EVALSHA and no EVAL. */
static void test_preloaded(store *s)
{
    redisContext *c = sync_open(3);
    erec st;

    memset(&st, 0, sizeof(st));
    RUN_UNTIL(store_pending_count(s) == 0, 2000);
    sync_do(c, "CONFIG RESETSTAT");
    ratings_stats(s, erec_stats, &st);
    RUN_UNTIL(st.calls, 2000);
    T_OK(st.calls == 1 && st.status == 0 && cmd_calls(c, "evalsha") == 1 &&
         cmd_calls(c, "eval") == 0, "after a Redis restart the scripts were preloaded: no EVAL");
    redisFree(c);
}

/* Kill Redis and start it again, empty of scripts: the store comes back up
 * by itself, with the scripts loaded. */
static void test_restart(store *s)
{
    redis_kill();
    RUN_UNTIL(!store_is_up(s), 3000);
    T_OK(!store_is_up(s) && redis_start() == 0, "redis-server killed and restarted");
    RUN_UNTIL(store_is_up(s), 5000);
    T_OK(store_is_up(s), "the store reconnected by itself");
    test_preloaded(s);
}

int main(void)
{
    store *s;

    if (redis_suite_start(20, 3) != 0)
        return t_done();
    s = redis_store_open(redis_url, 1000, 1000);
    RUN_UNTIL(store_is_up(s), 3000);
    T_OK(store_is_up(s), "a store on db 3");
    test_scripts();
    test_restart(s);
    store_close(s);
    redis_suite_end();
    return t_done();
}
