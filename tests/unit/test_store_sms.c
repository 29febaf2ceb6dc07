/* test_store_sms.c -- the [sms] records of the store against a real Redis:
 * store/smsmo.c (once per Kannel id, reply pages) and store/outbox_drain.c
 * (claim, finish, pump, recover, delivery reports).
 *
 * Each step is checked twice: through the API's callback, and by reading
 * the keys raw with a blocking connection (exact key names, values byte for
 * byte, TTLs). The private redis-server comes from tests/unit/redis_fixture.h. */
#include "t.h"
#include "tests/unit/redis_fixture.h"
#include "store/outbox.h"
#include "store/outbox_drain.h"
#include "store/redis.h"
#include "store/smsmo.h"

#define TO_A "84901000001"
#define TO_B "84901000002"

typedef struct got {
    int calls;
    int status;
    long long value;
    char *bytes;                /* copy of the answer / pages / claimed ids */
    size_t len;
    outbox_claimed m[8];        /* claimed (strings not kept) */
    char ids[8][64];            /* "id|to|text|kind" */
    size_t n;
} got;

static void got_clear(got *g)
{
    free(g->bytes);
    memset(g, 0, sizeof(*g));
}

static void on_done(int status, void *privdata)
{
    got *g = privdata;
    g->calls++;
    g->status = status;
}

static void on_bytes(int status, const char *p, size_t len, void *privdata)
{
    got *g = privdata;
    g->calls++;
    g->status = status;
    free(g->bytes);
    g->bytes = NULL;
    if (p != NULL) {
        g->bytes = xmalloc(len + 1);
        memcpy(g->bytes, p, len + 1);   /* NUL included: checks the contract */
        g->len = len;
    }
}

static void on_value(int status, long long value, const char *err, void *privdata)
{
    got *g = privdata;
    g->calls++;
    g->status = status;
    g->value = value;
    if (err != NULL)
        printf("# Redis: %s\n", err);
}

static void on_claim(int status, const outbox_claimed *m, size_t n, const char *err,
                     void *privdata)
{
    got *g = privdata;
    g->calls++;
    g->status = status;
    g->n = 0;
    for (size_t i = 0; i < n && i < 8; i++, g->n++) {
        g->m[i] = m[i];
        snprintf(g->ids[i], sizeof(g->ids[i]), "%s|%s|%s|%s", m[i].id, m[i].to, m[i].text,
                 m[i].kind);
        g->m[i].id = g->m[i].to = g->m[i].text = g->m[i].kind = NULL;
    }
    if (err != NULL)
        printf("# Redis: %s\n", err);
}

static void on_enqueued(int status, long long id, int created, void *privdata)
{
    got *g = privdata;
    g->calls++;
    g->status = status;
    g->value = created ? id : -id;
}

static long long raw_int(redisContext *c, const char *fmt, const char *arg)
{
    size_t len;
    char *s = sync_str(c, &len, fmt, arg, strlen(arg));
    long long v = s ? atoll(s) : -9;
    free(s);
    return v;
}

/* 1 if the raw value of key is exactly want (wlen bytes). */
static int raw_is(redisContext *c, const char *key, const char *want, size_t wlen)
{
    size_t len = 0;
    char *s = sync_str(c, &len, "GET %b", key, strlen(key));
    int same = s != NULL && len == wlen && memcmp(s, want, len) == 0;
    free(s);
    return same;
}

/* ------------------------------------------------------------------------
 * smsmo
 * ---------------------------------------------------------------------- */

static const char hostile_id[] = "a b\r\n*1\r\n$4\r\nPING:x";
static const char answer[] = "2Tr\xe1\xba\xa3 l\xe1\xbb\x9di\r\n\0sau NUL";   /* coding + body */

static void test_claim(store *s, redisContext *c)
{
    got a = {0}, b = {0}, d = {0};

    smsmo_claim(s, "k-1", "inst-1", on_done, &a);
    smsmo_claim(s, "k-1", "inst-2", on_done, &b);
    smsmo_answer(s, "k-1", on_bytes, &d);
    RUN_UNTIL(d.calls, 3000);
    T_OK(a.calls == 1 && a.status == 0, "first claim of an id: status 0 (claimed now)");
    T_OK(b.calls == 1 && b.status == 1, "second claim of the same id: status 1 (a record exists)");
    T_OK(d.calls == 1 && d.status == 1 && d.bytes == NULL, "a claim is not an answer: status 1");
    T_OK(raw_is(c, "dvcbot:smsmo:k-1", "Pinst-1", 7), "raw: dvcbot:smsmo:k-1 = \"Pinst-1\"");
    long long ttl = raw_int(c, "TTL %b", "dvcbot:smsmo:k-1");
    T_OK(ttl > 0 && ttl <= SMSMO_CLAIM_TTL_S, "the claim lives %d s (TTL %lld)", SMSMO_CLAIM_TTL_S,
         ttl);
    got_clear(&a);
    got_clear(&b);
    smsmo_reclaim(s, "k-1", "inst-3", on_done, &a);
    smsmo_reclaim(s, "k-9", "inst-3", NULL, NULL);      /* fn NULL allowed */
    smsmo_claim(s, hostile_id, "inst-1", on_done, &b);
    RUN_UNTIL(b.calls, 3000);
    T_OK(a.calls == 1 && a.status == 0 && raw_is(c, "dvcbot:smsmo:k-1", "Pinst-3", 7),
         "reclaim takes a claim over (\"Pinst-3\")");
    T_OK(raw_is(c, "dvcbot:smsmo:k-9", "Pinst-3", 7), "reclaim of an unseen id claims it");
    T_OK(b.status == 0 && raw_int(c, "EXISTS %b", "dvcbot:smsmo:a b\r\n*1\r\n$4\r\nPING:x") == 1,
         "an id with spaces, CRLF and RESP text is one key, verbatim");
    got_clear(&a);
    got_clear(&b);
    got_clear(&d);
}

static void test_save(store *s, redisContext *c)
{
    got a = {0}, b = {0}, p = {0};
    const char *pages = "{\"cmd\":\"tt\",\"pages\":[\"1\",\"2\"],\"next\":2,\"buttons\":[]}";
    smsmo_result r = {.id = "k-1", .answer = answer, .len = sizeof(answer) - 1, .ttl_s = 300,
                      .msisdn = TO_A, .pages = pages, .pages_ttl_s = 100};
    char want[sizeof(answer) + 1];

    T_OK(smsmo_save(s, &r, on_done, &a) == 0, "save queued");
    RUN_UNTIL(a.calls, 3000);
    T_OK(a.calls == 1 && a.status == 0, "save: answer and pages written, status 0");
    want[0] = 'D';
    memcpy(want + 1, answer, sizeof(answer) - 1);
    T_OK(raw_is(c, "dvcbot:smsmo:k-1", want, sizeof(answer)),
         "raw: dvcbot:smsmo:k-1 = \"D\" + the answer, byte for byte (UTF-8, CRLF, NUL)");
    long long t1 = raw_int(c, "TTL %b", "dvcbot:smsmo:k-1");
    long long t2 = raw_int(c, "TTL %b", "dvcbot:smspages:" TO_A);
    T_OK(t1 > 100 && t1 <= 300 && t2 > 0 && t2 <= 100,
         "TTLs: answer %lld <= 300, pages %lld <= 100", t1, t2);
    T_OK(raw_is(c, "dvcbot:smspages:" TO_A, pages, strlen(pages)), "raw: the pages JSON verbatim");
    smsmo_answer(s, "k-1", on_bytes, &b);
    smsmo_pages(s, TO_A, on_bytes, &p);
    RUN_UNTIL(p.calls, 3000);
    T_OK(b.status == 0 && b.len == sizeof(answer) - 1 &&
         memcmp(b.bytes, answer, b.len) == 0 && b.bytes[b.len] == '\0',
         "smsmo_answer returns the answer saved, byte for byte");
    T_OK(p.status == 0 && p.len == strlen(pages) && !strcmp(p.bytes, pages),
         "smsmo_pages returns the JSON saved");
    got_clear(&a);
    got_clear(&p);

    r = (smsmo_result){.msisdn = TO_A, .pages = ""};      /* nothing to write */
    T_OK(smsmo_save(s, &r, on_done, &a) == 0 && a.calls == 1 && a.status == 0,
         "nothing to write (no id, pages \"\"): called back at once");
    r.pages = NULL;                                         /* delete the pages */
    got_clear(&a);
    smsmo_save(s, &r, on_done, &a);
    smsmo_pages(s, TO_A, on_bytes, &p);
    RUN_UNTIL(p.calls, 3000);
    T_OK(a.status == 0 && p.calls == 1 && p.status == 1 &&
         raw_int(c, "EXISTS %b", "dvcbot:smspages:" TO_A) == 0, "pages NULL deletes the record");
    got_clear(&a);
    got_clear(&b);
    got_clear(&p);
}

static void test_smsmo_refused(store *s, store *down)
{
    got g = {0};
    smsmo_result r = {.id = "x", .answer = "0", .len = 1, .ttl_s = 1, .msisdn = TO_A};

    T_OK(smsmo_claim(s, "", "i", on_done, &g) == -1 &&
         smsmo_claim(s, NULL, "i", on_done, &g) == -1 &&
         smsmo_claim(s, "x", "", on_done, &g) == -1, "claim: empty id or instance refused");
    T_OK(smsmo_answer(s, "x", NULL, &g) == -1 && smsmo_pages(s, "", on_bytes, &g) == -1,
         "answer without fn, pages without number: refused");
    T_OK(smsmo_claim(down, "x", "i", on_done, &g) == -1 &&
         smsmo_save(down, &r, on_done, &g) == -1 &&
         smsmo_answer(down, "x", on_bytes, &g) == -1, "store down: -1 at once");
    RUN_FOR(20);
    T_OK(g.calls == 0, "refused calls never call back");
}

/* ------------------------------------------------------------------------
 * outbox_drain
 * ---------------------------------------------------------------------- */

static long long enqueue(store *s, const char *to, const char *text, const char *kind)
{
    outbox_msg m = {to, text, kind, NULL, NULL};
    got g = {0};

    outbox_enqueue(s, &m, on_enqueued, &g);
    RUN_UNTIL(g.calls, 3000);
    return g.status == 0 ? g.value : 0;
}

static void claim(store *s, int max, uint64_t now, got *g)
{
    memset(g, 0, sizeof(*g));
    outbox_drain_claim(s, max, now, on_claim, g);
    RUN_UNTIL(g->calls, 3000);
}

/* The value of one outbox_drain call (-99 if refused or failed). */
static long long step(int rc, got *g)
{
    RUN_UNTIL(g->calls, 3000);
    return rc == 0 && g->calls == 1 && g->status == 0 ? g->value : -99;
}
/* g emptied before the call is made */
#define STEP(call) (memset(&g, 0, sizeof(g)), step((call), &g))

static int status_is(redisContext *c, long long id, const char *want)
{
    char key[64];
    size_t len;
    snprintf(key, sizeof(key), "dvcbot:outbox:msg:%lld", id);
    char *s = sync_str(c, &len, "HGET %s status", key);
    int same = s != NULL && !strcmp(s, want);
    if (!same)
        printf("# message %lld: status %s, want %s\n", id, s ? s : "(nil)", want);
    free(s);
    return same;
}

/* Claim order, the busy number, finish sent / retry / failed, pump. Returns
 * the id of the message it leaves "sending". */
static long long test_drain(store *s, redisContext *c)
{
    got g;
    long long a = enqueue(s, TO_A, "tr\xe1\xba\xa3 l\xe1\xbb\x9di", "reply");
    long long b = enqueue(s, TO_B, "b1", "notify");
    long long d = enqueue(s, TO_A, "a2", "notify");

    T_OK(a == 1 && b == 2 && d == 3, "three messages queued (ids %lld %lld %lld)", a, b, d);
    claim(s, 10, 1000, &g);
    T_OK(g.status == 0 && g.n == 2 &&
         !strcmp(g.ids[0], "1|" TO_A "|tr\xe1\xba\xa3 l\xe1\xbb\x9di|reply") &&
         !strcmp(g.ids[1], "2|" TO_B "|b1|notify") && g.m[0].attempts == 1,
         "claim: the reply first, then the other number; %s's second message waits", TO_A);
    T_OK(status_is(c, a, "sending") && status_is(c, d, "queued") &&
         raw_int(c, "LLEN %b", "dvcbot:outbox:wait:" TO_A) == 1, "raw: sending, and one waiting");
    claim(s, 10, 1001, &g);
    T_OK(g.status == 0 && g.n == 0, "nothing more to claim while the number is busy");

    T_OK(STEP(outbox_drain_finish(s, "1", OUTBOX_DRAIN_SENT, 1100, 0, NULL, on_value, &g)) == 1,
         "finish sent: recorded (1)");
    T_OK(status_is(c, a, "sent"), "raw: message 1 sent");
    claim(s, 10, 1200, &g);
    T_OK(g.n == 1 && !strncmp(g.ids[0], "3|", 2),
         "the number released: its next message is claimed");

    T_OK(STEP(outbox_drain_finish(s, "2", OUTBOX_DRAIN_RETRY, 1300, 1400, "500 busy", on_value,
                                  &g)) == 1 && status_is(c, b, "retry"),
         "finish retry: status retry");
    T_OK(STEP(outbox_drain_pump(s, 1399, 100, on_value, &g)) == 0, "pump before it is due: 0");
    T_OK(STEP(outbox_drain_pump(s, 1400, 100, on_value, &g)) == 1 && status_is(c, b, "queued"),
         "pump when due: 1, queued again");
    claim(s, 10, 1500, &g);
    T_OK(g.n == 1 && !strncmp(g.ids[0], "2|", 2) && g.m[0].attempts == 2, "retried: attempts 2");
    T_OK(STEP(outbox_drain_finish(s, "2", OUTBOX_DRAIN_FAILED, 1600, 0, "500 no", on_value,
                                  &g)) == 1 &&
         status_is(c, b, "failed"), "finish failed: status failed");
    T_OK(STEP(outbox_drain_finish(s, "2", OUTBOX_DRAIN_SENT, 1700, 0, NULL, on_value, &g)) == 0,
         "finish of a message not sending: 0, nothing changes");
    return d;
}

/* Message d is "sending" (claimed at 1200): recovery, delivery reports,
 * opt-out. */
static void test_drain_recover(store *s, redisContext *c, long long d)
{
    got g;
    char id[24];

    T_OK(STEP(outbox_drain_recover(s, 2000, 1199, on_value, &g)) == 0,
         "recover with a cutoff before the claim: 0");
    T_OK(STEP(outbox_drain_recover(s, 2000, 2000, on_value, &g)) == 1 && status_is(c, d, "queued"),
         "recover: the message left sending is queued again");
    claim(s, 10, 2100, &g);
    T_OK(g.n == 1 && g.m[0].attempts == 1, "reclaimed; the recovered attempt was not counted");

    snprintf(id, sizeof(id), "%lld", d);
    T_OK(STEP(outbox_drain_dlr(s, id, "delivered", 6, 2200, on_value, &g)) == 1,
         "DLR delivered: recorded (1)");
    T_OK(STEP(outbox_drain_dlr(s, id, "submitted", 4, 2300, on_value, &g)) == 0,
         "DLR submitted after delivered: not a step forward (0)");
    T_OK(STEP(outbox_drain_dlr(s, "999", "delivered", 6, 2300, on_value, &g)) == -1,
         "DLR of an unknown id: -1");
    T_OK(STEP(outbox_drain_recover(s, 2400, 2400, on_value, &g)) == 1 && status_is(c, d, "sent"),
         "recover of a message with a DLR: marked sent");

    sync_do(c, "SADD dvcbot:optout " TO_B);
    long long e = enqueue(s, TO_B, "opted out", "notify");
    claim(s, 10, 2500, &g);
    T_OK(g.n == 0 && status_is(c, e, "skipped"), "a notification to an opted-out number: skipped");
    T_OK(outbox_drain_claim(s, 0, 1, on_claim, &g) == -1 &&
         outbox_drain_finish(s, "", OUTBOX_DRAIN_SENT, 1, 1, NULL, on_value, &g) == -1,
         "claim of 0, finish without id: refused");
}

int main(void)
{
    char url[64];
    store *s, *down;
    redisContext *c1;

    if (redis_suite_start(20, 1) != 0)
        return t_done();
    s = redis_store_open(redis_url, 1000, 1000);
    snprintf(url, sizeof(url), "redis://127.0.0.1:%d/0", free_port());
    down = redis_store_open(url, 1000, 1000);
    c1 = sync_open(1);
    RUN_UNTIL(store_is_up(s), 3000);
    T_OK(store_is_up(s) && c1 && !c1->err, "store up on db 1");

    test_claim(s, c1);
    test_save(s, c1);
    test_smsmo_refused(s, down);
    sync_do(c1, "FLUSHDB");
    test_drain_recover(s, c1, test_drain(s, c1));

    store_close(s);
    store_close(down);
    redisFree(c1);
    redis_suite_end();
    return t_done();
}
