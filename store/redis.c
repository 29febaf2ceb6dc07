/* redis.c -- one asynchronous Redis connection on the caller's libuv loop.
 *
 * A hiredis 0.14 async context attached with redisLibuvAttach. The store keeps
 * its own FIFO of pending commands (each hiredis callback gets a heap
 * store_pending as privdata) so that a single watchdog timer can see the age
 * of the oldest unanswered command: hiredis 0.14 has no command timeout.
 *
 * Life cycle of a connection (s->ac):
 *   store_connect   redisAsyncConnect + attach; s->ac set, connected = 0
 *   on_connect OK   connected = 1; SELECT db (if db != 0), then up = 1
 *   on_connect ERR  hiredis frees the context after the callback: forget it,
 *                   count an error, arm the retry timer
 *   on_disconnect   only for a loss we did not ask for (s->ac == ac): same
 *   store_drop      our own decision (timeout, SELECT refused): forget the
 *                   context first, then redisAsyncFree it; every pending
 *                   callback gets NULL from inside hiredis, exactly once
 *
 * The rule that keeps this safe: s->ac is set to NULL *before* we free a
 * context, so our disconnect callback can tell our drops from real losses,
 * and nothing re-entered from a NULL callback can reach the dying context. We
 * never free a context from inside on_connect (hiredis uses it afterwards);
 * from inside a reply callback redisAsyncFree is deferred by hiredis itself
 * until the callback returns. */
#include "store/redis.h"

#include <hiredis/async.h>

#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/redis_int.h"
#include "common/xmalloc.h"

#define STORE_BACKOFF_MIN_MS    100
#define STORE_DEFAULT_TIMEOUT   1000
#define STORE_DEFAULT_RECONNECT 5000
#define STORE_ROLE_CHECK_MS     1000    /* with sentinels: ROLE again this often */


static void store_connect(store *s);
static int store_argv_send(store *s, store_pending *in, store_reply_fn *fn, void *privdata,
                           int argc, const char **argv, const size_t *argvlen);

/* ------------------------------------------------------------------------
 * Errors, backoff, state changes
 * ---------------------------------------------------------------------- */

static void store_error(store *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Count one error and remember its text (sticky). */
static void store_error(store *s, const char *fmt, ...)
{
    va_list ap;

    s->errors++;
    va_start(ap, fmt);
    vsnprintf(s->errstr, sizeof(s->errstr), fmt, ap);
    va_end(ap);
}

static void store_on_retry(uv_timer_t *t)
{
    store *s = t->data;

    if (!s->closing && s->ac == NULL)
        store_connect(s);
}

/* Arm the retry timer with the current backoff, then double it. */
static void store_schedule_retry(store *s)
{
    unsigned delay = s->backoff_ms;

    if (s->closing)
        return;
    s->backoff_ms = delay * 2 > (unsigned)s->reconnect_max_ms ?
                    (unsigned)s->reconnect_max_ms : delay * 2;
    uv_timer_start(&s->retry, store_on_retry, delay, 0);
}

static void store_mark_up(store *s)
{
    s->up = 1;
    s->backoff_ms = STORE_BACKOFF_MIN_MS;
    if (s->connects++ > 0)
        s->reconnects++;
    s->next_beat_ms = 0;        /* the heartbeat goes out at once */
    if (s->subscriber) {
        if (s->on_up)
            s->on_up(s, s->on_up_privdata);
        return;
    }
    store_scripts_preload(s);
}

/* Abandon the current connection on our own initiative. Must not be called
 * from on_connect; may be called from a reply callback (hiredis defers the
 * free) or from a timer. Pending callbacks get NULL. */
static void store_drop(store *s)
{
    redisAsyncContext *ac = s->ac;

    s->ac = NULL;
    s->up = 0;
    s->connected = 0;
    if (ac != NULL)
        redisAsyncFree(ac);
    store_schedule_retry(s);    /* no-op if a callback closed the store */
}

/* ------------------------------------------------------------------------
 * Pending commands
 * ---------------------------------------------------------------------- */

/* Queue p (NULL: a new one) as the newest pending command. */
static store_pending *store_pending_new(store *s, store_pending *p, store_reply_fn *fn,
                                        void *privdata)
{
    if (p) {
        memset(p, 0, sizeof(*p));
        p->embedded = 1;
    } else {
        p = xcalloc(1, sizeof(*p));
    }
    p->s = s;
    p->fn = fn;
    p->privdata = privdata;
    p->sent_ms = uv_now(s->loop);
    p->prev = s->tail;
    if (s->tail)
        s->tail->next = p;
    else
        s->head = p;
    s->tail = p;
    s->npending++;
    return p;
}

static void store_pending_unlink(store *s, store_pending *p)
{
    if (p->prev)
        p->prev->next = p->next;
    else
        s->head = p->next;
    if (p->next)
        p->next->prev = p->prev;
    else
        s->tail = p->prev;
    s->npending--;
}

/* The one hiredis callback for every command: called exactly once per
 * command, with NULL when the context is being freed. */
static void store_on_reply(redisAsyncContext *ac, void *r, void *privdata)
{
    store_pending *p = privdata;
    store *s = p->s;
    store_reply_fn *fn = p->fn;
    void *fn_privdata = p->privdata;

    store_pending_unlink(s, p);
    if (!p->embedded)
        free(p);
    if (r == NULL && ac == s->ac)
        s->up = 0;              /* connection lost: hiredis is failing all */
    const redisReply *rr = r;
    int demoted = rr && rr->type == REDIS_REPLY_ERROR && rr->str &&
                  (!strncmp(rr->str, "READONLY", 8) || !strncmp(rr->str, "MASTERDOWN", 10));
    if (fn != NULL)
        fn(r, fn_privdata);
    if (demoted && ac == s->ac && !s->closing) {
        store_error(s, "%s:%d is no longer master: %.60s", s->host, s->port, rr->str);
        store_drop(s);          /* deferred by hiredis: we are in a callback */
    }
}

static int store_vsend(store *s, store_reply_fn *fn, void *privdata,
                       const char *fmt, va_list ap)
{
    store_pending *p = store_pending_new(s, NULL, fn, privdata);

    if (redisvAsyncCommand(s->ac, store_on_reply, p, fmt, ap) != REDIS_OK) {
        store_pending_unlink(s, p);
        free(p);
        return -1;
    }
    return 0;
}

static int store_send(store *s, store_reply_fn *fn, void *privdata, const char *fmt, ...)
{
    va_list ap;
    int rc;

    va_start(ap, fmt);
    rc = store_vsend(s, fn, privdata, fmt, ap);
    va_end(ap);
    return rc;
}

/* ------------------------------------------------------------------------
 * Connection
 * ---------------------------------------------------------------------- */

/* AUTH / SELECT answered: an error drops the connection. */
static void store_on_setup(store *s, const redisReply *r, const char *what)
{
    if (r == NULL || r->type != REDIS_REPLY_ERROR)
        return;                 /* NULL: connection already going down */
    store_error(s, "%s: %.100s", what, r->str);
    store_drop(s);              /* deferred by hiredis: we are in a callback */
}

static void store_on_auth(redisReply *r, void *privdata)
{
    store_on_setup(privdata, r, "AUTH");
}

static void store_on_select(redisReply *r, void *privdata)
{
    store *s = privdata;
    char what[32];
    snprintf(what, sizeof(what), "SELECT %d", s->db);
    store_on_setup(s, r, what);
}

/* ROLE's first element, "" when the reply has another shape. */
static const char *store_role_of(const redisReply *r)
{
    return r && r->type == REDIS_REPLY_ARRAY && r->elements >= 1 &&
           r->element[0]->type == REDIS_REPLY_STRING ? r->element[0]->str : "";
}

/* ROLE answered, at connect or by the periodic check: only a master is used. */
static void store_on_role(redisReply *r, void *privdata)
{
    store *s = privdata;

    if (r == NULL || s->ac == NULL)
        return;
    const char *role = store_role_of(r);
    snprintf(s->role, sizeof(s->role), "%s", *role ? role : "unknown");
    if (!strcmp(role, "master")) {
        if (!s->up)
            store_mark_up(s);
        return;
    }
    store_error(s, "%s:%d is not master (role %s)", s->host, s->port, s->role);
    store_drop(s);
}

static void store_on_connect(const redisAsyncContext *ac, int status)
{
    store *s = ac->data;

    if (s->ac != ac)
        return;
    if (status != REDIS_OK) {
        /* hiredis frees the context when we return */
        store_error(s, "connect %s:%d: %.100s", s->host, s->port,
                    ac->errstr ? ac->errstr : "failed");
        snprintf(s->role, sizeof(s->role), "unknown");
        s->ac = NULL;
        store_schedule_retry(s);
        return;
    }
    s->connected = 1;
    /* Cannot fail: the context is connected and not disconnecting. It must
     * not be freed here anyway (hiredis still uses it after this call); an
     * answer that never comes back is caught by the watchdog. AUTH, SELECT
     * and ROLE are pipelined; ROLE "master" marks the store up. */
    if (s->password) {
        const char *argv[2] = {"AUTH", s->password};
        (void)store_argv_send(s, NULL, store_on_auth, s, 2, argv, NULL);
    }
    if (s->db != 0)
        (void)store_send(s, store_on_select, s, "SELECT %d", s->db);
    (void)store_send(s, store_on_role, s, "ROLE");
}

static void store_on_disconnect(const redisAsyncContext *ac, int status)
{
    store *s = ac->data;

    (void)status;
    if (s->ac != ac)
        return;                 /* we dropped it ourselves */
    store_error(s, "connection to %s:%d lost: %.100s", s->host, s->port,
                ac->err && ac->errstr ? ac->errstr : "closed");
    snprintf(s->role, sizeof(s->role), "unknown");
    s->ac = NULL;
    s->up = 0;
    s->connected = 0;
    store_schedule_retry(s);
}

static void store_connect(store *s)
{
    if (s->nsentinels && !s->follow) {
        char host[STORE_URL_HOST_MAX];
        int port;
        if (store_sentinel_resolve(s, host, sizeof(host), &port) < 0) {
            store_schedule_retry(s);
            return;
        }
        free(s->host);
        s->host = xstrdup(host);
        s->port = port;
    }
    s->follow = 0;
    redisAsyncContext *ac = redisAsyncConnect(s->host, s->port);

    s->connected = 0;
    s->up = 0;
    if (ac == NULL || ac->err || store_attach(s, ac) < 0) {
        store_error(s, "connect %s:%d: %.100s", s->host, s->port,
                    ac && ac->err ? ac->errstr : "cannot create context");
        if (ac != NULL)
            redisAsyncFree(ac);
        store_schedule_retry(s);
        return;
    }
    ac->data = s;
    s->ac = ac;
    s->connect_ms = uv_now(s->loop);
    redisAsyncSetConnectCallback(ac, store_on_connect);   /* after attach */
    redisAsyncSetDisconnectCallback(ac, store_on_disconnect);
}

void store_follow(store *s, const char *host, int port)
{
    if (s->closing || (s->ac && s->port == port && !strcmp(s->host, host)))
        return;                 /* on it, or dialling it, already */
    free(s->host);
    s->host = xstrdup(host);
    s->port = port;
    s->follow = 1;
    redisAsyncContext *ac = s->ac;
    s->ac = NULL;               /* before the free: see the rule above */
    s->up = 0;
    s->connected = 0;
    snprintf(s->role, sizeof(s->role), "unknown");
    if (ac != NULL)
        redisAsyncFree(ac);     /* not ours to be inside: a Sentinel's callback */
    uv_timer_stop(&s->retry);
    s->backoff_ms = STORE_BACKOFF_MIN_MS;
    if (!s->closing)
        store_connect(s);
}

/* Periodic: drop a connection whose oldest command, or whose connect,
 * is older than timeout_ms. */
static void store_on_watchdog(uv_timer_t *t)
{
    store *s = t->data;
    uint64_t now = uv_now(s->loop);
    uint64_t limit = (uint64_t)s->timeout_ms;

    store_life_tick(s, now);
    if (s->nsentinels)
        store_watch_tick(s, now);
    if (s->ac == NULL)
        return;
    if (s->nsentinels && s->up && !s->subscriber && now >= s->next_role_ms) {
        s->next_role_ms = now + STORE_ROLE_CHECK_MS;
        (void)store_send(s, store_on_role, s, "ROLE");
    }
    if (s->connected && s->head != NULL && now - s->head->sent_ms >= limit) {
        /* Timers run before I/O in a loop pass: after a stall of the loop the
         * answer may be in the socket already. Read it before calling the
         * connection dead. */
        redisAsyncHandleRead(s->ac);
        if (s->ac == NULL)
            return;
    }
    if (s->head != NULL && now - s->head->sent_ms >= limit) {
        store_error(s, "command timed out after %d ms", s->timeout_ms);
        store_drop(s);
    } else if (!s->connected && now - s->connect_ms >= limit) {
        store_error(s, "connect %s:%d timed out after %d ms", s->host, s->port,
                    s->timeout_ms);
        store_drop(s);
    }
}

/* ------------------------------------------------------------------------
 * Public API
 * ---------------------------------------------------------------------- */

static void store_options_apply(store *s, const store_options *opt)
{
    s->timeout_ms = opt->timeout_ms > 0 ? opt->timeout_ms : STORE_DEFAULT_TIMEOUT;
    s->reconnect_max_ms = opt->reconnect_max_ms > 0 ?
                          opt->reconnect_max_ms : STORE_DEFAULT_RECONNECT;
    if (s->reconnect_max_ms < STORE_BACKOFF_MIN_MS)
        s->reconnect_max_ms = STORE_BACKOFF_MIN_MS;
    s->backoff_ms = STORE_BACKOFF_MIN_MS;
}

store *store_new(uv_loop_t *loop, const store_options *opt, char *err, size_t errlen)
{
    store *s;
    store_url u;
    uint64_t tick;

    if (err != NULL && errlen > 0)
        err[0] = '\0';
    if (loop == NULL || opt == NULL) {
        if (err != NULL && errlen > 0)
            snprintf(err, errlen, "store_new: no loop or no options");
        return NULL;
    }
    if (store_url_parse(opt->url, &u, err, errlen) < 0)
        return NULL;
    s = xcalloc(1, sizeof(*s));
    if (opt->sentinels && *opt->sentinels) {
        int n = store_sentinels_parse(opt->sentinels, s->sentinels, STORE_SENTINELS_MAX, err,
                                      errlen);
        if (n < 0 || !opt->master_name || !*opt->master_name) {
            if (n >= 0 && err && errlen)
                snprintf(err, errlen, "redis.master_name is empty");
            free(s);
            return NULL;
        }
        s->nsentinels = n;
        s->master_name = xstrdup(opt->master_name);
    }
    if (opt->password && *opt->password)
        s->password = xstrdup(opt->password);
    snprintf(s->role, sizeof(s->role), "unknown");
    s->host = xstrdup(u.host);
    s->port = u.port;
    s->db = u.db;
    s->loop = loop;
    store_options_apply(s, opt);
    uv_timer_init(loop, &s->retry);
    uv_timer_init(loop, &s->watchdog);
    uv_check_init(loop, &s->flush);
    s->retry.data = s;
    s->watchdog.data = s;
    s->flush.data = s;
    s->open_handles = 3;
    tick = (uint64_t)s->timeout_ms / 4;
    tick = tick < 10 ? 10 : tick > 100 ? 100 : tick;
    uv_timer_start(&s->watchdog, store_on_watchdog, tick, tick);
    store_connect(s);
    if (s->nsentinels)
        store_watch_tick(s, uv_now(loop));
    return s;
}

int store_is_up(const store *s)
{
    return s != NULL && s->up && s->ac != NULL;
}

const char *store_role(const store *s)
{
    return s ? s->role : "unknown";
}

unsigned long store_errors(const store *s)
{
    return s ? s->errors : 0;
}

unsigned long store_reconnects(const store *s)
{
    return s ? s->reconnects : 0;
}

const char *store_errstr(const store *s)
{
    return s ? s->errstr : "";
}

size_t store_pending_count(const store *s)
{
    return s ? s->npending : 0;
}

int store_command(store *s, store_reply_fn *fn, void *privdata, const char *fmt, ...)
{
    va_list ap;
    int rc;

    if (!store_is_up(s))
        return -1;
    va_start(ap, fmt);
    rc = store_vsend(s, fn, privdata, fmt, ap);
    va_end(ap);
    return rc;
}

int store_commandargv(store *s, store_reply_fn *fn, void *privdata, int argc,
                      const char **argv, const size_t *argvlen)
{
    if (!store_is_up(s) || argc <= 0 || argv == NULL)
        return -1;
    return store_argv_send(s, NULL, fn, privdata, argc, argv, argvlen);
}

int store_commandargv_in(store *s, store_pending *p, store_reply_fn *fn, void *privdata, int argc,
                         const char **argv, const size_t *argvlen)
{
    if (!store_is_up(s) || !p || argc <= 0 || argv == NULL)
        return -1;
    return store_argv_send(s, p, fn, privdata, argc, argv, argvlen);
}

/* The request is framed by hiredis's sds formatter (redisFormatSdsCommandArgv:
 * the length counted first, one buffer, the argument lengths written by
 * sdscatfmt) and handed over as formatted. Its plain formatter
 * (redisFormatCommandArgv) calls sprintf for every argument: ~890
 * instructions an argument against ~660 (callgrind, a 10-argument EVALSHA;
 * ~50 arguments an SMS MO, docs/performance.md). hiredis still sends it,
 * parses the reply and runs the callback. */
static int store_argv_send(store *s, store_pending *in, store_reply_fn *fn, void *privdata,
                           int argc, const char **argv, const size_t *argvlen)
{
    sds cmd = NULL;
    int len = redisFormatSdsCommandArgv(&cmd, argc, argv, argvlen);
    if (len < 0)
        abort(); /* only an allocation failure: xmalloc's rule */
    store_pending *p = store_pending_new(s, in, fn, privdata);
    int rc = redisAsyncFormattedCommand(s->ac, store_on_reply, p, cmd, (size_t)len);
    redisFreeSdsCommand(cmd);
    if (rc != REDIS_OK) {
        store_pending_unlink(s, p);
        if (!p->embedded)
            free(p);
        return -1;
    }
    return 0;
}

static void store_on_handle_closed(uv_handle_t *h)
{
    store *s = h->data;

    if (--s->open_handles > 0)
        return;
    free(s->master_name);
    free(s->password);
    free(s->host);
    free(s);
}

void store_close(store *s)
{
    redisAsyncContext *ac;

    if (s == NULL || s->closing)
        return;
    s->closing = 1;
    ac = s->ac;
    s->ac = NULL;
    s->up = 0;
    s->connected = 0;
    uv_timer_stop(&s->retry);
    uv_timer_stop(&s->watchdog);
    uv_close((uv_handle_t *)&s->retry, store_on_handle_closed);
    uv_close((uv_handle_t *)&s->watchdog, store_on_handle_closed);
    uv_check_stop(&s->flush);
    s->flush_ac = NULL;
    uv_close((uv_handle_t *)&s->flush, store_on_handle_closed);
    /* Pending callbacks get NULL now, or, when we are inside a reply
     * callback, as soon as it returns (hiredis defers the free). Either way
     * before the loop runs the close callbacks above. */
    if (ac != NULL)
        redisAsyncFree(ac);
    store_watch_close(s);
    store_life_close(s);
}

int store_reply_shape(const redisReply *reply, size_t n, const int *types)
{
    if (reply == NULL || reply->type != REDIS_REPLY_ARRAY || reply->elements != n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (reply->element[i] == NULL || reply->element[i]->type != types[i])
            return 0;
    return 1;
}
