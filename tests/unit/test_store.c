/* test_store.c -- store/redis*.c and store/sessions.c against a real Redis.
 *
 * Starts a private redis-server (tests/unit/redis_fixture.h), then drives
 * the store on a libuv loop: connect + SELECT, session round trips with
 * hostile bytes, TTLs, pipelining, SIGKILL of Redis mid-flight, restart and
 * automatic reconnect, command timeout with DEBUG SLEEP, and store_close in
 * every state. Leaks are caught by LSan when built with -fsanitize=address;
 * the loop must close empty. The url checks are test_store_url.c, the
 * embedded Lua scripts test_store_scripts.c. */
#include "t.h"
#include "tests/unit/redis_fixture.h"
#include "store/keys.h"
#include "store/redis.h"
#include "store/chatlog.h"
#include "store/sessions.h"

typedef struct srec {
    int calls;
    int status;
    char *json;         /* copy; NULL when the callback got NULL */
    size_t len;
} srec;

static void srec_load(int status, const char *json, size_t len, void *privdata)
{
    srec *x = privdata;

    x->calls++;
    x->status = status;
    free(x->json);
    x->json = NULL;
    if (json != NULL) {
        x->json = xmalloc(len + 1);
        memcpy(x->json, json, len + 1);     /* NUL included: checks the contract */
    }
    x->len = len;
}

static void srec_save(int status, void *privdata)
{
    srec *x = privdata;

    x->calls++;
    x->status = status;
}

static void srec_clear(srec *x, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        free(x[i].json);
        memset(&x[i], 0, sizeof(x[i]));
    }
}

/* ------------------------------------------------------------------------
 * Sessions round trip
 * ---------------------------------------------------------------------- */

#define NCASES 6

static const char *case_user[NCASES] = {
    "84901234567",
    "Nguy\xe1\xbb\x85n V\xc4\x83n \xc4\x90\xe1\xbb\xa9\x63 \xe2\x9c\x93 \xf0\x9f\x87\xbb\xf0\x9f\x87\xb3",
    "a b\r\nc d",
    "*3\r\n$3\r\nSET\r\n$3\r\nfoo\r\n$3\r\nbar\r\n",
    "x:y:z",
    "\x01\x7f\xff\xfe binary",
};
static const char case_val_nul[] = "before\0after";
static const char *case_val[NCASES] = {
    "{\"step\": \"ask_code\", \"lang\": \"vi\"}",
    "{\"text\": \"Tra c\xe1\xbb\xa9u h\xe1\xbb\x93 s\xc6\xa1 \xe2\x80\x94 d\xc3\xb2ng 1\"}",
    "line 1\r\nline 2\r\n\r\n",
    "*3\r\n$3\r\nSET\r\n$3\r\nfoo\r\n$3\r\nbar\r\n",
    case_val_nul,
    "",
};
static size_t case_len(int i)
{
    return i == 4 ? sizeof(case_val_nul) - 1 : strlen(case_val[i]);
}

static char *session_key(const char *channel, const char *user, size_t *len)
{
    size_t n = strlen("dvcbot:sess:") + strlen(channel) + 1 + strlen(user);
    char *k = xmalloc(n + 1);

    snprintf(k, n + 1, "dvcbot:sess:%s:%s", channel, user);
    *len = n;
    return k;
}

static void test_save_load(store *s)
{
    srec sv[NCASES], ld[NCASES];
    int i, ok_save = 1, ok_load = 1;

    memset(sv, 0, sizeof(sv));
    memset(ld, 0, sizeof(ld));
    for (i = 0; i < NCASES; i++)
        T_OK(sessions_save(s, "web", case_user[i], case_val[i], case_len(i), 60,
                           srec_save, &sv[i]) == 0, "save %d queued", i);
    RUN_UNTIL(sv[NCASES - 1].calls, 3000);
    for (i = 0; i < NCASES; i++)
        ok_save &= sv[i].calls == 1 && sv[i].status == 0;
    T_OK(ok_save, "every save answered once with status 0");

    for (i = 0; i < NCASES; i++)
        T_OK(sessions_load(s, "web", case_user[i], srec_load, &ld[i]) == 0, "load %d queued", i);
    RUN_UNTIL(ld[NCASES - 1].calls, 3000);
    for (i = 0; i < NCASES; i++) {
        int same = ld[i].calls == 1 && ld[i].status == 0 && ld[i].json != NULL &&
                   ld[i].len == case_len(i) && memcmp(ld[i].json, case_val[i], case_len(i)) == 0 &&
                   ld[i].json[ld[i].len] == '\0';
        if (!same)
            printf("# case %d: calls %d status %d len %zu\n", i, ld[i].calls, ld[i].status, ld[i].len);
        ok_load &= same;
    }
    T_OK(ok_load, "every load returns the bytes saved (unicode, CRLF, RESP text, NUL, empty)");
    srec_clear(sv, NCASES);
    srec_clear(ld, NCASES);
}

/* Raw checks: exact key names, nothing injected, TTLs. */
static void test_raw(store *s)
{
    rec r[4 + NCASES * 2];
    int i, ok_get = 1, ok_ttl = 1;

    memset(r, 0, sizeof(r));
    store_command(s, rec_cb, &r[0], "EXISTS foo");
    store_command(s, rec_cb, &r[1], "DBSIZE");
    store_command(s, rec_cb, &r[2], "EXISTS %b", "dvcbot:sess:web:*3", (size_t)18);
    for (i = 0; i < NCASES; i++) {
        size_t klen;
        char *k = session_key("web", case_user[i], &klen);

        store_command(s, rec_cb, &r[4 + 2 * i], "GET %b", k, klen);
        store_command(s, rec_cb, &r[5 + 2 * i], "TTL %b", k, klen);
        free(k);
    }
    store_command(s, rec_cb, &r[3], "PING");
    RUN_UNTIL(r[3].calls, 3000);
    T_OK(r[0].calls == 1 && r[0].type == REDIS_REPLY_INTEGER && r[0].integer == 0,
         "RESP text in a user id or value injected no command (EXISTS foo = 0)");
    T_OK(r[1].type == REDIS_REPLY_INTEGER && r[1].integer == NCASES,
         "DBSIZE of db 3 is exactly the %d sessions (got %lld)", NCASES, r[1].integer);
    T_OK(r[2].type == REDIS_REPLY_INTEGER && r[2].integer == 0, "no key cut at the CRLF");
    for (i = 0; i < NCASES; i++) {
        rec *g = &r[4 + 2 * i], *t = &r[5 + 2 * i];

        ok_get &= g->type == REDIS_REPLY_STRING && g->len == case_len(i) &&
                  memcmp(g->str, case_val[i], g->len) == 0;
        ok_ttl &= t->type == REDIS_REPLY_INTEGER && t->integer > 0 && t->integer <= 60;
    }
    T_OK(ok_get, "raw GET dvcbot:sess:web:<user> returns each value verbatim");
    T_OK(ok_ttl, "TTL of every session key is in (0, 60]");
    rec_clear(r, sizeof(r) / sizeof(r[0]));
}

static void test_missing_and_misc(store *s)
{
    srec a, b, c, d;
    rec e, t;
    size_t klen;
    char *k;

    memset(&a, 0, sizeof(a)); memset(&b, 0, sizeof(b));
    memset(&c, 0, sizeof(c)); memset(&d, 0, sizeof(d));
    memset(&e, 0, sizeof(e)); memset(&t, 0, sizeof(t));
    a.status = b.status = d.status = 99;
    sessions_load(s, "web", "nobody-here", srec_load, &a);
    sessions_load(s, "sms", case_user[0], srec_load, &b);      /* saved under web only */
    sessions_save(s, "web", case_user[0], "{}", 2, 0, srec_save, &c);  /* EX 0: refused */
    sessions_save(s, "web", case_user[1], "{\"v\":2}", 7, 30, srec_save, &d);
    k = session_key("web", case_user[1], &klen);
    store_command(s, rec_cb, &t, "TTL %b", k, klen);
    store_command(s, rec_cb, &e, "INCR %b", k, klen);
    free(k);
    RUN_UNTIL(e.calls, 3000);
    T_OK(a.calls == 1 && a.status == 0 && a.json == NULL, "missing session: status 0, json NULL");
    T_OK(b.calls == 1 && b.status == 0 && b.json == NULL, "channels are separate key spaces");
    T_OK(c.calls == 1 && c.status == -1, "save with ttl 0 fails with status -1");
    T_OK(d.calls == 1 && d.status == 0, "overwrite saved");
    T_OK(t.type == REDIS_REPLY_INTEGER && t.integer > 0 && t.integer <= 30, "save refreshes the TTL (%lld)", t.integer);
    T_OK(e.calls == 1 && e.type == REDIS_REPLY_ERROR, "error replies are passed through: %s", e.str ? e.str : "");
    T_OK(sessions_load(s, "we:b", "u", srec_load, &a) == -1, "channel with ':' refused");
    T_OK(sessions_load(s, "web", "", srec_load, &a) == -1, "empty user refused");
    T_OK(sessions_load(s, "web", NULL, srec_load, &a) == -1, "NULL user refused");
    T_OK(sessions_save(NULL, "web", "u", "{}", 2, 10, NULL, NULL) == -1, "NULL store refused");
    RUN_FOR(20);
    T_OK(a.calls == 1, "refused calls never call back");
    srec_clear(&a, 1); srec_clear(&b, 1); srec_clear(&c, 1); srec_clear(&d, 1);
    rec_clear(&e, 1); rec_clear(&t, 1);
}

/* sessions_begin's answer into an srec (json: the session), retry in len. */
static void srec_begin(int status, int retry_after_s, const char *value, size_t len,
                       void *privdata)
{
    srec_load(status, value, value ? len : (size_t)retry_after_s, privdata);
}

static int claim(store *s, const char *u, const char *token, int lease_ms, unsigned wait_ms,
                 const ratelimit_rule *rules, size_t n, srec *x)
{
    sessions_turn t = {"chat", u, token, lease_ms, wait_ms, rules, n, NULL};
    return sessions_begin(s, &t, srec_begin, x);
}

static int commit(store *s, const char *u, const char *token, const char *v,
                  const char *const *lines, size_t n, srec *x)
{
    sessions_write w = {.value = v, .len = v ? strlen(v) : 0, .ttl_s = 60, .chatlog = lines,
                        .nchatlog = n};
    return sessions_commit(s, "chat", u, token, &w, srec_save, x);
}

/* The lease: one owner at a time; the write only while the lease is the
 * writer's; a failed turn gives it back; an expired one is anyone's. */
static void test_lease(store *s)
{
    srec a, b, c, d, e, f, g;
    const char *u = case_user[3];   /* protocol bytes in the user id */

    memset(&a, 0, sizeof(a)); memset(&b, 0, sizeof(b)); memset(&c, 0, sizeof(c));
    memset(&d, 0, sizeof(d)); memset(&e, 0, sizeof(e)); memset(&f, 0, sizeof(f));
    memset(&g, 0, sizeof(g));
    claim(s, u, "inst-1:1", 5000, 0, NULL, 0, &a);
    claim(s, u, "inst-2:1", 5000, 0, NULL, 0, &b);
    commit(s, u, "inst-2:1", "{\"t\":9}", NULL, 0, &c);
    commit(s, u, "inst-1:1", "{\"t\":1}", NULL, 0, &d);
    claim(s, u, "inst-2:1", 5000, 0, NULL, 0, &e);
    sessions_release(s, "chat", u, "inst-1:1");         /* not its own: left alone */
    claim(s, u, "inst-1:2", 5000, 0, NULL, 0, &f);
    sessions_release(s, "chat", u, "inst-2:1");
    claim(s, u, "inst-1:3", 1, 0, NULL, 0, &g);
    RUN_UNTIL(g.calls, 3000);
    T_OK(a.calls == 1 && a.status == SESSIONS_OWNED && a.json == NULL,
         "begin: taken, no session yet");
    T_OK(b.calls == 1 && b.status == SESSIONS_HELD && b.json == NULL,
         "begin by another owner: held, nothing read");
    T_OK(c.calls == 1 && c.status == -1, "commit by a non-owner: refused");
    T_OK(d.calls == 1 && d.status == 0, "commit by the owner: written");
    T_OK(e.calls == 1 && e.status == SESSIONS_OWNED && e.json && !strcmp(e.json, "{\"t\":1}"),
         "after the commit the lease is free and the next turn reads the owner's write only");
    T_OK(f.calls == 1 && f.status == SESSIONS_HELD, "a release by a non-owner leaves the lease");
    T_OK(g.calls == 1 && g.status == SESSIONS_OWNED, "released by its owner: free again");
    RUN_FOR(20);                                         /* the 1 ms lease runs out */
    srec_clear(&a, 1); srec_clear(&b, 1);
    claim(s, u, "inst-3:1", 5000, 0, NULL, 0, &a);
    commit(s, u, "inst-1:3", "{}", NULL, 0, &b);
    RUN_UNTIL(b.calls, 3000);
    T_OK(a.calls == 1 && a.status == SESSIONS_OWNED, "an expired lease is taken by the next turn");
    T_OK(b.status == -1, "the turn whose lease expired writes nothing");
    T_OK(claim(s, u, "", 5000, 0, NULL, 0, &a) == -1 && claim(s, u, "t", 0, 0, NULL, 0, &a) == -1 &&
         commit(s, u, NULL, "{}", NULL, 0, NULL) == -1,
         "empty token, lease 0 refused");
    srec_clear(&a, 1); srec_clear(&b, 1); srec_clear(&c, 1); srec_clear(&d, 1);
    srec_clear(&e, 1); srec_clear(&f, 1); srec_clear(&g, 1);
}

/* Budgets go with the turn's start: a refused turn takes no lease and counts
 * nothing; a turn that waits for the lease is counted once; the wait ends
 * when the other turn commits. */
static void test_begin_budgets(store *s)
{
    srec a, b, c, d;
    const char *u = "budget\r\nuser";
    ratelimit_rule rules[1] = {{"id", "chat:budget-test", 2, 60}};
    redisContext *rc = sync_open(3);
    size_t n;

    memset(&a, 0, sizeof(a)); memset(&b, 0, sizeof(b)); memset(&c, 0, sizeof(c));
    memset(&d, 0, sizeof(d));
    claim(s, u, "b:1", 5000, 0, rules, 1, &a);
    claim(s, u, "b:2", 5000, 3000, rules, 1, &b);     /* waits for b:1's commit */
    RUN_FOR(120);
    char *cnt = sync_str(rc, &n, "GET dvcbot:rl:id:chat:budget-test");
    T_OK(a.status == SESSIONS_OWNED && b.calls == 0 && cnt && !strcmp(cnt, "2"),
         "two turns counted, the second waits for the lease (count %s)", cnt ? cnt : "-");
    free(cnt);
    commit(s, u, "b:1", "{\"n\":1}", NULL, 0, &c);
    RUN_UNTIL(b.calls, 3000);
    cnt = sync_str(rc, &n, "GET dvcbot:rl:id:chat:budget-test");
    T_OK(b.status == SESSIONS_OWNED && b.json && !strcmp(b.json, "{\"n\":1}") && cnt &&
             !strcmp(cnt, "2"),
         "the waiting turn got the lease after the commit, with its write, counted once");
    free(cnt);
    sessions_release(s, "chat", u, "b:2");
    claim(s, u, "b:3", 5000, 0, rules, 1, &d);
    RUN_UNTIL(d.calls, 3000);
    cnt = sync_str(rc, &n, "GET dvcbot:rl:id:chat:budget-test");
    char *lease = sync_str(rc, &n, "GET %b", "dvcbot:sess-lease:chat:budget\r\nuser", (size_t)34);
    T_OK(d.status == SESSIONS_LIMITED && d.len >= 1 && d.len <= 60 && cnt && !strcmp(cnt, "2") &&
             !lease,
         "over the budget: limited (retry %zu s), nothing counted, no lease taken", d.len);
    free(cnt);
    free(lease);
    redisFree(rc);
    srec_clear(&a, 1); srec_clear(&b, 1); srec_clear(&c, 1); srec_clear(&d, 1);
}

/* The chat log's lines (also the hand-off history) go with the commit to
 * their list, capped at CHATLOG_KEEP. */
static void test_recent(store *s)
{
    enum { PER = 12 };
    const char *u = "hist-1";
    const char *lines[SESSIONS_CHATLOG_MAX + 1];
    char text[SESSIONS_CHATLOG_MAX + 1][32];
    redisContext *rc = sync_open(3);
    srec a, b;
    size_t n;

    for (int turn = 0; turn < 3; turn++) {
        char tok[16];
        snprintf(tok, sizeof(tok), "h:%d", turn);
        memset(&a, 0, sizeof(a)); memset(&b, 0, sizeof(b));
        for (int i = 0; i < PER; i++) {
            snprintf(text[i], sizeof(text[i]), "{\"n\":%d}", turn * PER + i);
            lines[i] = text[i];
        }
        claim(s, u, tok, 5000, 0, NULL, 0, &a);
        commit(s, u, tok, "{}", lines, PER, &b);
        RUN_UNTIL(b.calls, 3000);
        srec_clear(&a, 1);
    }
    char *len = sync_str(rc, &n, "LLEN dvcbot:chatlog:chat:hist-1");
    char *first = sync_str(rc, &n, "LINDEX dvcbot:chatlog:chat:hist-1 0");
    char *ttl = sync_str(rc, &n, "TTL dvcbot:chatlog:chat:hist-1");
    char *old = sync_str(rc, &n, "EXISTS dvcbot:sess-recent:chat:hist-1");
    char want[32];
    snprintf(want, sizeof(want), "{\"n\":%d}", 3 * PER - CHATLOG_KEEP);
    T_OK(b.status == 0 && len && atoi(len) == CHATLOG_KEEP && first && !strcmp(first, want) &&
             ttl && atoi(ttl) > 0 && atoi(ttl) <= 60 && old && !strcmp(old, "0"),
         "%d chat log lines: the last %d kept, oldest first, with the session's TTL; no other "
         "history list", 3 * PER, CHATLOG_KEEP);
    free(len); free(first); free(ttl); free(old);
    memset(&a, 0, sizeof(a));
    for (int i = 0; i <= SESSIONS_CHATLOG_MAX; i++)
        lines[i] = "{}";
    T_OK(commit(s, u, "x", "{}", lines, SESSIONS_CHATLOG_MAX + 1, &a) == -1,
         "more lines than the cap in one commit refused");
    redisFree(rc);
}

/* A turn's token: "{instance}{sep}{n}", the instance cut so that the
 * number always fits; a real lease taken with the longest one. */
static void test_token(store *s)
{
    char t1[SESSIONS_TOKEN_MAX + 1], t2[SESSIONS_TOKEN_MAX + 1], longest[300];
    sessions_token(t1, "vm-1:42", ":u", 7);
    T_STREQ(t1, "vm-1:42:u7", "the instance, the separator, the turn");
    memset(longest, 'i', sizeof(longest) - 1);
    longest[sizeof(longest) - 1] = '\0';
    sessions_token(t1, longest, ":", 9223372036854775807UL);
    sessions_token(t2, longest, ":", 9223372036854775806UL);
    size_t n = strlen(t1), k = strspn(t1, "i");
    T_OK(n <= SESSIONS_TOKEN_MAX && k > 0 && !strcmp(t1 + k, ":9223372036854775807") &&
             strlen(t2) == n && !strcmp(t2 + k, ":9223372036854775806"),
         "a 299-byte instance is cut: the token (%zu bytes) keeps the whole turn number, two "
         "turns two tokens", n);
    srec a;
    memset(&a, 0, sizeof(a));
    claim(s, "tok-1", t1, 5000, 0, NULL, 0, &a);
    RUN_UNTIL(a.calls, 3000);
    T_OK(a.calls == 1 && a.status == SESSIONS_OWNED, "such a token takes a lease (status %d)",
         a.status);
    srec_clear(&a, 1);
}

/* 300 pipelined INCRs: answered in order, once each. */
static void test_pipeline(store *s)
{
    enum { N = 300 };
    rec *r = xcalloc(N, sizeof(*r));
    int i, ok = 1;

    for (i = 0; i < N; i++)
        store_command(s, rec_cb, &r[i], "INCR dvcbot:test:counter");
    T_OK(store_pending_count(s) == N, "pending count %zu", store_pending_count(s));
    RUN_UNTIL(r[N - 1].calls, 5000);
    for (i = 0; i < N; i++)
        ok &= r[i].calls == 1 && r[i].type == REDIS_REPLY_INTEGER && r[i].integer == i + 1;
    T_OK(ok, "pipelined replies in order, each once");
    T_OK(store_pending_count(s) == 0, "no pending left");
    rec_clear(r, N);
    free(r);
    store_command(s, NULL, NULL, "DEL dvcbot:test:counter");    /* fn NULL allowed */
}

/* ------------------------------------------------------------------------
 * Failure: SIGKILL, restart, timeout
 * ---------------------------------------------------------------------- */

static void test_kill_restart(store *s)
{
    enum { N = 8 };
    rec r[N], late;
    srec sr;
    unsigned long e0 = store_errors(s), rc0 = store_reconnects(s);
    uint64_t t0;
    int i, once = 1;

    memset(r, 0, sizeof(r));
    memset(&late, 0, sizeof(late));
    memset(&sr, 0, sizeof(sr));
    store_command(s, rec_cb, &r[0], "DEBUG SLEEP 5");
    for (i = 1; i < N; i++)
        store_command(s, rec_cb, &r[i], "GET dvcbot:none:%d", i);
    RUN_FOR(150);
    T_OK(r[0].calls == 0 && store_pending_count(s) == N, "commands in flight");
    redis_kill();
    RUN_UNTIL(r[N - 1].calls, 3000);
    RUN_FOR(150);
    for (i = 0; i < N; i++)
        once &= r[i].calls == 1 && r[i].nulls == 1;
    T_OK(once, "SIGKILL: every pending callback got NULL exactly once");
    T_OK(!store_is_up(s), "store is down");
    T_OK(store_errors(s) > e0 && store_errstr(s)[0], "error counted: %s", store_errstr(s));
    T_OK(store_command(s, rec_cb, &late, "PING") == -1, "store_command while down returns -1");
    T_OK(sessions_load(s, "web", "u", srec_load, &sr) == -1, "sessions_load while down returns -1");
    T_OK(sessions_save(s, "web", "u", "{}", 2, 10, srec_save, &sr) == -1, "sessions_save while down returns -1");
    RUN_FOR(500);
    T_OK(late.calls == 0 && sr.calls == 0, "no callback for refused commands");
    T_OK(store_errors(s) >= e0 + 3, "reconnect attempts while down fail and are counted (%lu)",
         store_errors(s) - e0);

    T_OK(redis_start() == 0, "redis restarted on port %d", redis_port);
    t0 = now_ms();
    RUN_UNTIL(store_is_up(s), 5000);
    T_OK(store_is_up(s), "store reconnected by itself after %llu ms",
         (unsigned long long)(now_ms() - t0));
    T_OK(store_reconnects(s) == rc0 + 1, "reconnects counted (%lu)", store_reconnects(s));
    test_save_load(s);      /* and SELECT 3 was redone: */
    test_raw(s);
    rec_clear(r, N);
    rec_clear(&late, 1);
}

static void test_timeout(void)
{
    store *s = redis_store_open(redis_url, 300, 400);
    rec a, b, c;
    uint64_t t0;
    unsigned long e0;

    memset(&a, 0, sizeof(a)); memset(&b, 0, sizeof(b)); memset(&c, 0, sizeof(c));
    RUN_UNTIL(store_is_up(s), 3000);
    T_OK(store_is_up(s), "timeout store up");
    e0 = store_errors(s);
    t0 = now_ms();
    store_command(s, rec_cb, &a, "DEBUG SLEEP 2");
    store_command(s, rec_cb, &b, "PING");
    RUN_UNTIL(a.calls && b.calls, 2000);
    T_OK(a.calls == 1 && a.nulls == 1 && b.calls == 1 && b.nulls == 1,
         "DEBUG SLEEP 2 with timeout 300 ms: both pending get NULL once");
    T_OK(a.at_ms - t0 >= 290 && a.at_ms - t0 < 1000, "timed out after %llu ms",
         (unsigned long long)(a.at_ms - t0));
    T_OK(!store_is_up(s) && store_errors(s) > e0, "down after the timeout");
    T_OK(strstr(store_errstr(s), "timed out") != NULL, "errstr: %s", store_errstr(s));
    RUN_UNTIL(store_is_up(s), 5000);
    T_OK(store_is_up(s), "reconnected after the timeout (%llu ms after the command)",
         (unsigned long long)(now_ms() - t0));
    store_command(s, rec_cb, &c, "PING");
    RUN_UNTIL(c.calls, 2000);
    T_OK(c.type == REDIS_REPLY_STATUS, "PING after reconnect: status reply");
    T_STREQ(c.str, "PONG", "PING after reconnect: PONG");
    T_OK(store_reconnects(s) >= 1, "reconnects %lu", store_reconnects(s));
    store_close(s);
    rec_clear(&a, 1); rec_clear(&b, 1); rec_clear(&c, 1);
}

static void test_bad_db(void)
{
    char url[64];
    store *s;

    snprintf(url, sizeof(url), "redis://127.0.0.1:%d/9999", redis_port);
    s = redis_store_open(url, 500, 200);
    RUN_UNTIL(store_errors(s) >= 2, 3000);
    T_OK(!store_is_up(s) && strstr(store_errstr(s), "SELECT 9999") != NULL,
         "SELECT refused: not up, retried (%lu), errstr: %s", store_errors(s), store_errstr(s));
    store_close(s);
}

/* ------------------------------------------------------------------------
 * store_close in every state
 * ---------------------------------------------------------------------- */

typedef struct closer {
    store *s;
    int calls;
    int nulls;
    int cmd_after_close;
} closer;

static void close_from_cb(redisReply *r, void *privdata)
{
    closer *c = privdata;

    c->calls++;
    c->nulls += r == NULL;
    store_close(c->s);
    store_close(c->s);      /* twice: harmless */
    c->cmd_after_close = store_command(c->s, NULL, NULL, "PING");
}

static void test_close_inside_callback(void)
{
    closer c = { NULL, 0, 0, 0 };
    rec r[3];
    int i, once = 1;

    memset(r, 0, sizeof(r));
    c.s = redis_store_open(redis_url, 1000, 1000);
    RUN_UNTIL(store_is_up(c.s), 3000);
    store_command(c.s, close_from_cb, &c, "PING");
    for (i = 0; i < 3; i++)
        store_command(c.s, rec_cb, &r[i], "PING");
    RUN_UNTIL(c.calls, 2000);
    for (i = 0; i < 3; i++)
        once &= r[i].calls == 1;
    T_OK(c.calls == 1 && c.nulls == 0 && once, "store_close from a reply callback: the rest answered once");
    T_OK(c.cmd_after_close == -1, "store_command after store_close returns -1");
    rec_clear(r, 3);
}

/* The id of the Redis client called name, through a blocking connection. */
static long long client_id(const char *name)
{
    struct timeval tv = { 1, 0 };
    redisContext *c = redisConnectWithTimeout("127.0.0.1", redis_port, tv);
    redisReply *r = c && !c->err ? redisCommand(c, "CLIENT LIST") : NULL;
    long long id = -1;
    char needle[64];
    const char *at;

    snprintf(needle, sizeof(needle), " name=%s ", name);
    if (r != NULL && r->type == REDIS_REPLY_STRING && (at = strstr(r->str, needle)) != NULL) {
        while (at > r->str && at[-1] != '\n')
            at--;
        if (sscanf(at, "id=%lld", &id) != 1)
            id = -1;
    }
    if (r != NULL)
        freeReplyObject(r);
    if (id >= 0 && (r = redisCommand(c, "CLIENT KILL ID %lld", id)) != NULL)
        freeReplyObject(r);
    if (c != NULL)
        redisFree(c);
    return id;
}

/* The server drops the connection; the first NULL callback closes the store
 * from inside hiredis' own free: the others still get NULL exactly once. */
static void test_close_on_loss(void)
{
    closer c = { NULL, 0, 0, 0 };
    rec r;

    memset(&r, 0, sizeof(r));
    c.s = redis_store_open(redis_url, 5000, 1000);
    RUN_UNTIL(store_is_up(c.s), 3000);
    store_command(c.s, NULL, NULL, "CLIENT SETNAME dvcbot-victim");
    store_command(c.s, close_from_cb, &c, "BLPOP dvcbot:test:never 5");
    store_command(c.s, rec_cb, &r, "PING");
    RUN_FOR(100);
    T_OK(client_id("dvcbot-victim") >= 0, "CLIENT KILL of the store's connection");
    RUN_UNTIL(c.calls && r.calls, 2000);
    RUN_FOR(50);
    T_OK(c.calls == 1 && c.nulls == 1 && r.calls == 1 && r.nulls == 1,
         "store_close from a NULL callback during a loss: each pending gets NULL once");
    T_OK(c.cmd_after_close == -1, "store_command from that callback returns -1");
    rec_clear(&r, 1);
}

static void test_close_cases(store *s)
{
    rec r[3];
    store *t;
    int i, once = 1;
    char url[64];

    memset(r, 0, sizeof(r));
    store_command(s, rec_cb, &r[0], "DEBUG SLEEP 0.2");
    store_command(s, rec_cb, &r[1], "PING");
    store_command(s, rec_cb, &r[2], "PING");
    store_close(s);
    for (i = 0; i < 3; i++)
        once &= r[i].calls == 1 && r[i].nulls == 1;
    T_OK(once, "store_close while connected: pending callbacks got NULL inside the call");
    RUN_FOR(300);
    once = 1;
    for (i = 0; i < 3; i++)
        once &= r[i].calls == 1;
    T_OK(once, "and never again");
    rec_clear(r, 3);

    test_close_inside_callback();
    test_close_on_loss();

    t = redis_store_open(redis_url, 1000, 1000);      /* close with SELECT pending */
    RUN_UNTIL(store_pending_count(t) > 0, 2000);
    T_OK(store_pending_count(t) == 2 && !store_is_up(t), "SELECT and ROLE pending, not up yet");
    store_close(t);

    snprintf(url, sizeof(url), "redis://127.0.0.1:%d/0", free_port());
    t = redis_store_open(url, 1000, 1000);            /* close while down, retry armed */
    RUN_UNTIL(store_errors(t) >= 2, 2000);
    T_OK(store_errors(t) >= 2 && !store_is_up(t), "nothing listening: down, retrying: %s", store_errstr(t));
    store_close(t);
}

/* ------------------------------------------------------------------------ */

int main(void)
{
    store *s;
    char err[256];

    if (redis_suite_start(28, 3) != 0)
        return t_done();
    s = redis_store_open(redis_url, 1000, 1000);
    T_OK(s != NULL && !store_is_up(s), "store_new returns at once, not up yet");
    RUN_UNTIL(store_is_up(s), 3000);
    T_OK(store_is_up(s), "connected and SELECT 3 done");
    T_STREQ(store_errstr(s), "", "no error yet");
    redisContext *kc = keys_connect_sync(redis_url, err, sizeof(err));
    T_OK(kc != NULL, "keys_connect_sync: the same url, blocking: %s", kc ? "connected" : err);
    redisFree(kc);

    test_save_load(s);
    test_raw(s);
    test_missing_and_misc(s);
    test_lease(s);
    test_begin_budgets(s);
    test_recent(s);
    test_token(s);
    test_pipeline(s);
    test_timeout();
    test_bad_db();
    test_kill_restart(s);
    test_close_cases(s);

    redis_suite_end();
    return t_done();
}
