/* guard.h -- what is refused before any endpoint sees a request.
 *
 * Runs in the lws protocols[0] of the vhost (guard_root_cb), to which every
 * connection is bound between requests, and in the endpoint driver:
 *  - LWS_CALLBACK_FILTER_HTTP_CONNECTION: the pipelining guard
 *    (bot/http/conn.h), then the framing of the body: Content-Length must be
 *    one run of digits, repeated only with the same value, and never sent
 *    with a Transfer-Encoding (RFC 9112 §6.3: a request smuggling primitive
 *    behind a proxy otherwise). Refused with 400 invalid_content_length.
 *  - LWS_CALLBACK_HTTP_CONFIRM_UPGRADE: a WebSocket upgrade must ask for one of
 *    our subprotocols (dvcbot.chat.v1, dvcbot.agent.v1), else 400
 *    websocket_protocol (lws would bind it to its dummy "http" protocol, on any
 *    path, never idle-closed); "Upgrade: h2c" is ignored and the request served
 *    as HTTP/1.1 (RFC 9110 §7.8 allows it; lws 4.1.6 would answer 101 and then
 *    serve nothing); any other upgrade closes the connection.
 * A refusal is written at once, whole, with Connection: close, and the
 * connection is closed: nothing of the request is read or served.
 *
 * Before all of these, both ask bot/http/http_gate.h for its verdict on the
 * request's bytes (invalid %-escapes, %00, control bytes: 400 bad_request;
 * a target too long: 414 uri_too_long; a head too large: 431
 * header_too_large), which lws 4.1.6's own parser would otherwise answer in
 * HTML or not at all; guard_root_cb opens and closes the gate's record of
 * each accepted connection (LWS_CALLBACK_SERVER_NEW_CLIENT_INSTANTIATED,
 * LWS_CALLBACK_WSI_DESTROY). */
#ifndef DVC_BOT_HTTP_GUARD_H
#define DVC_BOT_HTTP_GUARD_H

#include <libwebsockets.h>

/* LWS_CALLBACK_FILTER_HTTP_CONNECTION: 0 to go on, -1 to close. */
int guard_filter(struct lws *wsi);

/* LWS_CALLBACK_HTTP_CONFIRM_UPGRADE with the Upgrade value: 0 to go on, -1
 * to close (a refusal already written). May rewrite up (h2c) so that lws
 * goes on as HTTP/1.1. */
int guard_upgrade(struct lws *wsi, char *up);

/* The protocols[0] callback: the two above, the rest to lws_callback_http_dummy. */
int guard_root_cb(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                  size_t len);

#endif
