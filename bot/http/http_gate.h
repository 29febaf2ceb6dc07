/* http_gate.h -- what a client sends is looked at before lws parses it.
 *
 * Why: libwebsockets 4.1.6 takes some exits of its own in its request
 * parser (lib/roles/http/parsers.c lws_parse), before any callback of ours:
 * an invalid %-escape in the request target (lws_parse_urldecode answers
 * "forbid": lws_return_http_status writes its HTML 403 and the connection
 * is closed), a %00 or raw NUL there (the decoded NUL fails the parse: closed
 * without an answer), a head larger than max_http_header_data or with more
 * fragments than its table holds (closed without an answer). And its
 * WebSocket server takes unmasked client frames (RFC 6455 §5.1 says close).
 * No option or callback of 4.1.6 reaches those paths; the bytes have to be
 * fixed before lws reads them, for every request of a connection: a kept-
 * alive connection's next request, and pipelined ones that lws reads in the
 * same recv() as the one before, never pass through dvcbot otherwise
 * (adopting the socket with a read buffer covers only its first read; a
 * socketpair relay would double the system calls and hide the peer).
 *
 * How: lws reads a server connection with recv(fd, buf, len, 0)
 * (lib/core-net/output.c). This module defines recv(): for the descriptors
 * of accepted HTTP connections it reads with recvfrom() and passes the bytes
 * through the scanner of http_gate_int.h, which rewrites a bad request into
 * one lws parses and remembers which request of the connection it was;
 * every other descriptor goes straight to recvfrom() (one array lookup).
 * The request is then refused by guard.c, in JSON (400 bad_request, 414
 * uri_too_long, 431 header_too_large) with Connection: close, in its turn
 * behind the requests before it (conn.h's one-at-a-time order is
 * untouched); an unmasked frame becomes a close 1002 that lws answers and
 * closes on. docs/reliability.md "HTTP gate".
 *
 * The connection table is one per process, used from the loop thread only
 * (lws's), entries owned here: open at LWS_CALLBACK_SERVER_NEW_CLIENT_
 * INSTANTIATED, freed at LWS_CALLBACK_WSI_DESTROY (both reach protocols[0]:
 * guard_root_cb). */
#ifndef DVC_BOT_HTTP_HTTP_GATE_H
#define DVC_BOT_HTTP_HTTP_GATE_H

#include <libwebsockets.h>

/* A connection was accepted: its input is scanned from now on. */
void http_gate_open(struct lws *wsi);

/* wsi is being destroyed (its descriptor already closed): forget it. */
void http_gate_close(struct lws *wsi);

/* Once per request lws serves (LWS_CALLBACK_FILTER_HTTP_CONNECTION, or the
 * WebSocket upgrade's LWS_CALLBACK_HTTP_CONFIRM_UPGRADE): 0 when it may go
 * on, else the status to refuse it with (400, 414, 431) and *code its
 * error code. */
int http_gate_verdict(struct lws *wsi, const char **code);

/* The TCP peer of wsi into out (n bytes), as lws_get_peer_simple() writes
 * it ("" when unknown): asked of the kernel (getpeername) once per accepted
 * connection, at its first request that wants it, since it cannot change
 * while the connection lives; every request after that on a kept-alive
 * connection is answered from the connection's entry (the one table of
 * accepted connections there is). A wsi without an entry asks lws. */
void http_gate_peer(struct lws *wsi, char *out, size_t n);

/* Frees the (empty) table; server_free(). */
void http_gate_fini(void);

#endif
