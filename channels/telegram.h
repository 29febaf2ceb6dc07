/* telegram.h -- codec of the Telegram Bot API channel (push.h adapter).
 *
 * Webhook (Telegram -> POST /telegram/webhook): one Update per request, the
 * header X-Telegram-Bot-Api-Secret-Token equal to the secret_token given to
 * setWebhook. Updates used (private chats only; docs/telegram.md):
 *   message.text              TEXT ("/start" is FOLLOW: the user started the bot)
 *   message.contact           CONTACT, only when contact.user_id is the sender
 *                             (a shared contact of someone else is not a link)
 *   callback_query.data       POSTBACK (our inline buttons), answer = its id
 *   my_chat_member            status "kicked" UNFOLLOW (blocked), "member" FOLLOW
 * The event id is "u" + update_id (what dedups a redelivered update).
 *
 * API calls rendered (method = the Bot API method, POST JSON):
 *   sendMessage {"chat_id","text","reply_markup":{"inline_keyboard":[[{"text",
 *               "callback_data"}],…]}}: one button a row; callback_data is
 *               "P" + payload when that fits 64 bytes, else "T" + the title
 *               (pressed, it is taken as typed text); the share-phone button
 *               is a one-time reply keyboard with request_contact
 *   answerCallbackQuery {"callback_query_id"}
 * Answers: {"ok":true,…}; errors {"ok":false,"error_code","description",
 * "parameters":{"retry_after"}}: 429 quota, 403 blocked. */
#ifndef DVC_CHANNELS_TELEGRAM_H
#define DVC_CHANNELS_TELEGRAM_H

#include <stddef.h>

#include "channels/push.h"

#define TELEGRAM_TEXT_MAX 4096      /* bytes kept of one text (the API counts characters) */
#define TELEGRAM_DATA_MAX 64        /* bytes of callback_data */
#define TELEGRAM_SHARE_PHONE "push:share_phone"

extern const push_adapter telegram_adapter;

/* The body of answerCallbackQuery for callback query id. malloc'd. */
char *telegram_render_answer(const char *id, size_t *len);

#endif
