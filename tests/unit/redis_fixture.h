/* redis_fixture.h -- a private redis-server and a libuv loop for the unit
 * suites that drive the store against the real thing (test_store.c,
 * test_store_sms.c).
 *
 * redis_start() runs redis-server on redis_port (free_port()) with no
 * persistence, killed on every exit path: atexit, SIGINT/SIGTERM/SIGALRM
 * handlers (install_guards), and PR_SET_PDEATHSIG if the suite dies some
 * other way. RUN_UNTIL runs the loop until a condition holds; rec records
 * what a store_reply_fn callback got. redis_suite_start() and
 * redis_suite_end() are a suite's first and last steps around them;
 * redis_store_open() opens a store on the loop. Used by test_store.c,
 * test_store_scripts.c, test_store_sms.c and (through conv_fixture.h)
 * test_conv.c and test_agent_hub.c. Everything is static inline: include
 * it from one suite file only. */
#ifndef DVC_TESTS_REDIS_FIXTURE_H
#define DVC_TESTS_REDIS_FIXTURE_H

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <hiredis/hiredis.h>
#include <uv.h>

#include "tests/unit/t.h"
#include "common/xmalloc.h"
#include "store/redis.h"

/* ------------------------------------------------------------------------
 * The private redis-server
 * ---------------------------------------------------------------------- */

static volatile pid_t redis_pid = -1;
static int redis_port;
static char redis_dir[] = "/tmp/dvcbot-test-redis-XXXXXX";
static char redis_url[64];

static inline int free_port(void)
{
    struct sockaddr_in a;
    socklen_t alen = sizeof(a);
    int fd = socket(AF_INET, SOCK_STREAM, 0), port = -1;

    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
        getsockname(fd, (struct sockaddr *)&a, &alen) == 0)
        port = ntohs(a.sin_port);
    if (fd >= 0)
        close(fd);
    return port;
}

static inline void redis_kill(void)
{
    pid_t pid = redis_pid;

    if (pid <= 0)
        return;
    redis_pid = -1;
    kill(pid, SIGKILL);
    while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
        ;
}

static inline void redis_on_signal(int sig)
{
    static const char msg[] = "unit suite: killed by signal or timeout\n";

    if (redis_pid > 0)
        kill(redis_pid, SIGKILL);
    rmdir(redis_dir);       /* empty: redis runs with --save '' */
    (void)!write(2, msg, sizeof(msg) - 1);
    _exit(128 + sig);
}

static inline void redis_exec(pid_t parent)
{
    char port[16];
    int fd = open("/dev/null", O_RDWR);

    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent)
        _exit(127);
    if (fd >= 0) {
        dup2(fd, 0);
        dup2(fd, 1);
        dup2(fd, 2);
    }
    snprintf(port, sizeof(port), "%d", redis_port);
    execlp("redis-server", "redis-server", "--port", port, "--bind", "127.0.0.1",
           "--save", "", "--appendonly", "no", "--daemonize", "no",
           "--dir", redis_dir, "--enable-debug-command", "yes", (char *)NULL);
    _exit(127);
}

/* A blocking PING until it answers PONG (at most ~5 s). */
static inline int redis_wait_ready(void)
{
    struct timeval tv = { 0, 200000 };
    int i, ok = 0;

    for (i = 0; i < 100 && !ok; i++) {
        redisContext *c = redisConnectWithTimeout("127.0.0.1", redis_port, tv);
        redisReply *r = NULL;

        if (c != NULL && !c->err)
            r = redisCommand(c, "PING");
        ok = r != NULL && r->type == REDIS_REPLY_STATUS && strcmp(r->str, "PONG") == 0;
        if (r != NULL)
            freeReplyObject(r);
        if (c != NULL)
            redisFree(c);
        if (!ok)
            usleep(50000);
    }
    return ok;
}

static inline int redis_start(void)
{
    pid_t parent = getpid(), pid;

    fflush(stdout);
    pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0)
        redis_exec(parent);
    redis_pid = pid;
    return redis_wait_ready() ? 0 : -1;
}

/* ------------------------------------------------------------------------
 * Loop helpers and callback recorders
 * ---------------------------------------------------------------------- */

static uv_loop_t loop;
static uv_timer_t tick;

static inline uint64_t now_ms(void)
{
    return uv_hrtime() / 1000000;
}

static inline void on_tick(uv_timer_t *t)
{
    (void)t;
}

/* Run the loop until cond holds or ms elapsed (checked every <= 5 ms). */
#define RUN_UNTIL(cond, ms) do {                                          \
    uint64_t end_ = now_ms() + (ms);                                      \
    uv_timer_start(&tick, on_tick, 5, 5);                                 \
    while (!(cond) && now_ms() < end_)                                    \
        uv_run(&loop, UV_RUN_ONCE);                                       \
    uv_timer_stop(&tick);                                                 \
} while (0)
#define RUN_FOR(ms) RUN_UNTIL(0, ms)

typedef struct rec {
    int calls;
    int nulls;
    int type;
    long long integer;
    char *str;
    size_t len;
    uint64_t at_ms;
} rec;

static inline void rec_cb(redisReply *r, void *privdata)
{
    rec *x = privdata;

    x->calls++;
    x->at_ms = now_ms();
    if (r == NULL) {
        x->nulls++;
        return;
    }
    x->type = r->type;
    x->integer = r->integer;
    free(x->str);
    x->str = r->str ? xstrndup(r->str, r->len) : NULL;
    x->len = r->len;
}

static inline void rec_clear(rec *x, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        free(x[i].str);
        memset(&x[i], 0, sizeof(x[i]));
    }
}

/* A blocking connection to our redis-server, on db (for raw checks). */
static inline redisContext *sync_open(int db)
{
    struct timeval tv = { 2, 0 };
    redisContext *c = redisConnectWithTimeout("127.0.0.1", redis_port, tv);
    redisReply *r = c != NULL && !c->err ? redisCommand(c, "SELECT %d", db) : NULL;

    if (r != NULL)
        freeReplyObject(r);
    return c;
}

static inline void sync_do(redisContext *c, const char *cmd)
{
    redisReply *r = redisCommand(c, cmd);

    if (r != NULL)
        freeReplyObject(r);
}

/* The reply of a blocking command as a malloc'd string with its length (an
 * integer reply in decimal); NULL for nil or an error. */
static inline char *sync_str(redisContext *c, size_t *len, const char *fmt, ...)
{
    va_list ap;
    redisReply *r;
    char *out = NULL;

    va_start(ap, fmt);
    r = redisvCommand(c, fmt, ap);
    va_end(ap);
    if (r != NULL && (r->type == REDIS_REPLY_STRING || r->type == REDIS_REPLY_STATUS)) {
        out = xmalloc(r->len + 1);
        memcpy(out, r->str, r->len + 1);
        *len = r->len;
    } else if (r != NULL && r->type == REDIS_REPLY_INTEGER) {
        out = xmalloc(24);
        *len = (size_t)snprintf(out, 24, "%lld", r->integer);
    }
    if (r != NULL)
        freeReplyObject(r);
    return out;
}

static inline void install_guards(unsigned seconds)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = redis_on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGALRM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    atexit(redis_kill);
    alarm(seconds);
}

/* ------------------------------------------------------------------------
 * A suite's first and last steps
 * ---------------------------------------------------------------------- */

/* Line-buffered stdout, the guards (killed after seconds), the loop, and
 * the private redis-server, with redis_url naming its database db. -1 when
 * redis-server did not start (a failed check says so). */
static inline int redis_suite_start(unsigned seconds, int db)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    install_guards(seconds);
    uv_loop_init(&loop);
    uv_timer_init(&loop, &tick);
    redis_port = free_port();
    if (mkdtemp(redis_dir) == NULL || redis_port < 0 || redis_start() != 0) {
        T_OK(0, "start redis-server on port %d", redis_port);
        return -1;
    }
    snprintf(redis_url, sizeof(redis_url), "redis://127.0.0.1:%d/%d", redis_port, db);
    return 0;
}

/* After every store was closed: drain the loop and check that it closes
 * empty, then stop redis-server and remove its directory. */
static inline void redis_suite_end(void)
{
    uv_close((uv_handle_t *)&tick, NULL);
    uv_run(&loop, UV_RUN_DEFAULT);
    T_OK(uv_loop_close(&loop) == 0, "the loop closes: every handle was closed");
    redis_kill();
    rmdir(redis_dir);
}

/* A store on url, on the loop (store_new's value: NULL for a bad url). */
static inline store *redis_store_open(const char *url, int timeout_ms, int reconnect_max_ms)
{
    store_options o = {.url = url, .timeout_ms = timeout_ms, .reconnect_max_ms = reconnect_max_ms};
    char err[256];

    return store_new(&loop, &o, err, sizeof(err));
}

#endif
