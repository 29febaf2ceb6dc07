/* ep_telegram.c -- POST /telegram/webhook: Telegram Bot API updates
 * (channels/telegram.h), X-Telegram-Bot-Api-Secret-Token equal to
 * telegram.secret_token, updates stored once and answered 200
 * (bot/http/ep_push.h). */
#include "bot/http/endpoints.h"
#include "bot/http/ep_push.h"
#include "channels/telegram.h"

static void ep_telegram_body(struct lws *wsi, http_req *hr)
{
    const config *c = http_app(wsi)->cfg;
    ep_push_keys k = {
        .enabled = c->telegram.enabled, .secret = c->telegram.secret_token,
        .header = "x-telegram-bot-api-secret-token:",
    };
    ep_push_webhook(wsi, hr, &telegram_adapter, &k);
}

const http_endpoint ep_telegram_endpoint = {
    .route = ROUTE_OTHER, .methods = HTTP_POST, .on_body = ep_telegram_body,
};
