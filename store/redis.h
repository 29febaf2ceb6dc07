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

/* redis://host[:port][/db]: port 6379 and db 0 when absent; host a name,
 * an IPv4 address or an IPv6 address in brackets. Nothing else is accepted
 * (other schemes, credentials, queries, junk). */
#define STORE_URL_HOST_MAX 256
typedef struct store_url {
    char host[STORE_URL_HOST_MAX];  /* without the brackets of an IPv6 address */
    int port;                       /* 1-65535 */
    int db;                         /* 0-999999999 */
} store_url;

/* Parse url into *out (out may be NULL: only check). 0, or -1 with a
 * message in err. Pure: the one parser of the server and the CLI. */
int store_url_parse(const char *url, store_url *out, char *err, size_t errlen);

/* "host[:port],host[:port],..." (port 26379 when absent; an IPv6 address in
 * brackets) into out[0..max): the count (>= 1), or -1 with a message. Pure. */
#define STORE_SENTINEL_DEFAULT_PORT 26379
#define STORE_SENTINELS_MAX 9
int store_sentinels_parse(const char *list, store_url *out, size_t max, char *err,
                          size_t errlen);

typedef struct store_options {
    const char *url;        /* redis://host[:port][/db] (store_url_parse); with
                               sentinels only its db is used */
    int timeout_ms;         /* per command and per connect; default 1000 */
    int reconnect_max_ms;   /* backoff ceiling; default 5000 */
    const char *sentinels;  /* NULL/"" or store_sentinels_parse's list: the master
                               is asked of them on every (re)connect */
    const char *master_name; /* the Sentinel name of the master ("mymaster") */
    const char *password;   /* NULL/"": no AUTH; else AUTH before anything */
} store_options;

/* Start connecting (asynchronously). Returns NULL with a message in err if
 * the url cannot be parsed. hiredis resolves a host name synchronously on
 * every attempt: prefer an IP address. */
store *store_new(uv_loop_t *loop, const store_options *opt, char *err, size_t errlen);

/* A blocking connection for the command line with the server's options
 * (url, Sentinels, password): AUTH, SELECT and ROLE master checked, 2 s
 * timeouts. NULL with a message; redisFree() it. */
redisContext *store_connect_sync(const store_options *o, char *err, size_t errlen);

/* 1 when connected (AUTH, SELECT done) to a node whose ROLE is master, 0
 * otherwise. With sentinels the role is checked again every second and a
 * READONLY or MASTERDOWN answer drops the connection: it is re-established
 * to whatever master the Sentinels name then, so nothing is written to a
 * node that is not master. */
int store_is_up(const store *s);

/* The role the node last reported: "master", "slave" (a replica: the store
 * is then not up, and retries), or "unknown" (no answer yet, or the
 * connection failed). */
const char *store_role(const store *s);

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

/* A Lua script of store/lua/, embedded at build time by scripts/embed-lua.py
 * (build/gen/store/store_lua.h declares one store_lua_<name> per file):
 * its full text (preludes included) and the SHA1 of that text. */
typedef struct store_script {
    const char *name;       /* file name without .lua */
    const char *text;
    size_t len;
    char sha1[41];          /* lower-case hex: what EVALSHA names */
} store_script;

/* Run script with nkeys of the nargs arguments as KEYS and the rest as ARGV,
 * every one binary safe: lens[i] is the length of args[i] (lens may be NULL
 * for NUL-terminated strings; a NULL arg is sent as ""). Sent as EVALSHA;
 * when Redis answers NOSCRIPT (its script cache was flushed), it is sent
 * once more as EVAL with the full text, which also loads it, and fn sees only
 * that second answer. Every script is also loaded (SCRIPT LOAD) each time the
 * connection comes up, so NOSCRIPT follows only a SCRIPT FLUSH; a script
 * retried that way runs after the commands sent behind it. Same return and
 * callback rules as store_command (fn may be NULL). */
int store_eval(store *s, store_reply_fn *fn, void *privdata, const store_script *script,
               int nkeys, int nargs, const char *const *args, const size_t *lens);

/* 1 if reply is an array of exactly n elements whose types are types[0..n-1]
 * (REDIS_REPLY_STRING, REDIS_REPLY_INTEGER, ...), 0 otherwise (also for NULL):
 * the check every script reply needs before its elements are read. */
int store_reply_shape(const redisReply *reply, size_t n, const int *types);

/* Call fn(privdata, 1) after ms (within the store's watchdog tick, at most
 * 100 ms late), or fn(privdata, 0) from store_close if that comes first: the
 * bounded waits of the record modules (polling for another instance's
 * result) hang on the store's own life. fn may send commands. 0, or -1 when
 * the store is closing (fn is not called). */
typedef void store_delay_fn(void *privdata, int ok);
int store_after(store *s, unsigned ms, store_delay_fn *fn, void *privdata);

/* This process's instance id on the store, "{hostname}-{pid}-{random}",
 * made on the first call; from then on the store keeps the heartbeat key
 * dvcbot:inst:{id} alive (SET ... PX STORE_HEARTBEAT_TTL_MS, renewed every
 * STORE_HEARTBEAT_MS while up and at once on each (re)connect). Another
 * instance that finds the key missing knows the owner of a marker is dead
 * (store_instance_alive). */
#define STORE_HEARTBEAT_MS 3000
#define STORE_HEARTBEAT_TTL_MS 10000
const char *store_instance(store *s);

/* Acknowledged means durable: with a store_durable set (store_set_durable),
 * the answer of a script that acknowledges a citizen's write
 * (complaints_create, complaints_answer, subs_notify, outbox_enqueue) reaches
 * its caller only once `replicas` replicas have it (WAIT on a connection of
 * its own, group commit: redis_durable.c); if they do not within timeout_ms
 * (or that connection is down) the caller gets NULL (answers 503) although
 * the write was done: every such write is idempotent (token, Kannel id,
 * dedupe key), so the retry finds it. replicas 0: no store_durable at all. */
typedef struct store_durable store_durable;
typedef void store_durable_fn(int status, void *privdata);  /* 0 replicated, -1 not */
store_durable *store_durable_new(uv_loop_t *loop, const store_options *opt, int replicas,
                                 int timeout_ms, char *err, size_t errlen);
int store_durable_wait(store_durable *d, store_durable_fn *fn, void *privdata);
/* Held answers wait for d (NULL: none); d must outlive s's last command. */
void store_set_durable(store *s, store_durable *d);
unsigned long store_durable_rounds(const store_durable *d);
unsigned long store_durable_failed(const store_durable *d);
/* Close (waiters get -1 now); the loop must drain as for store_close.
 * Accepts NULL. */
void store_durable_close(store_durable *d);

/* Stop reconnecting, fail pending commands (callbacks get NULL), close the
 * connection and the store's libuv handles. The memory is released once the
 * loop has run the close callbacks; the pointer must not be used after this
 * call. Accepts NULL. Pending callbacks run inside this call, or, when it is
 * called from a reply callback, right after that callback returns. The
 * caller must then run the loop (uv_run) until it drains, before
 * uv_loop_close(). */
void store_close(store *s);

#endif
