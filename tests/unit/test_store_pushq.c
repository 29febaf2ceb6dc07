/* test_store_pushq.c -- the push channels' queues and records (store/pushq.c)
 * against a private redis-server: an event accepted once, entries read,
 * claimed again after a consumer died, retried later, notices moved, users,
 * and the token refresh lock (only its owner stores a pair). */
#include <stdlib.h>
#include <string.h>

#include "tests/unit/redis_fixture.h"
#include "store/pushq.h"

typedef struct got {
    int calls, status;
    size_t n;
    char ids[8][40], vals[8][64];
    int optin, optout;
    char msisdn[20], access[32], refresh[32];
    long long seen, exp;
} got;

static void on_done(int status, void *pd)
{
    got *g = pd;
    g->calls++;
    g->status = status;
}

static void on_read(int status, const pushq_entry *e, size_t n, void *pd)
{
    got *g = pd;
    g->calls++;
    g->status = status;
    g->n = n;
    for (size_t i = 0; i < n && i < 8; i++) {
        snprintf(g->ids[i], sizeof(g->ids[i]), "%s", e[i].id);
        const char *v = pushq_get(&e[i], "ev") ? pushq_get(&e[i], "ev") : pushq_get(&e[i], "user");
        snprintf(g->vals[i], sizeof(g->vals[i]), "%s", v ? v : "");
    }
}

static void on_user(int status, const pushq_user_info *u, void *pd)
{
    got *g = pd;
    g->calls++;
    g->status = status;
    if (u) {
        g->optin = u->optin;
        g->optout = u->optout;
        snprintf(g->msisdn, sizeof(g->msisdn), "%s", u->msisdn ? u->msisdn : "");
        g->seen = u->seen_ms;
    }
}

static void on_token(int status, const char *a, const char *r, long long exp, void *pd)
{
    got *g = pd;
    g->calls++;
    g->status = status;
    snprintf(g->access, sizeof(g->access), "%s", a ? a : "");
    snprintf(g->refresh, sizeof(g->refresh), "%s", r ? r : "");
    g->exp = exp;
}

#define WAIT(g, n) RUN_UNTIL((g).calls >= (n), 3000)

static void test_accept(store *s, redisContext *c)
{
    got g = {0};
    pushq_init(s, "zalo", on_done, &g);
    WAIT(g, 1);
    T_OK(g.status == 0, "groups created");
    const char *hostile = "a b\r\n*1\r\n$4\r\nPING";
    pushq_accept(s, "zalo", "msg-1", "u1", hostile, 1, 60, 1000, on_done, &g);
    WAIT(g, 2);
    T_OK(g.status == 1, "a new event: accepted");
    pushq_accept(s, "zalo", "msg-1", "u1", "{}", 1, 60, 2000, on_done, &g);
    WAIT(g, 3);
    T_OK(g.status == 0, "the same event id again: a replay, not stored");
    size_t len;
    char *n = sync_str(c, &len, "XLEN dvcbot:push:zalo:in");
    T_OK(n && !strcmp(n, "1"), "one entry in the in stream");
    free(n);
    memset(&g, 0, sizeof(g));
    pushq_read(s, "zalo", PUSHQ_IN, "c1", 8, on_read, &g);
    WAIT(g, 1);
    T_OK(g.status == 0 && g.n == 1 && !strcmp(g.vals[0], hostile),
         "read back byte for byte (binary safe)");
    char id[40];
    snprintf(id, sizeof(id), "%s", g.ids[0]);
    memset(&g, 0, sizeof(g));
    pushq_read(s, "zalo", PUSHQ_IN, "c2", 8, on_read, &g);
    WAIT(g, 1);
    T_OK(g.status == 0 && g.n == 0, "another consumer does not get an entry being handled");
    /* c1 died: its entry idle for longer than PUSHQ_CLAIM_IDLE_MS goes to c2 */
    redisReply *r = redisCommand(c, "XCLAIM dvcbot:push:zalo:in dvcbot c1 0 %s IDLE %d", id,
                                 PUSHQ_CLAIM_IDLE_MS + 1000);
    freeReplyObject(r);
    memset(&g, 0, sizeof(g));
    pushq_read(s, "zalo", PUSHQ_IN, "c2", 8, on_read, &g);
    WAIT(g, 1);
    T_OK(g.n == 1 && !strcmp(g.ids[0], id), "an entry left by a dead consumer is claimed again");
    memset(&g, 0, sizeof(g));
    pushq_ack(s, "zalo", PUSHQ_IN, id, on_done, &g);
    WAIT(g, 1);
    n = sync_str(c, &len, "XLEN dvcbot:push:zalo:in");
    T_OK(n && !strcmp(n, "0"), "acknowledged: gone from the stream");
    free(n);
    n = sync_str(c, &len, "ZSCORE dvcbot:push:zalo:seen u1");
    T_OK(n && !strcmp(n, "1000"), "the user's last event time is kept");
    free(n);
}

static void test_later(store *s, redisContext *c)
{
    got g = {0};
    const char *f[] = {"kind", "user"}, *v[] = {"calls", "u2"};
    pushq_add(s, "telegram", 2, f, v, on_done, &g);
    WAIT(g, 1);
    memset(&g, 0, sizeof(g));
    pushq_read(s, "telegram", PUSHQ_OUT, "w1", 8, on_read, &g);
    WAIT(g, 1);
    T_OK(g.status == 0 && g.n == 0, "no group yet (never initialised, or flushed): none, no error");
    memset(&g, 0, sizeof(g));
    pushq_read(s, "telegram", PUSHQ_OUT, "w1", 8, on_read, &g);
    WAIT(g, 1);
    T_OK(g.n == 1 && !strcmp(g.vals[0], "u2"),
         "the group was made on demand from the start: the entry is read next");
    const char *v2[] = {"calls", "u2-retry"};
    char id[40];
    snprintf(id, sizeof(id), "%s", g.ids[0]);
    memset(&g, 0, sizeof(g));
    pushq_later(s, "telegram", PUSHQ_OUT, id, 2, f, v2, 5000, on_done, &g);
    WAIT(g, 1);
    T_OK(g.status == 1, "kept for later");
    pushq_pump(s, "telegram", PUSHQ_OUT, 4999, 10, on_done, &g);
    WAIT(g, 2);
    T_OK(g.status == 0, "not due yet: nothing moved");
    pushq_pump(s, "telegram", PUSHQ_OUT, 5000, 10, on_done, &g);
    WAIT(g, 3);
    T_OK(g.status == 1, "due: moved back");
    memset(&g, 0, sizeof(g));
    pushq_read(s, "telegram", PUSHQ_OUT, "w1", 8, on_read, &g);
    WAIT(g, 1);
    T_OK(g.n == 1 && !strcmp(g.vals[0], "u2-retry"), "the retry carries the changed fields");
    (void)c;
}

static void test_users_notices(store *s, redisContext *c)
{
    got g = {0};
    sync_do(c, "DEL dvcbot:push:telegram:out");
    pushq_follow(s, "telegram", "77", 1, on_done, &g);
    pushq_link(s, "telegram", "77", "84912345678", on_done, &g);
    WAIT(g, 2);
    pushq_user(s, "telegram", "77", on_user, &g);
    WAIT(g, 3);
    T_OK(g.optin == 1 && g.optout == 0 && !strcmp(g.msisdn, "84912345678"),
         "follow + link: opted in with a number");
    pushq_follow(s, "telegram", "77", 0, on_done, &g);
    pushq_user(s, "telegram", "77", on_user, &g);
    WAIT(g, 5);
    T_OK(g.optin == 0 && g.optout == 1, "blocked: opted out");
    sync_do(c, "ZADD dvcbot:push:telegram:seen 100000 77");
    sync_do(c, "ZADD dvcbot:push:telegram:seen 1 gone");
    sync_do(c, "RPUSH dvcbot:notices:telegram:77 {\"text\":\"a\"} {\"text\":\"b\"}");
    sync_do(c, "RPUSH dvcbot:notices:telegram:gone {\"text\":\"old\"}");
    memset(&g, 0, sizeof(g));
    pushq_notices(s, "telegram", 0, 10, 100000, 50000, on_done, &g);
    WAIT(g, 1);
    size_t len;
    char *n = sync_str(c, &len, "XLEN dvcbot:push:telegram:out");
    char *left = sync_str(c, &len, "LLEN dvcbot:notices:telegram:77");
    T_OK(g.status == 0 && n && !strcmp(n, "2") && left && !strcmp(left, "0"),
         "two notices of a recent user moved into the out stream, in order");
    free(n);
    free(left);
    n = sync_str(c, &len, "ZSCORE dvcbot:push:telegram:seen gone");
    T_OK(!n, "a user not seen within the window leaves the set");
    free(n);
}

static void test_tokens(store *s)
{
    got g = {0};
    pushq_token_seed(s, "zalo", "A0", "R0", 0, on_done, &g);
    pushq_token_seed(s, "zalo", "A9", "R9", 0, on_done, &g);
    pushq_token_get(s, "zalo", on_token, &g);
    WAIT(g, 3);
    T_OK(!strcmp(g.access, "A0") && !strcmp(g.refresh, "R0"),
         "the configured pair seeds once (Redis keeps the live one)");
    memset(&g, 0, sizeof(g));
    pushq_token_lock(s, "zalo", "inst-1", 5000, on_done, &g);
    WAIT(g, 1);
    int first = g.status;
    pushq_token_lock(s, "zalo", "inst-2", 5000, on_done, &g);
    WAIT(g, 2);
    T_OK(first == 1 && g.status == 0, "one instance holds the refresh lock");
    pushq_token_put(s, "zalo", "inst-2", "A2", "R2", 9, on_done, &g);
    WAIT(g, 3);
    T_OK(g.status == 0, "a non-owner cannot store a pair");
    pushq_token_put(s, "zalo", "inst-1", "A1", "R1", 123, on_done, &g);
    pushq_token_get(s, "zalo", on_token, &g);
    WAIT(g, 5);
    T_OK(!strcmp(g.access, "A1") && !strcmp(g.refresh, "R1") && g.exp == 123,
         "the owner stores the new pair and releases the lock");
    pushq_token_lock(s, "zalo", "inst-2", 5000, on_done, &g);
    WAIT(g, 6);
    T_OK(g.status == 1, "the lock is free again");
    T_OK(pushq_accept(s, "other", "i", "u", "{}", 1, 60, 1, on_done, &g) < 0 &&
         pushq_read(s, "zalo", PUSHQ_IN, "", 1, on_read, &g) < 0,
         "unknown platform / empty consumer: refused without a call");
}

int main(void)
{
    if (redis_suite_start(20, 1) != 0)
        return t_done();
    store *s = redis_store_open(redis_url, 1000, 1000);
    redisContext *c = sync_open(1);
    RUN_UNTIL(store_is_up(s), 3000);
    T_OK(store_is_up(s) && c && !c->err, "store up on db 1");
    test_accept(s, c);
    test_later(s, c);
    test_users_notices(s, c);
    test_tokens(s);
    store_close(s);
    redisFree(c);
    redis_suite_end();
    return t_done();
}
