/* push_worker.h -- sends what the push chat channels queued (store/pushq.h
 * out streams: replies and notices for Zalo OA and Telegram users) through
 * each platform's HTTP API with the lws client, on the server's loop.
 *
 * Owner: [zalo]. Per platform: at most push.max_inflight requests, at most
 * zalo|telegram.sends_per_s, one request at a time per user (a reply's
 * messages keep their order). An out-stream entry is one of
 *   {kind: "calls", user, calls: JSON [[method, body], ...], next, attempts}
 *       the API calls of one reply, sent in order from index next
 *   {kind: "notice", user, notice: the chat notice JSON (store/outbox.h)}
 *       becomes a consultation message inside the interaction window
 *       (zalo.reply_window_s since the user's last event), else a ZNS
 *       template message (zalo.zns_template_id) to the number the user
 *       linked, only if they follow the OA; Telegram: a message
 * What an answer means is the adapter's classify (channels/push.h):
 *   sent -> acknowledged; retry -> back-off (push.retry_base_ms doubling,
 *   push.max_attempts); token (Zalo) -> the access token is refreshed by one
 *   instance (Redis lock, single-use refresh token) and the call retried;
 *   quota -> kept and retried after push.quota_retry_ms or the platform's
 *   retry_after, not counted as an attempt; blocked -> the user is opted out
 *   and the entry dropped; window / failed -> dropped and logged.
 * Everything is borrowed and must outlive the worker. */
#ifndef DVC_BOT_OUTBOX_PUSH_WORKER_H
#define DVC_BOT_OUTBOX_PUSH_WORKER_H

#include <libwebsockets.h>
#include <uv.h>

#include "bot/app/config.h"
#include "bot/app/messages.h"
#include "bot/app/metrics.h"
#include "store/redis.h"

typedef struct push_worker push_worker;

typedef struct push_worker_deps {
    uv_loop_t *loop;
    struct lws_context *lws;
    store *store;
    const config *cfg;
    const messages *msgs;
} push_worker_deps;

/* NULL with a message when an enabled platform's URL is not http(s)://. */
push_worker *push_worker_new(const push_worker_deps *d, char *err, size_t errlen);
/* Stop the timer; requests in flight are abandoned (their entries stay
 * pending and are claimed again). Before the lws context and the store
 * close. Accepts NULL. */
void push_worker_stop(push_worker *w);
/* After the loop has drained. Accepts NULL. */
void push_worker_free(push_worker *w);

/* The lws protocol callback of the API client connections ("dvc-push"). */
int push_worker_http(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                     size_t len);

#endif
