/* test_store_sms.c -- the [sms] records of the store against a real Redis:
 * store/smsmo.c (once per Kannel id, reply pages), and the same records
 * claimed and written by an MO's session turn (store/sessions.c: the claim
 * with sessions_begin, the answer with sessions_commit). The outbox
 * drainer's steps are tests/unit/test_outbox_stream.c's.
 *
 * Each step is checked twice: through the API's callback, and by reading
 * the keys raw with a blocking connection (exact key names, values byte for
 * byte, TTLs). The private redis-server comes from tests/unit/redis_fixture.h. */
#include "t.h"
#include "tests/unit/redis_fixture.h"
#include "store/redis.h"
#include "store/sessions.h"
#include "store/smsmo.h"

#define TO_A "84901000001"
#define TO_B "84901000002"

typedef struct got {
    int calls;
    int status;
    long long value;
    char *bytes;                /* copy of the answer / pages / claimed ids */
    size_t len;
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

/* smsmo_pages' answer: the record's parts joined as "cmd|next|p1,p2|b1". */
typedef struct pgot {
    int calls, status;
    char text[256];
} pgot;

static void on_pages(int status, const smsmo_pages_rec *pr, void *pd)
{
    pgot *g = pd;
    g->calls++;
    g->status = status;
    g->text[0] = '\0';
    if (!pr)
        return;
    size_t n = (size_t)snprintf(g->text, sizeof(g->text), "%s|%d|", pr->cmd, pr->next);
    for (size_t i = 0; i < pr->npages && n < sizeof(g->text); i++)
        n += (size_t)snprintf(g->text + n, sizeof(g->text) - n, "%s%s", i ? "," : "", pr->pages[i]);
    for (size_t i = 0; i < pr->nbuttons && n < sizeof(g->text); i++)
        n += (size_t)snprintf(g->text + n, sizeof(g->text) - n, "%s%s", i ? "," : "|",
                              pr->buttons[i]);
}

static void test_save(store *s, redisContext *c)
{
    got a = {0}, b = {0};
    pgot p = {0};
    const char *pages[2] = {"trang 1\r\n", "trang 2"}, *buttons[1] = {"rating:5"};
    smsmo_pages_rec pr = {.cmd = "tt 1.001193", .pages = pages, .npages = 2,
                           .buttons = buttons, .nbuttons = 1, .next = 2};
    smsmo_result r = {.id = "k-1", .answer = answer, .len = sizeof(answer) - 1, .ttl_s = 300,
                      .msisdn = TO_A, .op = SMSMO_PAGES_WRITE, .pages = &pr, .pages_ttl_s = 100};
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
    size_t len = 0;
    char *p2 = sync_str(c, &len, "HGET %b p2", "dvcbot:smspages:" TO_A,
                        strlen("dvcbot:smspages:" TO_A));
    T_OK(p2 && !strcmp(p2, "trang 2") && raw_int(c, "HLEN %b", "dvcbot:smspages:" TO_A) == 7,
         "raw: the pages record is a hash (cmd, next, np, nb, p1, p2, b1)");
    free(p2);
    smsmo_answer(s, "k-1", on_bytes, &b);
    smsmo_pages(s, TO_A, on_pages, &p);
    RUN_UNTIL(p.calls, 3000);
    T_OK(b.status == 0 && b.len == sizeof(answer) - 1 &&
         memcmp(b.bytes, answer, b.len) == 0 && b.bytes[b.len] == '\0',
         "smsmo_answer returns the answer saved, byte for byte");
    T_STREQ(p.text, "tt 1.001193|2|trang 1\r\n,trang 2|rating:5", "smsmo_pages returns the record saved");
    got_clear(&a);

    pr.next = 3;
    r = (smsmo_result){.msisdn = TO_A, .op = SMSMO_PAGES_NEXT, .pages = &pr};
    smsmo_save(s, &r, on_done, &a);
    memset(&p, 0, sizeof(p));
    smsmo_pages(s, TO_A, on_pages, &p);
    RUN_UNTIL(p.calls, 3000);
    T_STREQ(p.text, "tt 1.001193|3|trang 1\r\n,trang 2|rating:5", "NEXT changes only next");
    got_clear(&a);

    r = (smsmo_result){.msisdn = TO_A, .op = SMSMO_PAGES_KEEP};     /* nothing to write */
    T_OK(smsmo_save(s, &r, on_done, &a) == 0 && a.calls == 1 && a.status == 0,
         "nothing to write (no id, KEEP): called back at once");
    r.op = SMSMO_PAGES_DELETE;
    got_clear(&a);
    memset(&p, 0, sizeof(p));
    smsmo_save(s, &r, on_done, &a);
    smsmo_pages(s, TO_A, on_pages, &p);
    RUN_UNTIL(p.calls, 3000);
    T_OK(a.status == 0 && p.calls == 1 && p.status == 1 &&
         raw_int(c, "EXISTS %b", "dvcbot:smspages:" TO_A) == 0, "DELETE deletes the record");

    /* an earlier version's JSON record is read, and rewritten as the hash */
    sync_do(c, "SET dvcbot:smspages:" TO_A " "
               "{\"cmd\":\"tt\",\"pages\":[\"a\",\"b\",\"c\"],\"next\":3,\"buttons\":[\"x:1\"]} EX 90");
    memset(&p, 0, sizeof(p));
    smsmo_pages(s, TO_A, on_pages, &p);
    RUN_UNTIL(p.calls, 3000);
    long long t3 = raw_int(c, "TTL %b", "dvcbot:smspages:" TO_A);
    char *type = sync_str(c, &len, "TYPE %b", "dvcbot:smspages:" TO_A, strlen("dvcbot:smspages:" TO_A));
    T_OK(p.status == 0 && !strcmp(p.text, "tt|3|a,b,c|x:1") && type && !strcmp(type, "hash") &&
             t3 > 0 && t3 <= 90,
         "an old JSON pages record is read (%s) and rewritten as a hash, its TTL kept", p.text);
    free(type);
    got_clear(&a);
    got_clear(&b);
}

static void test_smsmo_refused(store *s, store *down)
{
    got g = {0};
    smsmo_result r = {.id = "x", .answer = "0", .len = 1, .ttl_s = 1, .msisdn = TO_A};

    T_OK(smsmo_claim(s, "", "i", on_done, &g) == -1 &&
         smsmo_claim(s, NULL, "i", on_done, &g) == -1 &&
         smsmo_claim(s, "x", "", on_done, &g) == -1, "claim: empty id or instance refused");
    T_OK(smsmo_answer(s, "x", NULL, &g) == -1 && smsmo_pages(s, "", on_pages, NULL) == -1,
         "answer without fn, pages without number: refused");
    T_OK(smsmo_claim(down, "x", "i", on_done, &g) == -1 &&
         smsmo_save(down, &r, on_done, &g) == -1 &&
         smsmo_answer(down, "x", on_bytes, &g) == -1, "store down: -1 at once");
    RUN_FOR(20);
    T_OK(g.calls == 0, "refused calls never call back");
}

/* ------------------------------------------------------------------------
 * smsmo_take: once per Kannel id across instances
 * ---------------------------------------------------------------------- */

typedef struct took {
    int calls;
    smsmo_take_status st;
    char answer[64];
    uint64_t at;                /* now_ms() of the call */
} took;

static void on_take(smsmo_take_status st, const char *ans, size_t len, void *pd)
{
    took *t = pd;
    t->calls++;
    t->st = st;
    t->at = now_ms();
    snprintf(t->answer, sizeof(t->answer), "%.*s", ans ? (int)len : 0, ans ? ans : "");
}

static void save_later(void *pd, int ok)
{
    store *s = pd;
    smsmo_result r = {.id = "t-2", .answer = "0xong", .len = 5, .ttl_s = 300, .msisdn = TO_A,
                      .op = SMSMO_PAGES_KEEP};
    if (ok)
        smsmo_save(s, &r, NULL, NULL);
}

static void test_take(store *s, redisContext *c)
{
    took a = {0}, b = {0}, d = {0}, e = {0};
    const char *me = store_instance(s);
    char other[128], key[160];

    T_OK(strlen(me) > 8 && !strcmp(me, store_instance(s)), "an instance id, the same each call");
    RUN_FOR(50);
    snprintf(key, sizeof(key), "dvcbot:inst:%s", me);
    long long pttl = raw_int(c, "PTTL %b", key);
    T_OK(pttl > 0 && pttl <= STORE_HEARTBEAT_TTL_MS, "its heartbeat key lives (PTTL %lld)", pttl);
    smsmo_take(s, "t-1", me, 0, on_take, &a);
    smsmo_take(s, "t-1", "dead-instance", 0, on_take, &b);
    RUN_UNTIL(b.calls, 3000);
    T_OK(a.st == SMSMO_TAKE_CLAIMED && b.st == SMSMO_TAKE_BUSY && b.calls == 1,
         "first take claims; a second instance without waiting: busy (a live owner)");
    sync_do(c, "SET dvcbot:smsmo:t-1 Pdead-instance");
    smsmo_take(s, "t-1", me, 1000, on_take, &d);
    RUN_UNTIL(d.calls, 3000);
    snprintf(other, sizeof(other), "P%s", me);
    T_OK(d.st == SMSMO_TAKE_OVER && raw_is(c, "dvcbot:smsmo:t-1", other, strlen(other)),
         "a claim whose owner has no heartbeat is taken over at once");
    memset(&d, 0, sizeof(d));
    smsmo_take(s, "t-1", me, 0, on_take, &d);
    RUN_UNTIL(d.calls, 3000);
    T_OK(d.st == SMSMO_TAKE_OVER, "this instance's own claim (a failed attempt): taken over");

    /* a live owner answers while the second instance waits */
    sync_do(c, "SET dvcbot:inst:live-1 1 PX 10000");
    sync_do(c, "SET dvcbot:smsmo:t-2 Plive-1");
    uint64_t t0 = now_ms();
    memset(&d, 0, sizeof(d));
    smsmo_take(s, "t-2", me, 3000, on_take, &d);
    store_after(s, 300, save_later, s);
    RUN_UNTIL(d.calls, 5000);
    T_OK(d.st == SMSMO_TAKE_ANSWERED && !strcmp(d.answer, "0xong") && d.at - t0 >= 250 &&
         d.at - t0 < 1500, "a live owner's answer is waited for and returned (%llu ms)",
         (unsigned long long)(d.at - t0));
    sync_do(c, "SET dvcbot:smsmo:t-3 Plive-1");
    t0 = now_ms();
    smsmo_take(s, "t-3", me, 500, on_take, &e);
    RUN_UNTIL(e.calls, 5000);
    T_OK(e.st == SMSMO_TAKE_BUSY && e.at - t0 >= 450 && raw_is(c, "dvcbot:smsmo:t-3", "Plive-1", 7),
         "a live owner that does not answer within the wait: busy after %llu ms, not taken",
         (unsigned long long)(e.at - t0));
    T_OK(smsmo_take(s, "", me, 0, on_take, &e) == -1 && smsmo_take(s, "x", "", 0, on_take, &e) == -1,
         "take without id or instance: refused");
}

/* smsmo_take_pages: the claim and the number's pages record in one call. */
typedef struct tookp {
    took t;
    pgot p;
} tookp;

static void on_take_pages(smsmo_take_status st, const char *ans, size_t len, int pstatus,
                          const smsmo_pages_rec *pr, void *pd)
{
    tookp *x = pd;
    on_take(st, ans, len, &x->t);
    on_pages(pstatus, pr, &x->p);
}

static tookp take_pages(store *s, const char *id, const char *msisdn)
{
    tookp x = {0};
    if (smsmo_take_pages(s, id, store_instance(s), msisdn, 0, on_take_pages, &x) < 0)
        x.t.calls = -1;
    RUN_UNTIL(x.t.calls, 3000);
    return x;
}

static void test_take_pages(store *s, redisContext *c)
{
    const char *me = store_instance(s);
    char claim[128];
    sync_do(c, "DEL dvcbot:smspages:" TO_A);
    const char *pages[2] = {"trang 1", "trang 2"}, *buttons[1] = {"rating:5"};
    smsmo_pages_rec pr = {.cmd = "tt 1", .pages = pages, .npages = 2, .buttons = buttons,
                          .nbuttons = 1, .next = 2};
    smsmo_result r = {.msisdn = TO_A, .op = SMSMO_PAGES_WRITE, .pages = &pr, .pages_ttl_s = 600};
    got a = {0};
    smsmo_save(s, &r, on_done, &a);
    RUN_UNTIL(a.calls, 3000);
    tookp x = take_pages(s, "tp-1", TO_A);
    snprintf(claim, sizeof(claim), "P%s", me);
    T_OK(x.t.calls == 1 && x.t.st == SMSMO_TAKE_CLAIMED && x.p.calls == 1 && x.p.status == 0 &&
             !strcmp(x.p.text, "tt 1|2|trang 1,trang 2|rating:5") &&
             raw_is(c, "dvcbot:smsmo:tp-1", claim, strlen(claim)),
         "take_pages: claimed, with the number's record (%s)", x.p.text);
    x = take_pages(s, "tp-1", TO_A);
    T_OK(x.t.st == SMSMO_TAKE_OVER && x.p.status == 0, "its own failed attempt: taken over, record too");
    r = (smsmo_result){.id = "tp-1", .answer = "0trang 2", .len = 8, .ttl_s = 300, .msisdn = TO_A,
                       .op = SMSMO_PAGES_KEEP};
    smsmo_save(s, &r, NULL, NULL);
    x = take_pages(s, "tp-1", TO_A);
    T_OK(x.t.st == SMSMO_TAKE_ANSWERED && !strcmp(x.t.answer, "0trang 2") && x.p.status == 1 &&
             x.p.calls == 1, "an answered id: its answer, no record");
    x = take_pages(s, "tp-2", "84900000009");
    T_OK(x.t.st == SMSMO_TAKE_CLAIMED && x.p.status == 1, "a number without a record: none");
    sync_do(c, "SET dvcbot:smspages:" TO_A " "
               "{\"cmd\":\"tt\",\"pages\":[\"a\",\"b\"],\"next\":2,\"buttons\":[]} EX 90");
    x = take_pages(s, "tp-3", TO_A);
    size_t len;
    char *type = sync_str(c, &len, "TYPE %b", "dvcbot:smspages:" TO_A, strlen("dvcbot:smspages:" TO_A));
    T_OK(x.t.st == SMSMO_TAKE_CLAIMED && x.p.status == 0 && !strcmp(x.p.text, "tt|2|a,b") && type &&
             !strcmp(type, "hash"), "an old JSON record comes with the claim, rewritten as a hash");
    free(type);
    tookp y = {0};
    T_OK(smsmo_take_pages(s, "tp-4", me, "", 0, on_take_pages, &y) == -1 &&
             smsmo_take_pages(s, "tp-4", me, TO_A, 0, NULL, NULL) == -1 && y.t.calls == 0,
         "take_pages without a number or a callback: refused");
    got_clear(&a);
}

/* A wait still pending when the store closes ends with SMSMO_TAKE_FAILED. */
static void test_take_close(void)
{
    took t = {0};
    store *s2 = redis_store_open(redis_url, 1000, 1000);
    redisContext *c = sync_open(1);
    RUN_UNTIL(store_is_up(s2), 3000);
    sync_do(c, "SET dvcbot:inst:live-2 1 PX 10000");
    sync_do(c, "SET dvcbot:smsmo:t-4 Plive-2");
    smsmo_take(s2, "t-4", store_instance(s2), 3000, on_take, &t);
    RUN_FOR(250);
    store_close(s2);
    T_OK(t.calls == 1 && t.st == SMSMO_TAKE_FAILED, "store_close during the wait: failed, once");
    redisFree(c);
}

/* ------------------------------------------------------------------------
 * an MO's session turn: the claim in sessions_begin, the answer record in
 * sessions_commit (one script call each)
 * ---------------------------------------------------------------------- */

typedef struct begun {
    int calls, status;
    char value[64];
    uint64_t at;
} begun;

static void on_begun(int status, int retry_after_s, const char *v, size_t len, void *pd)
{
    begun *b = pd;
    (void)retry_after_s;
    b->calls++;
    b->status = status;
    b->at = now_ms();
    snprintf(b->value, sizeof(b->value), "%.*s", v ? (int)len : 0, v ? v : "");
}

/* A turn's start for user with the claim of id (a budget of 10 a minute). */
static int mo_begin(store *s, const char *id, const char *user, const char *token,
                    unsigned wait_ms, begun *b)
{
    sessions_claim cl = {id, store_instance(s), wait_ms};
    ratelimit_rule rule = {"id", user, 10, 60};
    sessions_turn t = {"sms", user, token, 5000, 0, &rule, 1, &cl};
    memset(b, 0, sizeof(*b));
    int rc = sessions_begin(s, &t, on_begun, b);
    RUN_UNTIL(b->calls, 5000);
    return rc;
}

/* The turn's end: the session "v1" and the MO's answer, with pages. */
static int mo_commit(store *s, const char *id, const char *user, const char *token, got *g)
{
    static const char *const pages[] = {"trang 1", "trang 2"}, *const btn[] = {"pay:1"};
    smsmo_pages_rec pr = {.cmd = "ttpa", .pages = pages, .npages = 2, .buttons = btn,
                           .nbuttons = 1, .next = 2};
    smsmo_result mo = {.id = id, .answer = "0trang 1", .len = 8, .ttl_s = 300, .msisdn = user,
                       .op = SMSMO_PAGES_WRITE, .pages = &pr, .pages_ttl_s = 600};
    sessions_write w = {.value = "v1", .len = 2, .ttl_s = 60, .mo = &mo};
    got_clear(g);
    int rc = sessions_commit(s, "sms", user, token, &w, on_done, g);
    RUN_UNTIL(g->calls, 3000);
    return rc;
}

static void test_turn_claim(store *s, redisContext *c)
{
    begun b;
    got g = {0};
    char mine[160];
    snprintf(mine, sizeof(mine), "P%s", store_instance(s));
    T_OK(mo_begin(s, "u-1", TO_A, "tok-1", 0, &b) == 0 && b.status == SESSIONS_OWNED &&
         raw_is(c, "dvcbot:smsmo:u-1", mine, strlen(mine)) &&
         raw_int(c, "GET %b", "dvcbot:rl:id:" TO_A) == 1,
         "a turn's start claims the MO's id, counts the budget and takes the lease");
    T_OK(mo_commit(s, "u-1", TO_A, "tok-1", &g) == 0 && g.status == 0 &&
         raw_is(c, "dvcbot:smsmo:u-1", "D0trang 1", 9) && raw_is(c, "dvcbot:sess:sms:" TO_A, "v1", 2) &&
         raw_int(c, "EXISTS %b", "dvcbot:sess-lease:sms:" TO_A) == 0,
         "its commit writes the session and the answer record, and gives the lease back");
    size_t len;
    char *np = sync_str(c, &len, "HGET %b np", "dvcbot:smspages:" TO_A, strlen("dvcbot:smspages:" TO_A));
    char *b1 = sync_str(c, &len, "HGET %b b1", "dvcbot:smspages:" TO_A, strlen("dvcbot:smspages:" TO_A));
    long long pttl = raw_int(c, "TTL %b", "dvcbot:smspages:" TO_A);
    T_OK(np && !strcmp(np, "2") && b1 && !strcmp(b1, "pay:1") && pttl > 500 && pttl <= 600,
         "and the pages record, as smsmo_save writes it (TTL %lld)", pttl);
    free(np);
    free(b1);
    T_OK(mo_begin(s, "u-1", TO_A, "tok-2", 0, &b) == 0 && b.status == SESSIONS_ANSWERED &&
         !strcmp(b.value, "0trang 1") && raw_int(c, "GET %b", "dvcbot:rl:id:" TO_A) == 1 &&
         raw_int(c, "EXISTS %b", "dvcbot:sess-lease:sms:" TO_A) == 0,
         "a retry of the id: its stored answer; no budget counted, no lease taken");
    sync_do(c, "SET dvcbot:inst:live-3 1 PX 10000");
    sync_do(c, "SET dvcbot:smsmo:u-2 Plive-3");
    uint64_t t0 = now_ms();
    T_OK(mo_begin(s, "u-2", TO_B, "tok-3", 300, &b) == 0 && b.status == SESSIONS_BUSY &&
         b.at - t0 >= 250 && raw_is(c, "dvcbot:smsmo:u-2", "Plive-3", 7) &&
         raw_int(c, "EXISTS %b", "dvcbot:rl:id:" TO_B) == 0 &&
         raw_int(c, "EXISTS %b", "dvcbot:sess-lease:sms:" TO_B) == 0,
         "an id a live instance processes: busy after the wait (%llu ms), nothing counted or taken",
         (unsigned long long)(b.at - t0));
    sync_do(c, "SET dvcbot:smsmo:u-3 Pdead-3");
    T_OK(mo_begin(s, "u-3", TO_B, "tok-4", 0, &b) == 0 && b.status == SESSIONS_OWNED &&
         raw_is(c, "dvcbot:smsmo:u-3", mine, strlen(mine)),
         "a dead instance's claim is taken over by the turn's start");
    sessions_release(s, "sms", TO_B, "tok-4");
    sessions_claim bad = {"", "x", 0};
    sessions_turn t = {"sms", TO_B, "tok-5", 5000, 0, NULL, 0, &bad};
    T_OK(sessions_begin(s, &t, on_begun, &b) == -1, "a claim without an id: refused");
    got_clear(&g);
}

static void test_turn_lost(store *s, redisContext *c)
{
    begun b;
    got g = {0};
    char mine[160];
    snprintf(mine, sizeof(mine), "P%s", store_instance(s));
    sync_do(c, "DEL dvcbot:sess:sms:" TO_B " dvcbot:smspages:" TO_B);
    T_OK(mo_begin(s, "u-4", TO_B, "tok-6", 0, &b) == 0 && b.status == SESSIONS_OWNED,
         "a turn claims u-4");
    sync_do(c, "SET dvcbot:sess-lease:sms:" TO_B " other-owner PX 5000");   /* the lease lost */
    T_OK(mo_commit(s, "u-4", TO_B, "tok-6", &g) == 0 && g.status == -1 &&
         raw_is(c, "dvcbot:smsmo:u-4", mine, strlen(mine)) &&
         raw_int(c, "EXISTS %b", "dvcbot:sess:sms:" TO_B) == 0 &&
         raw_int(c, "EXISTS %b", "dvcbot:smspages:" TO_B) == 0,
         "its lease lost: the commit fails and writes nothing, the answer record neither "
         "(the claim stays: a retry processes the MO again)");
    sync_do(c, "DEL dvcbot:sess-lease:sms:" TO_B);
    T_OK(mo_begin(s, "u-4", TO_B, "tok-7", 0, &b) == 0 && b.status == SESSIONS_OWNED &&
         mo_commit(s, "u-4", TO_B, "tok-7", &g) == 0 && g.status == 0 &&
         raw_is(c, "dvcbot:smsmo:u-4", "D0trang 1", 9),
         "the retry takes its own claim over and stores the answer with its commit");
    smsmo_result bad = {.id = "u-5", .answer = NULL, .msisdn = TO_B, .op = SMSMO_PAGES_KEEP};
    sessions_write w = {.value = "v", .len = 1, .ttl_s = 60, .mo = &bad};
    T_OK(sessions_commit(s, "sms", TO_B, "tok-8", &w, on_done, &g) == -1,
         "a commit with an invalid answer record (an id without an answer): refused");
    got_clear(&g);
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
    test_take(s, c1);
    test_take_pages(s, c1);
    test_take_close();
    test_turn_claim(s, c1);
    test_turn_lost(s, c1);

    store_close(s);
    store_close(down);
    redisFree(c1);
    redis_suite_end();
    return t_done();
}
