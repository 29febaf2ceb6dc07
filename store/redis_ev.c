/* redis_ev.c -- the libuv event glue of the store's hiredis connection.
 *
 * hiredis 0.14's libuv adapter (redisLibuvAttach) with three of its hooks
 * replaced: socket errors reach hiredis (the adapter drops them), the poll
 * handle is restarted only when its events change, and the commands of one
 * loop iteration are written together from a uv_check instead of each asking
 * for a writable event. */
#include <hiredis/adapters/libuv.h>
#include <string.h>

#include "store/redis_int.h"

/* The 0.14 libuv adapter ignores a poll callback with status < 0, which is
 * how libuv reports a socket error (POLLERR: a refused connect, a reset): it
 * stops the handle and hiredis would never hear of it (hiredis issue #508;
 * later hiredis releases handle it). Our poll callback lets hiredis find the error
 * itself: a write event while connecting (the connect check reads SO_ERROR),
 * a read event once connected (read() returns the error). */
static void store_ev_poll(uv_poll_t *h, int status, int events)
{
    redisLibuvEvents *p = h->data;

    if (p->context == NULL)
        return;
    if (status < 0)
        events = (p->context->c.flags & REDIS_CONNECTED) ? UV_READABLE : UV_WRITABLE;
    if (p->context != NULL && (events & UV_READABLE))
        redisAsyncHandleRead(p->context);
    if (p->context != NULL && (events & UV_WRITABLE))
        redisAsyncHandleWrite(p->context);
}

/* Only touch the poll handle when the events really change: every
 * uv_poll_start costs an epoll_ctl on the next loop iteration. */
static void store_ev_update(redisLibuvEvents *p, int add, int del)
{
    int events = (p->events | add) & ~del;
    if (events == p->events)
        return;
    p->events = events;
    if (p->events)
        uv_poll_start(&p->handle, p->events, store_ev_poll);
    else
        uv_poll_stop(&p->handle);
}

/* Write coalescing: on a connected context, a command does not ask for a
 * writable event; the check handle (run once per loop iteration, after the
 * I/O callbacks) writes everything queued in that iteration with one write.
 * Only a partial write falls back to polling for writability. */
static void store_on_flush(uv_check_t *h)
{
    store *s = h->data;
    redisAsyncContext *ac = s->flush_ac;
    uv_check_stop(h);
    s->flush_ac = NULL;
    if (ac == NULL || ac != s->ac)
        return; /* the connection went away meanwhile */
    s->in_flush = 1;
    redisAsyncHandleWrite(ac);
    s->in_flush = 0;
}

static void store_ev_add_write(void *privdata)
{
    redisLibuvEvents *p = privdata;
    store *s = p->context ? p->context->data : NULL;
    if (s && s->ac == p->context && (p->context->c.flags & REDIS_CONNECTED) && !s->in_flush &&
        !s->closing) {
        s->flush_ac = p->context;
        uv_check_start(&s->flush, store_on_flush);
        return;
    }
    store_ev_update(p, UV_WRITABLE, 0);
}

static void store_ev_add_read(void *privdata)  { store_ev_update(privdata, UV_READABLE, 0); }
static void store_ev_del_read(void *privdata)  { store_ev_update(privdata, 0, UV_READABLE); }
static void store_ev_del_write(void *privdata) { store_ev_update(privdata, 0, UV_WRITABLE); }

/* redisLibuvAttach, with our event hooks (its cleanup, which closes and
 * frees the poll handle, is kept). The adapter sets its hooks before it can
 * fail: on failure unset them so redisAsyncFree does not clean up NULL. */
int store_attach(store *s, redisAsyncContext *ac)
{
    if (redisLibuvAttach(ac, s->loop) != REDIS_OK) {
        memset(&ac->ev, 0, sizeof(ac->ev));
        return -1;
    }
    ac->ev.addRead = store_ev_add_read;
    ac->ev.delRead = store_ev_del_read;
    ac->ev.addWrite = store_ev_add_write;
    ac->ev.delWrite = store_ev_del_write;
    return 0;
}
