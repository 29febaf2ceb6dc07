/* test_outbox_stream.c -- the outbox as a Redis Streams consumer group
 * (store/outbox_drain.c) against a real Redis: several consumers, each
 * number's order, claims of a stopped sender taken over, a restarted one
 * taking its own back, the fleet budget, retries, delivery reports, opt-out,
 * and the records of the list-based outbox of earlier versions moved over.
 *
 * Each step is checked through the API's callback and by reading the keys
 * raw (XLEN, XPENDING, HGET) with a blocking connection. */
#include "t.h"
#include "tests/unit/redis_fixture.h"
#include "store/outbox.h"
#include "store/outbox_drain.h"
#include "store/redis.h"

#define TO_A "84901000001"
#define TO_B "84901000002"
#define TO_C "84901000003"
#define BIG_RATE 1000.0

typedef struct got {
    int calls, status;
    long long value;
    size_t n, done;
    long wait_ms;
    char ids[16][64];           /* claimed: "id|to|kind|attempts" */
    outbox_entry e[16];         /* entries read */
} got;

static void on_value(int status, long long value, const char *err, void *pd)
{
    got *g = pd;
    g->calls++, g->status = status, g->value = value;
    if (err)
        printf("# Redis: %s\n", err);
}

static void on_entries(int status, const outbox_entry *e, size_t n, const char *err, void *pd)
{
    got *g = pd;
    g->calls++, g->status = status, g->n = 0;
    for (size_t i = 0; i < n && i < 16; i++)
        g->e[g->n++] = e[i];
    if (err)
        printf("# Redis: %s\n", err);
}

static void on_claim(int status, const outbox_claimed *m, size_t n, size_t done, long wait_ms,
                     const char *err, void *pd)
{
    got *g = pd;
    g->calls++, g->status = status, g->n = 0, g->done = done, g->wait_ms = wait_ms;
    for (size_t i = 0; i < n && i < 16; i++, g->n++)
        snprintf(g->ids[i], sizeof(g->ids[i]), "%s|%s|%s|%d", m[i].id, m[i].to, m[i].kind,
                 m[i].attempts);
    if (err)
        printf("# Redis: %s\n", err);
}

static void on_enqueued(int status, long long id, int created, void *pd)
{
    got *g = pd;
    g->calls++, g->status = status, g->value = created ? id : -id;
}

static long long enqueue(store *s, const char *to, const char *kind)
{
    outbox_msg m = {to, "xin ch\xc3\xa0o", kind, NULL, NULL};
    got g = {0};
    outbox_enqueue(s, &m, on_enqueued, &g);
    RUN_UNTIL(g.calls, 3000);
    return g.status == 0 ? g.value : 0;
}

static long long raw_int(redisContext *c, const char *cmd)
{
    redisReply *r = redisCommand(c, cmd);
    long long v = !r ? -9 : r->type == REDIS_REPLY_INTEGER ? r->integer
                  : r->type == REDIS_REPLY_STRING ? atoll(r->str) : -8;
    freeReplyObject(r);
    return v;
}

static int field_is(redisContext *c, long long id, const char *field, const char *want)
{
    char key[64];
    size_t len;
    snprintf(key, sizeof(key), "dvcbot:outbox:msg:%lld", id);
    char *s = sync_str(c, &len, "HGET %s %s", key, field);
    int same = s ? !strcmp(s, want) : want == NULL;
    if (!same)
        printf("# message %lld: %s %s, want %s\n", id, field, s ? s : "(nil)", want ? want : "nil");
    free(s);
    return same;
}

static void read_new(store *blk, const char *cons, int count, got *g)
{
    memset(g, 0, sizeof(*g));
    outbox_drain_read(blk, cons, count, 200, on_entries, g);
    RUN_UNTIL(g->calls, 3000);
}

static void pending(store *s, const char *cons, long idle, got *g)
{
    memset(g, 0, sizeof(*g));
    outbox_drain_pending(s, cons, idle, 16, on_entries, g);
    RUN_UNTIL(g->calls, 3000);
}

static void claim(store *s, const char *owner, long lease, double rate, const outbox_entry *e,
                  size_t n, got *g)
{
    outbox_claim_args a = {.owner = owner, .now_ms = now_ms(), .lease_ms = lease, .rate = rate};
    outbox_entry copy[16];
    memcpy(copy, e, (n < 16 ? n : 16) * sizeof(*e)); /* e may be g's */
    memset(g, 0, sizeof(*g));
    outbox_drain_claim(s, &a, copy, n, on_claim, g);
    RUN_UNTIL(g->calls, 3000);
}

static long long finish(store *s, const char *owner, const char *id, outbox_drain_outcome o,
                        uint64_t due)
{
    got g = {0};
    if (outbox_drain_finish(s, owner, id, o, now_ms(), due, "x", on_value, &g) < 0)
        return -99;
    RUN_UNTIL(g.calls, 3000);
    return g.status == 0 ? g.value : -99;
}

static long long pump(store *s, uint64_t now, long lease)
{
    got g = {0};
    outbox_drain_pump(s, now, 100, lease, on_value, &g);
    RUN_UNTIL(g.calls, 3000);
    return g.status == 0 ? g.value : -99;
}

/* Two consumers, the number's order, the owner's finish. */
static void test_two_consumers(store *s, store *blk, redisContext *c)
{
    got g, h;
    long long a = enqueue(s, TO_A, "notify"), b = enqueue(s, TO_B, "notify");
    long long d = enqueue(s, TO_A, "reply");
    T_OK(a == 1 && b == 2 && d == 3, "three queued");
    T_OK(raw_int(c, "XLEN dvcbot:outbox:stream:notify") == 2 &&
         raw_int(c, "XLEN dvcbot:outbox:stream:reply") == 0 &&
         raw_int(c, "LLEN dvcbot:outbox:wait:" TO_A) == 1,
         "one message per number streamed; the reply to " TO_A " waits behind its first message");
    pending(s, "hostA:1", -1, &g);
    T_OK(g.status == 0 && g.n == 0, "own pending of a new consumer: none (group created)");
    read_new(blk, "hostA:1", 1, &g);
    read_new(blk, "hostB:1", 5, &h);
    T_OK(g.n == 1 && h.n == 1 && !strcmp(g.e[0].id, "1") && !strcmp(h.e[0].id, "2"),
         "consumer A reads message 1, consumer B message 2: each entry once");
    claim(s, "hostA:1|r1", 60000, BIG_RATE, g.e, 1, &g);
    claim(s, "hostB:1|r1", 60000, BIG_RATE, h.e, 1, &h);
    T_OK(g.n == 1 && g.done == 1 && !strcmp(g.ids[0], "1|" TO_A "|notify|1") && h.n == 1 &&
         field_is(c, a, "status", "sending") && field_is(c, a, "owner", "hostA:1|r1"),
         "each claims its own: sending, owner recorded");
    T_OK(finish(s, "hostB:1|r1", "1", OUTBOX_DRAIN_SENT, 0) == 0 && field_is(c, a, "status", "sending"),
         "a finish by another owner changes nothing (0)");
    T_OK(finish(s, "hostA:1|r1", "1", OUTBOX_DRAIN_SENT, 0) == 1 && field_is(c, a, "status", "sent"),
         "the owner's finish: sent");
    long long ttl = raw_int(c, "TTL dvcbot:outbox:msg:1");
    T_OK(ttl > 3000 && ttl <= 3600, "the sent record expires after the retention (TTL %lld)", ttl);
    T_OK(raw_int(c, "TTL dvcbot:outbox:msg:2") == -1, "a record still sending has no TTL");
    T_OK(raw_int(c, "XLEN dvcbot:outbox:stream:reply") == 1 &&
         raw_int(c, "XLEN dvcbot:outbox:stream:notify") == 1,
         "acknowledged and deleted; the number's next message (the reply) streamed");
    read_new(blk, "hostB:1", 5, &h);
    T_OK(h.n == 1 && !strcmp(h.e[0].kind, "reply") && !strcmp(h.e[0].id, "3"),
         "the other consumer gets it");
    claim(s, "hostB:1|r1", 60000, BIG_RATE, h.e, 1, &h);
    T_OK(h.n == 1 && finish(s, "hostB:1|r1", "3", OUTBOX_DRAIN_SENT, 0) == 1 &&
         finish(s, "hostB:1|r1", "2", OUTBOX_DRAIN_SENT, 0) == 1 &&
         field_is(c, d, "status", "sent") && field_is(c, b, "status", "sent"),
         "both sent by B");
    T_OK(raw_int(c, "XLEN dvcbot:outbox:stream:reply") == 0 &&
         raw_int(c, "XLEN dvcbot:outbox:stream:notify") == 0 &&
         raw_int(c, "EXISTS dvcbot:outbox:busy:" TO_A) == 0, "streams empty, numbers free");
}

/* A stopped sender's claim: left alone within the lease, taken over after
 * it, taken back at once by a restart of the same consumer. */
static void test_takeover(store *s, store *blk, redisContext *c)
{
    got g, h;
    long long m = enqueue(s, TO_C, "notify");
    read_new(blk, "hostA:1", 5, &g);
    claim(s, "hostA:1|r1", 60000, BIG_RATE, g.e, g.n, &g);
    T_OK(g.n == 1 && field_is(c, m, "status", "sending"), "A claims it, then stops");
    pending(s, "hostB:1", 0, &h);
    char mid[24];
    snprintf(mid, sizeof(mid), "%lld", m);
    T_OK(h.n == 1 && !strcmp(h.e[0].id, mid), "XAUTOCLAIM hands B the entry");
    outbox_entry e = h.e[0];
    claim(s, "hostB:1|r1", 60000, BIG_RATE, &e, 1, &h);
    T_OK(h.n == 0 && h.done == 1 && field_is(c, m, "owner", "hostA:1|r1"),
         "within the lease a live owner's message is left alone");
    claim(s, "hostB:1|r1", 0, BIG_RATE, &e, 1, &h);
    T_OK(h.n == 1 && field_is(c, m, "owner", "hostB:1|r1") && field_is(c, m, "attempts", "1"),
         "past the lease B takes it over (the lost attempt not counted)");
    T_OK(finish(s, "hostA:1|r1", mid, OUTBOX_DRAIN_SENT, 0) == 0,
         "the old owner's late result is not recorded");
    /* B restarts: its own pending entry is taken back at once */
    pending(s, "hostB:1", -1, &h);
    T_OK(h.n == 1, "a restart of B finds its own pending entry");
    e = h.e[0];
    claim(s, "hostB:1|r2", 60000, BIG_RATE, &e, 1, &h);
    T_OK(h.n == 1 && field_is(c, m, "owner", "hostB:1|r2"),
         "an earlier run of the same consumer is dead: taken back within the lease");
    got v = {0};
    outbox_drain_dlr(s, mid, "delivered", 6, now_ms(), on_value, &v);
    RUN_UNTIL(v.calls, 3000);
    claim(s, "hostB:1|r3", 60000, BIG_RATE, &e, 1, &h);
    T_OK(v.value == 1 && h.n == 0 && field_is(c, m, "status", "sent") &&
         raw_int(c, "XLEN dvcbot:outbox:stream:notify") == 0,
         "with a delivery report a dead owner's message is marked sent, not sent again");
}

/* The fleet budget, retry and requeue. */
static void test_budget_retry(store *s, store *blk, redisContext *c)
{
    got g;
    sync_do(c, "DEL dvcbot:outbox:budget");
    enqueue(s, "84901000011", "notify");
    enqueue(s, "84901000012", "notify");
    enqueue(s, "84901000013", "notify");
    read_new(blk, "hostA:1", 5, &g);
    outbox_entry e[3];
    memcpy(e, g.e, sizeof(e));
    T_OK(g.n == 3, "three read");
    claim(s, "hostA:1|r1", 60000, 1.0, e, 3, &g);
    T_OK(g.n == 1 && g.done == 1 && g.wait_ms > 0 && g.wait_ms <= 1000,
         "budget 1/s: one claimed, the rest wait %ld ms", g.wait_ms);
    claim(s, "hostB:1|r1", 60000, 1.0, e + 1, 2, &g);
    T_OK(g.n == 0 && g.done == 0, "the budget is shared: another consumer gets none either");
    claim(s, "hostA:1|r1", 60000, BIG_RATE, e + 1, 2, &g);
    T_OK(g.n == 2, "a larger budget: both claimed");
    char id[24];
    snprintf(id, sizeof(id), "%s", e[1].id);
    uint64_t t = now_ms();
    T_OK(finish(s, "hostA:1|r1", id, OUTBOX_DRAIN_RETRY, t + 50) == 1 &&
         raw_int(c, "ZCARD dvcbot:outbox:retry") == 1, "retry: in the retry set");
    T_OK(pump(s, t, 60000) == 0 && pump(s, t + 50, 60000) == 1, "pumped when due");
    read_new(blk, "hostA:1", 5, &g);
    claim(s, "hostA:1|r1", 60000, BIG_RATE, g.e, g.n, &g);
    T_OK(g.n == 1 && strstr(g.ids[0], "|2"), "retried: attempts 2 (%s)", g.ids[0]);
    T_OK(finish(s, "hostA:1|r1", id, OUTBOX_DRAIN_REQUEUE, 0) == 1, "requeue (Kannel unreachable)");
    read_new(blk, "hostB:1", 5, &g);
    claim(s, "hostB:1|r1", 60000, BIG_RATE, g.e, g.n, &g);
    T_OK(g.n == 1 && strstr(g.ids[0], "|2"), "streamed anew, attempt not counted (%s)", g.ids[0]);
}

/* Records of the list-based outbox, opt-out. */
static void test_migrate(store *s, store *blk, redisContext *c)
{
    got g;
    sync_do(c, "FLUSHDB");
    sync_do(c, "HSET dvcbot:outbox:msg:50 id 50 to 84901000050 text a kind notify status queued attempts 0");
    sync_do(c, "RPUSH dvcbot:outbox:q:notify 50");
    sync_do(c, "HSET dvcbot:outbox:msg:51 id 51 to 84901000051 text b kind reply status sending attempts 1");
    sync_do(c, "SET dvcbot:outbox:busy:84901000051 51");
    sync_do(c, "ZADD dvcbot:outbox:sending 1000 51");
    sync_do(c, "HSET dvcbot:outbox:msg:52 id 52 to 84901000052 text c kind notify status sending attempts 1 dlr delivered");
    sync_do(c, "ZADD dvcbot:outbox:sending 1000 52");
    T_OK(pump(s, 2000, 5000) == 1, "an old queued record moved; recent old claims left (lease)");
    T_OK(pump(s, 9000, 5000) == 2 && field_is(c, 51, "status", "queued") &&
         field_is(c, 52, "status", "sent"), "old claims past the lease: queued again, or sent (DLR)");
    pending(s, "hostA:1", -1, &g);
    read_new(blk, "hostA:1", 5, &g);
    T_OK(g.n == 2 && !strcmp(g.e[0].id, "51") && !strcmp(g.e[1].id, "50"),
         "both streamed, the reply first");
    sync_do(c, "SADD dvcbot:optout 84901000050");
    claim(s, "hostA:1|r1", 60000, BIG_RATE, g.e, 2, &g);
    T_OK(g.n == 1 && strstr(g.ids[0], "51|") && field_is(c, 50, "status", "skipped") &&
         raw_int(c, "TTL dvcbot:outbox:msg:50") > 3000,
         "the reply claimed; a notification to an opted-out number skipped (and expires)");
    outbox_claim_args a = {.owner = "", .rate = 1};
    T_OK(outbox_drain_claim(s, &a, g.e, 1, on_claim, &g) == -1 &&
         outbox_drain_finish(s, "o", "", OUTBOX_DRAIN_SENT, 1, 1, NULL, on_value, &g) == -1 &&
         outbox_drain_read(blk, "", 1, 1, on_entries, &g) == -1, "bad arguments refused");
}

int main(void)
{
    if (redis_suite_start(30, 1) != 0)
        return t_done();
    store *s = redis_store_open(redis_url, 1000, 1000);
    store *blk = redis_store_open(redis_url, 2000, 1000);
    redisContext *c = sync_open(1);
    RUN_UNTIL(store_is_up(s) && store_is_up(blk), 3000);
    T_OK(store_is_up(s) && store_is_up(blk) && c && !c->err, "stores up on db 1");
    outbox_drain_set_retention(3600);
    test_two_consumers(s, blk, c);
    test_takeover(s, blk, c);
    test_budget_retry(s, blk, c);
    test_migrate(s, blk, c);
    store_close(s);
    store_close(blk);
    redisFree(c);
    redis_suite_end();
    return t_done();
}
