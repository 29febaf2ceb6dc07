/* redis.h -- one asynchronous Redis connection on the caller's libuv loop.
 *
 * Wraps hiredis 0.14 async + its libuv adapter. The connection reconnects by
 * itself with exponential backoff (100 ms doubling to reconnect_max_ms) after
 * it fails or Redis goes away. Commands are answered in order; a command that
 * gets no answer within timeout_ms makes the connection count as dead: it is
 * dropped (every pending callback gets NULL) and re-established.
 *
 * Ownership: the store owns the hiredis context. A reply passed to a callback
 * is valid only during that callback. Callbacks are always called exactly once
 * per accepted command, also on failure and on store_close(). Never pass a
 * struct lws * as privdata: pass a heap object that outlives the connection
 * (see docs/architecture.md, "pending requests").
 *
 * Errors: store_command* return -1 without calling back when the store is not
 * connected; the caller answers 503. The sticky errstr holds the last
 * connection error ("" when none). */
#ifndef DVC_STORE_REDIS_H
#define DVC_STORE_REDIS_H

#include <stddef.h>
#include <hiredis/hiredis.h>
#include <uv.h>

typedef struct store store;

/* reply is NULL on timeout, disconnection or close; a REDIS_REPLY_ERROR
 * reply is passed through (check reply->type). */
typedef void store_reply_fn(redisReply *reply, void *privdata);

typedef struct store_options {
    const char *url;        /* redis://host[:port][/db]; port 6379, db 0 */
    int timeout_ms;         /* per command and per connect; default 1000 */
    int reconnect_max_ms;   /* backoff ceiling; default 5000 */
} store_options;

/* Start connecting (asynchronously). Returns NULL with a message in err if
 * the url cannot be parsed. hiredis resolves a host name synchronously on
 * every attempt: prefer an IP address. */
store *store_new(uv_loop_t *loop, const store_options *opt, char *err, size_t errlen);

/* 1 when connected (and SELECT done), 0 otherwise. */
int store_is_up(const store *s);

/* Counters for /metrics. */
unsigned long store_errors(const store *s);      /* timeouts + failed connects + lost connections */
/* Connections re-established after the first one came up. */
unsigned long store_reconnects(const store *s);
const char *store_errstr(const store *s);
/* Commands sent and not answered yet (internal SELECT included). */
size_t store_pending_count(const store *s);

/* Send one command, formatted as redisAsyncCommand does: use %b for every
 * user-supplied value, never %s on untrusted text. Returns 0 if queued (fn is
 * then called exactly once), -1 if the store is down (fn is not called).
 * fn may be NULL (fire and forget). fn may call store_command and
 * store_close. Never send blocking or connection-state commands (BLPOP,
 * SUBSCRIBE, MONITOR, SELECT, QUIT, CLIENT PAUSE) on this connection. */
int store_command(store *s, store_reply_fn *fn, void *privdata, const char *fmt, ...);
int store_commandargv(store *s, store_reply_fn *fn, void *privdata, int argc,
                      const char **argv, const size_t *argvlen);

/* EVAL script with nkeys of the nargs arguments as KEYS and the rest as
 * ARGV, every one binary safe: lens[i] is the length of args[i] (lens may be
 * NULL for NUL-terminated strings; a NULL arg is sent as ""). Same return
 * and callback rules as store_command. */
int store_eval(store *s, store_reply_fn *fn, void *privdata, const char *script, int nkeys,
               int nargs, const char *const *args, const size_t *lens);

/* 1 if reply is an array of exactly n elements whose types are types[0..n-1]
 * (REDIS_REPLY_STRING, REDIS_REPLY_INTEGER, ...), 0 otherwise (also for NULL):
 * the check every script reply needs before its elements are read. */
int store_reply_shape(const redisReply *reply, size_t n, const int *types);

/* Stop reconnecting, fail pending commands (callbacks get NULL), close the
 * connection and the store's libuv handles. The memory is released once the
 * loop has run the close callbacks; the pointer must not be used after this
 * call. Accepts NULL. Pending callbacks run inside this call, or, when it is
 * called from a reply callback, right after that callback returns. The
 * caller must then run the loop (uv_run) until it drains, before
 * uv_loop_close(). */
void store_close(store *s);

#endif
