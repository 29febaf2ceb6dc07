/* test_ratelimit.c -- store/ratelimit.c against a real Redis
 * (tests/unit/redis_fixture.h): a budget takes exactly its limit, then
 * refuses with the seconds left of its window; a refused request counts
 * nowhere; several budgets are checked together (one refusing refuses all);
 * skipped rules (no limit, no id) answer at once without Redis; the keys are
 * dvcbot:rl:{kind}:{id} with a TTL, any bytes in the id; bad rules are
 * refused without a callback; the miss arguments
 * name the identity and address counters (ussd counted as sms); the
 * numbers and keys of store/arg.h read as printf would write them. */
#include "t.h"
#include "tests/unit/redis_fixture.h"
#include "store/ratelimit.h"

typedef struct hit {
    int calls, status, retry;
} hit;

static void on_hit(int status, int retry_after_s, void *privdata)
{
    hit *h = privdata;
    h->calls++;
    h->status = status;
    h->retry = retry_after_s;
}

/* One request against rules, run to its answer. */
static hit one(store *s, const ratelimit_rule *rules, size_t n)
{
    hit h = {0};
    if (ratelimit_hit(s, rules, n, on_hit, &h) < 0)
        return (hit){.calls = -1};
    RUN_UNTIL(h.calls, 3000);
    return h;
}

static void test_budget(store *s, redisContext *c)
{
    size_t len;
    ratelimit_rule r = {"addr", "10.0.0.1", 3, 60};
    int ok = 1;
    for (int i = 0; i < 3; i++) {
        hit h = one(s, &r, 1);
        ok &= h.calls == 1 && h.status == 1;
    }
    hit no = one(s, &r, 1);
    T_OK(ok && no.calls == 1 && no.status == 0 && no.retry >= 1 && no.retry <= 60,
         "limit 3: three accepted, the fourth refused with Retry-After %d s", no.retry);
    char *v = sync_str(c, &len, "GET dvcbot:rl:addr:10.0.0.1");
    char *ttl = sync_str(c, &len, "TTL dvcbot:rl:addr:10.0.0.1");
    T_OK(v && !strcmp(v, "3") && ttl && atoi(ttl) > 0 && atoi(ttl) <= 60,
         "the counter is dvcbot:rl:addr:{id} = 3 with a TTL within the window (%s s); a refused "
         "request counted nowhere", ttl ? ttl : "-");
    free(v);
    free(ttl);
    for (int i = 0; i < 5; i++)
        ok &= one(s, &r, 1).status == 0;
    v = sync_str(c, &len, "GET dvcbot:rl:addr:10.0.0.1");
    T_OK(ok && v && !strcmp(v, "3"),
         "five more refusals: each counted first and taken back, the counter stays at 3 (%s)",
         v ? v : "-");
    free(v);

    ratelimit_rule two[2] = {{"id", "chat:a\r\nb", 5, 60}, {"addr", "10.0.0.1", 3, 60}};
    hit h = one(s, two, 2);
    v = sync_str(c, &len, "GET %s", "dvcbot:rl:id:chat:a\r\nb");
    T_OK(h.status == 0 && v == NULL,
         "two budgets: the spent one refuses, and the other is not counted either");
    free(v);
    two[1].id = "10.0.0.2";
    h = one(s, two, 2);
    v = sync_str(c, &len, "GET %s", "dvcbot:rl:id:chat:a\r\nb");
    T_OK(h.status == 1 && v && !strcmp(v, "1"),
         "two fresh budgets: accepted and counted in both (CRLF in an id is data)");
    free(v);
}

static void test_edges(store *s)
{
    ratelimit_rule skip[2] = {{"addr", "", 3, 60}, {"id", "x", 0, 60}};
    hit h = {0};
    int rc = ratelimit_hit(s, skip, 2, on_hit, &h);
    T_OK(rc == 0 && h.calls == 1 && h.status == 1,
         "rules without an id or a limit: accepted before the call returns");
    ratelimit_rule bad[2] = {{"a:b", "x", 3, 60}, {"id", "y", 3, 0}};
    h = (hit){0};
    T_OK(ratelimit_hit(s, &bad[0], 1, on_hit, &h) < 0 &&
         ratelimit_hit(s, &bad[1], 1, on_hit, &h) < 0 && h.calls == 0,
         "a kind with ':' or a window under 1 s: refused, no callback");
    ratelimit_miss m = {.channel = "ussd", .user = "84912345678", .addr = "10.1.1.1",
                        .limit = 5, .addr_limit = 0, .window_s = 3600};
    ratelimit_miss_argv a;
    T_OK(ratelimit_miss_argv_init(&a, &m) == 0 &&
         !strcmp(a.argv[0], "dvcbot:rl-miss:sms:84912345678") &&
         !strcmp(a.argv[1], "dvcbot:rl-miss-addr:10.1.1.1") && !strcmp(a.argv[2], "5") &&
         atoi(a.argv[3]) > 1000 && !strcmp(a.argv[4], "3600"),
         "miss arguments: ussd counted as the phone's sms identity, the address, no address "
         "limit = unlimited");
    ratelimit_miss_argv_free(&a);
    ratelimit_miss nochan = {.user = "u", .window_s = 60};
    T_OK(ratelimit_miss_argv_init(&a, &nochan) < 0, "a miss without a channel is refused");
    ratelimit_miss_argv_free(&a);
}

/* store/arg.h: the numbers as printf writes them, keys concatenated. */
static void test_args(void)
{
    static const long long v[] = {0, 7, -1, 60, 86400, 2147483647LL, -2147483647LL - 1,
                                  9223372036854775807LL, -9223372036854775807LL - 1};
    int same = 1;
    for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        char a[NUM_MAX], b[32];
        size_t n = num_format(a, v[i]);
        snprintf(b, sizeof(b), "%lld", v[i]);
        same &= !strcmp(a, b) && n == strlen(b);
    }
    T_OK(same, "num_format writes what %%lld writes (0, negatives, both ends of long long)");
    const char *parts[5] = {"dvcbot:rl:", "id", NULL, ":", "sms:849"};
    size_t len = 0;
    char *k = store_arg_cat(parts, 5, &len);
    T_OK(!strcmp(k, "dvcbot:rl:id:sms:849") && len == strlen(k),
         "store_arg_cat: the parts in order, a NULL part empty");
    free(k);
    const char *many[10] = {"a", "b", "c", "d", "e", "f", "g", "h", "i", "j"};
    k = store_arg_cat(many, 10, NULL);
    T_OK(!strcmp(k, "abcdefghij"), "store_arg_cat: more than 8 parts");
    free(k);
}

int main(void)
{
    test_args();
    if (redis_suite_start(20, 4) != 0)
        return t_done();
    char url[64];
    snprintf(url, sizeof(url), "redis://127.0.0.1:%d/4", redis_port);
    store *s = redis_store_open(url, 1000, 1000);
    RUN_UNTIL(store_is_up(s), 3000);
    redisContext *c = sync_open(4);
    T_OK(store_is_up(s) && c && !c->err, "a store on db 4");
    test_budget(s, c);
    test_edges(s);
    store_close(s);
    redisFree(c);
    redis_suite_end();
    return t_done();
}
