/* auth.h -- agency API keys: "Authorization: Bearer <key>".
 *
 * Keys are created by `dvcbot keys create --agency <e-id> [--name NAME]`
 * (bot/cmd_keys.c), printed once, and stored only as a hash
 * (store/keys.h). A key is scoped to exactly one agency e-id: the endpoints
 * compare that e-id with the agency that prefixes a dossier code (or owns a
 * complaint) and answer 403 on a mismatch.
 *
 * auth_agency() reads the header of the current request and looks the key's
 * hash up in Redis asynchronously. The callback gets:
 *   status 0   and the agency e-id (valid during the callback only)
 *   status 401 no/ill-formed Authorization header, or unknown key
 *   status 503 Redis down or failed
 * It is called exactly once, possibly before auth_agency() returns. Pass an
 * http_pending as privdata, never the wsi (bot/http.h). */
#ifndef DVC_BOT_HTTP_AUTH_H
#define DVC_BOT_HTTP_AUTH_H

#include <libwebsockets.h>

#include "store/redis.h"

typedef void auth_fn(int status, const char *agency, void *privdata);

void auth_agency(struct lws *wsi, store *s, auth_fn *fn, void *privdata);

/* The SHA-256 hex (store/keys.h: KEYS_HASH_HEX bytes) of the request's
 * Bearer key into hex: 0, or -1 when the request has no well-formed one.
 * Nothing is looked up: whose key it is tells keys_lookup(). */
int auth_bearer_hash(struct lws *wsi, char *hex);

/* SPEC.md "Channel access": the endpoints that take a phone number from the
 * request (/sms/kannel, /sms/kannel/dlr, /ussd, /ussd/json, /ussd/kannel)
 * serve a caller only if it comes from channels.allow_ips (when set) and
 * shows channels.secret (when set): as the header "X-Dvcbot-Secret: S" or
 * the URI argument "secret=S" (Kannel's get-url, post-url and dlr-url, an
 * aggregator's callback URL), compared in constant time. Both set: both are
 * needed. Neither set (only `dvcbot serve --insecure-channels` starts so):
 * every caller. Returns 1 to serve, 0 to answer 403 channel_forbidden. */
int auth_channel(struct lws *wsi);

#endif
