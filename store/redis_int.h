/* redis_int.h -- private to store/redis*.c: the store's state, shared by the
 * connection logic (redis.c), the libuv event glue (redis_ev.c) and the
 * scripts (redis_script.c). */
#ifndef DVC_STORE_REDIS_INT_H
#define DVC_STORE_REDIS_INT_H

#include <hiredis/async.h>
#include <stdint.h>

#include "store/redis.h"

typedef struct store_pending {
    struct store_pending *prev, *next;
    store *s;
    store_reply_fn *fn;
    void *privdata;
    uint64_t sent_ms;           /* uv_now() when queued */
    int embedded;               /* in its caller's memory (store_commandargv_in) */
} store_pending;

/* store_commandargv with the pending record in the caller's memory p (a
 * script call's, redis_script.c: one allocation fewer a command); p must
 * stay valid until fn has run, and may be reused from inside fn. */
int store_commandargv_in(store *s, store_pending *p, store_reply_fn *fn, void *privdata, int argc,
                         const char **argv, const size_t *argvlen);

typedef struct store_delay {
    struct store_delay *next;
    uint64_t due_ms;            /* uv_now() */
    store_delay_fn *fn;
    void *privdata;
} store_delay;

struct store {
    uv_loop_t *loop;
    char *host;
    int port;
    int db;
    int timeout_ms;
    int reconnect_max_ms;

    redisAsyncContext *ac;      /* current connection, NULL while down */
    int connected;              /* TCP connect completed on s->ac */
    int up;                     /* connected and SELECT done */
    int closing;                /* store_close() called */
    int open_handles;           /* libuv handles not closed yet */
    uint64_t connect_ms;        /* when the current attempt started */
    unsigned backoff_ms;        /* delay of the next retry */

    unsigned long errors;
    unsigned long reconnects;
    unsigned long connects;     /* successful connections, first included */

    store_pending *head, *tail; /* oldest first */
    size_t npending;

    uv_timer_t retry;
    uv_timer_t watchdog;
    uv_check_t flush;           /* sends the commands of one loop iteration */
    redisAsyncContext *flush_ac; /* connection with output waiting, or NULL */
    int in_flush;
    char errstr[160];

    store_delay *delays;        /* store_after(), unordered */
    store_url sentinels[STORE_SENTINELS_MAX];
    int nsentinels;
    char *master_name;
    char *password;             /* NULL: no AUTH */
    char role[16];
    uint64_t next_role_ms;      /* next ROLE check (with sentinels) */
    store_durable *durable;     /* store_set_durable(), NULL: answers are not held */
    int subscriber;             /* a store_sub's connection: no ROLE checks */
    void (*on_up)(store *s, void *privdata);   /* after each (re)connect */
    void *on_up_privdata;
    char instance[96];          /* store_instance(): "" until asked */
    uint64_t next_beat_ms;      /* next heartbeat of the instance */
    redisAsyncContext *watch[STORE_SENTINELS_MAX]; /* SUBSCRIBE +switch-master, or NULL */
    uint64_t watch_next_ms[STORE_SENTINELS_MAX];   /* when to dial watch[i] again */
    int follow;                 /* next connect: s->host/port as +switch-master named */
};

/* Attach ac to s->loop with our event hooks (redis_ev.c); 0 or -1. */
int store_attach(store *s, redisAsyncContext *ac);

/* redis_life.c: delayed callbacks due and the instance heartbeat, from the
 * watchdog tick; every delay called with ok 0 by store_close. */
void store_life_tick(store *s, uint64_t now);
void store_life_close(store *s);

/* redis_sentinel.c: ask the Sentinels (blocking, a short timeout each) for
 * the address of the master; 0 with host/port set, or -1 with the error
 * kept (store_errstr). */
int store_sentinel_resolve(store *s, char *host, size_t hostlen, int *port);

/* redis_sentinel.c: one SUBSCRIBE +switch-master connection per Sentinel on
 * s->loop, (re)dialled from the watchdog tick (a dead Sentinel again after
 * STORE_WATCH_RETRY_MS); an event naming s->master_name calls store_follow.
 * store_watch_close frees them all (store_close). */
void store_watch_tick(store *s, uint64_t now);
void store_watch_close(store *s);

/* redis.c: the Sentinels switched our master to host:port. Unless the
 * current connection is to it already, drop it (pending callbacks get NULL)
 * and connect there at once, without asking the Sentinels (a majority may
 * not have switched yet); ROLE must still say master before use. */
void store_follow(store *s, const char *host, int port);

/* redis_durable.c: if s has a store_durable and script acknowledges a
 * citizen's write, keep a copy of r and call fn with it once a replica has
 * the write (with NULL if not): 1. Otherwise 0 (the caller answers now). */
int store_hold_reply(store *s, const store_script *script, const redisReply *r,
                     store_reply_fn *fn, void *privdata);

/* SCRIPT LOAD every embedded script, fire and forget (redis_script.c);
 * called by redis.c each time the store comes up. */
void store_scripts_preload(store *s);

#endif
