/* outbox_worker.h -- drains the Redis outbox (store/outbox.h) to Kannel's
 * /cgi-bin/sendsms with the lws HTTP client, on the server's loop.
 *
 * Owner: [sms]. Messages are queued by the domain code; the worker owns their
 * life after "queued" (store/README.md, "Outbox: delivery"):
 *
 *   queued -> sending -> sent               (Kannel answered 2xx)
 *                     -> retry -> queued    (Kannel answered an error; backoff)
 *                     -> failed             (sms.max_attempts reached)
 *                     -> queued             (Kannel unreachable: no attempt
 *                                            counted, the whole worker pauses)
 *   queued -> skipped                       (a notification to an opted-out number)
 *
 * Every transition is one step of store/outbox_drain.h (one Lua script), so
 * a message is claimed ("sending") once and only a "sending" message can
 * become "sent". Any number of workers (one per instance) share the outbox:
 * each is a consumer ({hostname}:{http.port}) of the Redis Streams group
 * "senders", reads with a blocking XREADGROUP on a connection of its own
 * (an idle worker costs one command a second), and takes over, with
 * XAUTOCLAIM, the entries of a worker that stopped once they are idle for
 * sms.timeout_ms + 5 s (the lease); at start it takes back at once what its
 * own previous run left. Replies go before bulk notifications; the messages
 * of one number go out in order, one at a time (one per number is ever in
 * a stream). sms.segments_per_s is the budget of the whole fleet, kept in
 * Redis. Only a message whose sender died with a request in flight can be
 * sent twice. Delivery reports go to sms.dlr_base_url, else to
 * {http.public_url}/sms/kannel/dlr (the load balancer), else to this
 * instance; they only move forward: submitted < buffered < delivered/
 * undelivered/rejected.
 *
 * Errors: outbox_worker_new() returns NULL with a message when
 * sms.kannel_sendsms_url is not an http:// URL. */
#ifndef DVC_BOT_OUTBOX_OUTBOX_WORKER_H
#define DVC_BOT_OUTBOX_OUTBOX_WORKER_H

#include <libwebsockets.h>
#include <uv.h>

#include "bot/app/config.h"
#include "bot/app/metrics.h"
#include "channels/sms.h"
#include "store/redis.h"

typedef struct outbox_worker outbox_worker;

typedef struct outbox_worker_deps {
    uv_loop_t *loop;
    struct lws_context *lws;    /* the server's context (client connections) */
    store *store;
    const config *cfg;
    metrics *metrics;           /* may be NULL */
} outbox_worker_deps;

/* Start draining (own pending entries first). Everything is borrowed and must outlive
 * the worker. */
outbox_worker *outbox_worker_new(const outbox_worker_deps *d, char *err, size_t errlen);
/* Stop claiming and close the timer; requests in flight are abandoned (their
 * messages stay "sending" and are taken back by the next start, or by
 * another instance after the lease). Call before
 * the lws context and the store are closed. Accepts NULL. */
void outbox_worker_stop(outbox_worker *w);
/* After the loop has drained. Accepts NULL. */
void outbox_worker_free(outbox_worker *w);

/* Counters for tests and /metrics. */
unsigned long outbox_worker_sent(const outbox_worker *w);
unsigned long outbox_worker_errors(const outbox_worker *w);

/* Record a delivery report: status 0 recorded or ignored (unknown id, not a
 * step forward), -1 when Redis failed. Returns -1 when the store is down
 * (done is not called). */
typedef void outbox_dlr_fn(int status, void *ctx);
int outbox_worker_dlr(store *s, const sms_dlr *d, outbox_dlr_fn *done, void *ctx);

/* The lws protocol callback of the sendsms client connections ("dvc-sendsms"). */
int outbox_worker_http(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                       size_t len);

#endif
