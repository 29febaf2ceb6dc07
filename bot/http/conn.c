/* conn.c -- one HTTP/1.1 request at a time per connection (see conn.h). */
#include "bot/http/conn.h"

#include <stdint.h>
#include <stdlib.h>

#include "bot/app/log.h"

enum { CONN_PIPELINED = 1, CONN_FD_SHIFT = 1 };  /* the word: (fd + 1) << 1 | flags */

/* The finisher: deferred finishes in order, run from an idle handle. */
static struct {
    uv_idle_t idle;
    conn_fin *head, *tail;
    size_t count;
    int ready, closing;
} conn_q;

static void conn_unlink(conn_fin *f)
{
    if (f->prev)
        f->prev->next = f->next;
    else
        conn_q.head = f->next;
    if (f->next)
        f->next->prev = f->prev;
    else
        conn_q.tail = f->prev;
    f->prev = f->next = NULL;
    f->queued = 0;
    conn_q.count--;
}

static void conn_run(uv_idle_t *h)
{
    /* as many as were queued when this turn began: one queued meanwhile
     * waits for the next turn; each is unlinked before it runs, so a finish
     * may cancel any other (a connection closing) at any time */
    size_t n = conn_q.count;
    while (n-- && conn_q.head) {
        conn_fin *f = conn_q.head;
        conn_unlink(f);
        f->fn(f->wsi, f->ctx);
    }
    if (!conn_q.head)
        uv_idle_stop(h);
}

void conn_init(uv_loop_t *loop)
{
    uv_idle_init(loop, &conn_q.idle);
    conn_q.ready = 1;
    conn_q.closing = 0;
}

void conn_fini(void)
{
    if (!conn_q.ready || conn_q.closing)
        return;
    conn_q.closing = 1;
    while (conn_q.head) /* their requests are closed by lws_context_destroy */
        conn_unlink(conn_q.head);
    uv_close((uv_handle_t *)&conn_q.idle, NULL);
}

void conn_defer(conn_fin *f, struct lws *wsi, conn_fin_fn *fn, void *ctx)
{
    if (f->queued || !conn_q.ready || conn_q.closing)
        return;
    f->wsi = wsi;
    f->fn = fn;
    f->ctx = ctx;
    f->queued = 1;
    f->next = NULL;
    f->prev = conn_q.tail;
    if (conn_q.tail)
        conn_q.tail->next = f;
    else
        conn_q.head = f;
    conn_q.tail = f;
    conn_q.count++;
    uv_idle_start(&conn_q.idle, conn_run);
}

void conn_cancel(conn_fin *f)
{
    if (f->queued)
        conn_unlink(f);
}

static uintptr_t conn_flags(struct lws *wsi)
{
    return (uintptr_t)lws_get_opaque_user_data(wsi);
}

static void conn_set_flags(struct lws *wsi, uintptr_t f)
{
    lws_set_opaque_user_data(wsi, (void *)f);
}

void conn_note_fd(struct lws *wsi, int fd)
{
    uintptr_t f = conn_flags(wsi) & (uintptr_t)CONN_PIPELINED;
    conn_set_flags(wsi, f | ((uintptr_t)fd + 1) << CONN_FD_SHIFT);
}

int conn_noted_fd(struct lws *wsi)
{
    return (int)(conn_flags(wsi) >> CONN_FD_SHIFT) - 1;
}

void conn_hold(struct lws *wsi)
{
    lws_rx_flow_control(wsi, 0);
}

void conn_release(struct lws *wsi)
{
    lws_rx_flow_control(wsi, 1);
}

/* 1 if some connection not held has input lws read past a request and has
 * not parsed yet: lws_service_adjust_timeout() answers 0 for exactly that
 * here (no TLS, no WebSocket extensions, no external poll integration). */
static int conn_any_ripe(struct lws *wsi)
{
    return lws_service_adjust_timeout(lws_get_context(wsi), 1, lws_get_tsi(wsi)) == 0;
}

int conn_keepalive(struct lws *wsi)
{
    int others = conn_any_ripe(wsi); /* held: this connection is left out */
    conn_release(wsi);
    int any = conn_any_ripe(wsi);
    if (!any) {
        conn_set_flags(wsi, conn_flags(wsi) & ~(uintptr_t)CONN_PIPELINED);
        return 1;
    }
    if (!others) {
        conn_set_flags(wsi, conn_flags(wsi) | CONN_PIPELINED);
        return 1;
    }
    return 0;
}

void conn_completed(struct lws *wsi)
{
    if (conn_flags(wsi) & CONN_PIPELINED)
        return; /* lws's forced service of the buffered request follows a real POLLOUT */
    struct lws_pollfd pfd = {.fd = lws_get_socket_fd(wsi), .events = LWS_POLLOUT,
                             .revents = LWS_POLLOUT};
    if (pfd.fd >= 0)
        lws_service_fd(lws_get_context(wsi), &pfd);
}

int conn_request_has_body(struct lws *wsi)
{
    char cl[32];
    if (lws_hdr_total_length(wsi, WSI_TOKEN_POST_URI) > 0 ||
        lws_hdr_total_length(wsi, WSI_TOKEN_PUT_URI) > 0 ||
        lws_hdr_total_length(wsi, WSI_TOKEN_PATCH_URI) > 0 ||
        lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_TRANSFER_ENCODING) > 0)
        return 1;
    return lws_hdr_copy(wsi, cl, sizeof(cl), WSI_TOKEN_HTTP_CONTENT_LENGTH) > 0 &&
           strtol(cl, NULL, 10) != 0;
}

int conn_filter(struct lws *wsi)
{
    if ((conn_flags(wsi) & CONN_PIPELINED) && conn_request_has_body(wsi)) {
        log_info("http: request with a body pipelined behind another: connection closed "
                 "before it is read (the client may send it again)");
        return -1;
    }
    return 0;
}
