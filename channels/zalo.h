/* zalo.h -- codec of the Zalo Official Account channel (push.h adapter).
 *
 * Webhook (Zalo -> POST /zalo/webhook): one JSON event per request,
 *   {"event_name":"user_send_text","app_id":"…","sender":{"id":"…"},
 *    "recipient":{"id":"<OA id>"},"message":{"text":"…","msg_id":"…"},
 *    "timestamp":"1699003881354"}
 * signed in the header X-ZEvent-Signature: "mac=" + hex(SHA-256(app_id +
 * raw body + timestamp + OA secret key)), app_id and timestamp as they are
 * in the body (docs/zalo.md gives the sources). Events used:
 *   user_send_text       TEXT; a text that starts with ZALO_POSTBACK_PREFIX
 *                        is a press of one of our buttons (POSTBACK): the
 *                        buttons are "oa.query.hide", whose payload Zalo sends
 *                        back as the user's (hidden) text
 *   follow / unfollow    FOLLOW / UNFOLLOW of follower.id (opt-in / opt-out)
 *   user_submit_info     CONTACT (info.phone): the answer to our
 *                        "request_user_info" message
 * Every other event parses to no event (answered 200, ignored).
 *
 * API calls rendered (methods the sender maps to URLs, docs/zalo.md):
 *   "message/cs"  POST openapi.zalo.me/v3.0/oa/message/cs: consultation
 *                 {"recipient":{"user_id"},"message":{"text","attachment":
 *                 {"type":"template","payload":{"buttons":[{"title","type":
 *                 "oa.query.hide","payload"}]}}}}, at most ZALO_BUTTONS_MAX
 *                 buttons per message (more go in follow-up messages); the
 *                 share-phone button becomes a "request_user_info" template
 *   "zns"         POST business.openapi.zalo.me/message/template
 *                 {"phone":"84…","template_id","template_data","tracking_id"}
 * Answers: {"error":0,"data":{…}} on success, error < 0 otherwise (the
 * table in zalo.c). */
#ifndef DVC_CHANNELS_ZALO_H
#define DVC_CHANNELS_ZALO_H

#include <stddef.h>

#include "channels/push.h"

#define ZALO_POSTBACK_PREFIX "#dvc:"
#define ZALO_BUTTONS_MAX 5
#define ZALO_TEXT_MAX 2000          /* bytes of one text message */
#define ZALO_TITLE_MAX 100          /* bytes of one button title */
#define ZALO_SHARE_PHONE "push:share_phone"  /* the payload of a share-phone button */

extern const push_adapter zalo_adapter;

/* The body of a ZNS template message to phone (84…), with template_data
 * {"<code_param>": code, "<status_param>": status}; tracking_id dedups it
 * at Zalo. malloc'd, *len set. */
char *zalo_render_zns(const char *phone, const char *template_id, const char *code_param,
                      const char *code, const char *status_param, const char *status,
                      const char *tracking_id, size_t *len);

/* The form body of an access-token refresh (POST oauth.zaloapp.com/v4/oa/
 * access_token, header secret_key: the app secret). malloc'd. */
char *zalo_render_refresh(const char *app_id, const char *refresh_token, size_t *len);

/* Parse a refresh answer {"access_token","refresh_token","expires_in":"90000"}:
 * 0 with malloc'd tokens and the lifetime in seconds, -1 otherwise. */
int zalo_parse_token(const char *body, size_t len, char **access, char **refresh,
                     long *expires_in_s);

#endif
