/* ep_push.h -- what the push-channel webhooks share (ep_zalo.c,
 * ep_telegram.c): verify with the adapter (401 and nothing stored when it
 * fails), parse (400), store each event once (store/pushq.h pushq_accept:
 * a replayed event id is answered 200 and not stored again), answer 200 as
 * soon as Redis confirmed (503 when it failed: the platform delivers the
 * event again), and kick the handler (bot/http/push_in.h). */
#ifndef DVC_BOT_HTTP_EP_PUSH_H
#define DVC_BOT_HTTP_EP_PUSH_H

#include "bot/http/http.h"
#include "channels/push.h"

typedef struct ep_push_keys {
    int enabled;
    const char *secret;
    const char *app_id;         /* Zalo only, else NULL */
    long long window_ms;        /* Zalo only, else 0 */
    const char *header;         /* the signature header, lower case with the ':' */
} ep_push_keys;

void ep_push_webhook(struct lws *wsi, http_req *hr, const push_adapter *ad,
                     const ep_push_keys *k);

#endif
