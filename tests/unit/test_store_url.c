/* test_store_url.c -- the redis:// urls of the store: store_url_parse, and
 * store_new and keys_connect_sync, which both use it.
 *
 * Bad urls are refused with a message and leave *out untouched; good ones
 * give their host, port and db (defaults 6379 and 0); store_new refuses and
 * keys_connect_sync refuses the same urls with the same messages. Nothing
 * listens on the ports tried (port 1), so no redis-server is needed: a store
 * closed while connecting or retrying must leave the loop empty. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <uv.h>

#include "t.h"
#include "store/keys.h"
#include "store/redis.h"

static uv_loop_t loop;

static const char *const bad_urls[] = {
    "", "http://127.0.0.1:6379", "redis://", "redis://:6379", "redis://h:0",
    "redis://h:65536", "redis://h:123456", "redis://h:12ab", "redis://h:-1", "redis://h:+5",
    "redis://h:6379/x", "redis://h:6379/-1", "redis://h:6379/1234567890",
    "redis://h:6379/0?a=1", "redis://user:pw@h:6379", "redis://h 6379", "redis:// h",
    "redis://h:6379 ", "rediss://h:6379", "REDIS://h", "redis://h:6379/0/1", "redis://[::1:6379",
    "redis://[]:1", "redis://h%41:1", "redis://h:", "redis://h\t:1",
};

typedef struct good_url {
    const char *url, *host;
    int port, db;
    int connect;        /* store_new may try it (nothing listens on port 1) */
} good_url;

static const good_url good_urls[] = {
    {"redis://127.0.0.1", "127.0.0.1", 6379, 0, 0},
    {"redis://127.0.0.1:1", "127.0.0.1", 1, 0, 1},
    {"redis://localhost:1/", "localhost", 1, 0, 1},
    {"redis://127.0.0.1:1/15", "127.0.0.1", 1, 15, 1},
    {"redis://[::1]:1/2", "::1", 1, 2, 1},
    {"redis://10.0.0.1:65535/0", "10.0.0.1", 65535, 0, 0},
    {"redis://my-host_1.example/999999999", "my-host_1.example", 6379, 999999999, 0},
};

static void test_url_parse(void)
{
    char err[256], longer[300];
    store_url u;
    size_t i;
    int ok = 1;

    for (i = 0; i < sizeof(bad_urls) / sizeof(bad_urls[0]); i++) {
        memset(&u, 0x5a, sizeof(u));
        err[0] = '\0';
        int rc = store_url_parse(bad_urls[i], &u, err, sizeof(err));
        ok &= rc == -1 && err[0] != '\0' && u.port == 0x5a5a5a5a;
        if (rc != -1)
            printf("# accepted: '%s'\n", bad_urls[i]);
    }
    T_OK(ok, "store_url_parse refuses %zu bad urls with a message, *out untouched",
         sizeof(bad_urls) / sizeof(bad_urls[0]));
    T_OK(store_url_parse(NULL, &u, err, sizeof(err)) == -1 && err[0], "NULL url refused: %s", err);
    T_OK(store_url_parse("redis://h:0", &u, NULL, 0) == -1, "no err buffer: still refused");
    snprintf(longer, sizeof(longer), "redis://%0256d:1", 0);
    T_OK(store_url_parse(longer, &u, err, sizeof(err)) == -1, "a 256-byte host is refused");
    longer[8 + 255] = '\0';
    T_OK(store_url_parse(longer, &u, err, sizeof(err)) == 0 && strlen(u.host) == 255,
         "a 255-byte host is kept whole");
    ok = 1;
    for (i = 0; i < sizeof(good_urls) / sizeof(good_urls[0]); i++) {
        const good_url *g = &good_urls[i];
        int same = store_url_parse(g->url, &u, err, sizeof(err)) == 0 &&
                   strcmp(u.host, g->host) == 0 && u.port == g->port && u.db == g->db;
        if (!same)
            printf("# '%s': %s\n", g->url, err);
        ok &= same;
    }
    T_OK(ok, "store_url_parse: host, port and db of %zu good urls (defaults 6379, 0)",
         sizeof(good_urls) / sizeof(good_urls[0]));
    T_OK(store_url_parse("redis://h:1/2", NULL, err, sizeof(err)) == 0, "out NULL: only checked");
}

static void test_urls(void)
{
    store_options o = {.url = NULL};
    char err[256], kerr[256];
    size_t i;
    int same = 1;

    test_url_parse();
    T_OK(store_new(&loop, &o, err, sizeof(err)) == NULL && err[0], "url NULL refused: %s", err);
    for (i = 0; i < sizeof(bad_urls) / sizeof(bad_urls[0]); i++) {
        store *s;

        o.url = bad_urls[i];
        err[0] = '\0';
        s = store_new(&loop, &o, err, sizeof(err));
        T_OK(s == NULL && err[0] != '\0', "bad url '%s' refused: %s", bad_urls[i], err);
        store_close(s);
        same &= keys_connect_sync(bad_urls[i], kerr, sizeof(kerr)) == NULL && !strcmp(err, kerr);
    }
    T_OK(same, "keys_connect_sync refuses the same urls with the same messages");
    for (i = 0; i < sizeof(good_urls) / sizeof(good_urls[0]); i++) {
        store *s;

        if (!good_urls[i].connect)
            continue;
        o.url = good_urls[i].url;
        s = store_new(&loop, &o, err, sizeof(err));
        T_OK(s != NULL && err[0] == '\0', "good url '%s' accepted", o.url);
        T_OK(!store_is_up(s), "not up before the loop ran");
        store_close(s);     /* while connecting, or with the retry timer armed */
    }
    store_close(NULL);
    uv_run(&loop, UV_RUN_NOWAIT);
}

/* redis.sentinels: host[:port],... */
static void test_sentinels(void)
{
    store_url l[STORE_SENTINELS_MAX];
    char err[160];
    int n = store_sentinels_parse("127.0.0.1:26379, 10.0.0.2,[::1]:26381", l, STORE_SENTINELS_MAX,
                                  err, sizeof(err));
    T_OK(n == 3 && !strcmp(l[0].host, "127.0.0.1") && l[0].port == 26379 &&
         !strcmp(l[1].host, "10.0.0.2") && l[1].port == STORE_SENTINEL_DEFAULT_PORT &&
         !strcmp(l[2].host, "::1") && l[2].port == 26381, "three sentinels, default port, IPv6");
    static const char *const bad[] = {"", "a:1,", "a:1,,b", "a:0", "a:70000", "a b", "a:1;b:2"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        err[0] = '\0';
        T_OK(store_sentinels_parse(bad[i], l, STORE_SENTINELS_MAX, err, sizeof(err)) == -1 &&
             err[0], "refused with a message: '%s' (%s)", bad[i], err);
    }
    T_OK(store_sentinels_parse("a,b,c", l, 2, err, sizeof(err)) == -1, "more than max: refused");
    store_options o = {.url = "redis://127.0.0.1:1/0", .sentinels = "127.0.0.1:1",
                       .master_name = ""};
    T_OK(store_new(&loop, &o, err, sizeof(err)) == NULL && strstr(err, "master_name"),
         "sentinels without a master name: store_new refuses (%s)", err);
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    alarm(10);          /* a hung loop ends the suite (SIGALRM): a failure */
    uv_loop_init(&loop);
    test_urls();
    test_sentinels();
    uv_run(&loop, UV_RUN_DEFAULT);
    T_OK(uv_loop_close(&loop) == 0, "the loop closes: every store closed while connecting");
    return t_done();
}
