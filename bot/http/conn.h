/* conn.h -- one HTTP/1.1 request at a time per connection (pipelining guard).
 *
 * Why: libwebsockets 4.1.6 (Debian 12) mishandles bytes it has read past the
 * current request (its per-connection "buflist"):
 *  - a request WITH a body parsed from that buffer makes lws_http_action()
 *    hand the request's own header bytes to LWS_CALLBACK_HTTP_BODY and then
 *    loop for ever calling LWS_CALLBACK_HTTP_BODY_COMPLETION with nothing
 *    consumed: the process spins at 100 % CPU, nothing is answered and
 *    SIGTERM is never acted on (two pipelined POSTs in one TCP segment);
 *  - a request without a body that waits on Redis is followed, at the next
 *    loop iteration, by the parse of the next pipelined request into the same
 *    header table while the first is still in flight (pipelined GETs lost);
 *  - a connection held by rx flow control gets no POLLOUT service at all
 *    (rops_handle_POLLIN_h1 returns first), so it cannot be written to.
 * docs/reliability.md "Pipelining" has the trace.
 *
 * What we do instead, with the public lws API only:
 *  - conn_hold(): from the start of a request (LWS_CALLBACK_HTTP without a
 *    body, or the body's completion) no more input is read or parsed on its
 *    connection (lws_rx_flow_control off);
 *  - the response is never written in LWS_CALLBACK_HTTP_WRITEABLE (which a
 *    held connection never gets) but by a finisher, conn_defer(), run from a
 *    libuv idle handle outside every lws callback. In one synchronous step it
 *    decides keep-alive (conn_keepalive()), reads input again, writes the
 *    whole response and completes the transaction: nothing of lws runs in
 *    between, so no later request is parsed while one is in flight;
 *  - conn_keepalive() looks whether the connection holds input read past the
 *    request. The only public view of that is lws_service_adjust_timeout(),
 *    which reports any connection not held that has such input: asked once
 *    with this one held and once with it released, it tells "none" (keep-
 *    alive), "this one" (keep-alive in pipelined mode: the next requests are
 *    served in order if they have no body, and one with a body closes the
 *    connection before lws reads it, conn_filter(); RFC 9112 §9.3.2 lets the
 *    client send it again on a new connection) or "cannot tell" (another
 *    connection has some at this very moment: close after this response,
 *    Connection: close);
 *  - a response that does not leave in one write closes the connection once
 *    it is flushed (lws would otherwise complete the transaction later on its
 *    own, with input being read in between);
 *  - after lws_http_transaction_completed() lws reads nothing more until it
 *    sees POLLOUT (LRS_DEFERRING_ACTION; it re-arms POLLOUT for that). The
 *    socket has just taken the whole response, so conn_completed() tells lws
 *    at once (lws_service_fd() with POLLOUT, the public external-poll entry;
 *    in that state lws only changes state, it writes nothing and calls no
 *    callback): no POLLOUT wake-up and loop iteration per request, and two
 *    fewer real epoll_ctl (lws 4.1.6 on libuv 1.44: every poll change is
 *    epoll_ctl DEL at once and ADD at the next poll). Not in pipelined mode:
 *    there lws parses the buffered request in the forced service that
 *    follows a real POLLOUT event.
 * The pages are an endpoint like the others (ep_static.c): lws's file
 * mounts complete their transactions on their own, unseen by this guard.
 *
 * The mode rides on the wsi as its opaque user data (a small integer, nothing
 * to free): lws never uses that field for server connections. The same word
 * keeps the connection's descriptor for bot/http/http_gate.c (conn_note_fd),
 * so a closed connection's entry is found without a scan. The finisher
 * queue is one per process (conn_init() by server.c, one lws context). */
#ifndef DVC_BOT_HTTP_CONN_H
#define DVC_BOT_HTTP_CONN_H

#include <uv.h>
#include <libwebsockets.h>

/* A deferred finish: lives inside the caller's per-request data. */
typedef struct conn_fin conn_fin;
typedef void conn_fin_fn(struct lws *wsi, void *ctx);
struct conn_fin {
    conn_fin *prev, *next;
    struct lws *wsi;
    conn_fin_fn *fn;
    void *ctx;
    int queued;
};

/* The finisher's idle handle on loop; conn_fini() closes it (idempotent). */
void conn_init(uv_loop_t *loop);
void conn_fini(void);

/* Run fn(wsi, ctx) soon, outside every lws callback (once, however often it
 * is called before it runs). conn_cancel() forgets it (the wsi is closing). */
void conn_defer(conn_fin *f, struct lws *wsi, conn_fin_fn *fn, void *ctx);
void conn_cancel(conn_fin *f);

/* Stop / restart reading input on wsi. */
void conn_hold(struct lws *wsi);
void conn_release(struct lws *wsi);

/* At the response of a held request, before its headers: 1 if the
 * connection may be kept alive, 0 if it must be closed after this response.
 * Either way the connection is released (reads input again). */
int conn_keepalive(struct lws *wsi);

/* Right after lws_http_transaction_completed() answered 0 for a response
 * that left in one write, outside every lws callback: lws may read the next
 * request now (see above). wsi may be closed by lws meanwhile: do not use it
 * afterwards. */
void conn_completed(struct lws *wsi);

/* LWS_CALLBACK_FILTER_HTTP_CONNECTION: 0 to go on, -1 to close the
 * connection before the request is served (a request with a body on a
 * connection in pipelined mode). */
int conn_filter(struct lws *wsi);

/* 1 if the request declares a body (Content-Length other than 0, a
 * Transfer-Encoding, or a POST/PUT/PATCH, which lws 4.1 reads as a body
 * even without a length). */
int conn_request_has_body(struct lws *wsi);

/* Keep fd (>= 0) with wsi (http_gate_open); conn_noted_fd() gives it back
 * after the descriptor is closed, or -1 when none was noted. */
void conn_note_fd(struct lws *wsi, int fd);
int conn_noted_fd(struct lws *wsi);

#endif
