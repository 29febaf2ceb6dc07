/* ep_zalo.c -- POST /zalo/webhook: the Zalo OA event webhook (channels/zalo.h),
 * X-ZEvent-Signature checked with the OA secret key and the timestamp
 * window, events stored once and answered 200 (bot/http/ep_push.h). */
#include "bot/http/endpoints.h"
#include "bot/http/ep_push.h"
#include "channels/zalo.h"

static void ep_zalo_body(struct lws *wsi, http_req *hr)
{
    const config *c = http_app(wsi)->cfg;
    ep_push_keys k = {
        .enabled = c->zalo.enabled, .secret = c->zalo.oa_secret, .app_id = c->zalo.app_id,
        .window_ms = (long long)c->zalo.timestamp_window_s * 1000,
        .header = "x-zevent-signature:",
    };
    ep_push_webhook(wsi, hr, &zalo_adapter, &k);
}

const http_endpoint ep_zalo_endpoint = {
    .route = ROUTE_OTHER, .methods = HTTP_POST, .on_body = ep_zalo_body,
};
