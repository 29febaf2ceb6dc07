/* limit.h -- the HTTP side of the request budgets (store/ratelimit.h): who
 * the client is, and the 429 answer.
 *
 * Every dynamic endpoint passes the driver's per-address budget
 * (limits.addr_per_window per limits.window_s, every route counted
 * together) before its on_request/on_body hooks run; the channel endpoints
 * (SMS, USSD: one aggregator speaks for every phone, authenticated by the
 * channel secret) are budgeted per phone by the router instead, and the chat
 * endpoint's request is counted (same key) by the router with its message,
 * in the script that also counts the identity. A request with an agency
 * API key (Authorization: Bearer, looked up in Redis: store/keys.h) counts
 * in that key's budget instead (limits.agency_per_window per
 * limits.window_s; 0: none), so a bulk upload does not spend its office's
 * address budget; an unknown or operator key counts as its address. A refused
 * request gets 429 {"error":"rate_limited",...} with Retry-After. When Redis
 * is down or fails the request goes on (the endpoint answers 503 itself if
 * it needs Redis): the limiter never turns an outage into 429s. */
#ifndef DVC_BOT_HTTP_LIMIT_H
#define DVC_BOT_HTTP_LIMIT_H

#include <stddef.h>
#include <libwebsockets.h>

#include "bot/http/http.h"

/* The client's address into out: the TCP peer, or, when the peer is one of
 * limits.trusted_proxies, the last address of its X-Forwarded-For (what the
 * proxy itself saw). "" when unknown. */
void http_client_addr(struct lws *wsi, char *out, size_t n);

/* hr's client address: the one http_limit_request() found (no second
 * getpeername), else http_client_addr() now. "" when unknown. */
const char *http_req_addr(struct lws *wsi, http_req *hr);

/* Driver step at LWS_CALLBACK_HTTP (the request is accepted): count the
 * request in its address budget, then run ep->on_request(rest) and, once the
 * body is complete, ep->on_body -- or answer 429. The request holds an
 * http_pending while it waits. The address is left in hr->addr (addr_known
 * set): an endpoint needing it again takes it from there (http_req_addr). */
void http_limit_request(struct lws *wsi, http_req *hr, const http_endpoint *ep,
                        const char *rest);

/* Queue the 429 answer with Retry-After: retry_after_s. */
void http_limit_refuse(struct lws *wsi, http_req *hr, int retry_after_s);

#endif
