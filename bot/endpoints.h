/* endpoints.h -- the lws protocol callbacks, one per concern.
 *
 * Each is mounted by bot/server.c and uses struct http_req (bot/http.h) as
 * its per-session data. */
#ifndef DVC_ENDPOINTS_H
#define DVC_ENDPOINTS_H

#include <libwebsockets.h>

/* POST /api/v1/chat (ep_chat.c) */
int ep_chat(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len);
/* PUT/GET /api/v1/dossiers/{code} (ep_dossiers.c) */
int ep_dossiers(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len);
/* GET /api/v1/complaints, POST /api/v1/complaints/{code}/answer, GET /api/v1/stats (ep_complaints.c) */
int ep_complaints(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len);
int ep_stats(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len);
/* GET/POST /sms/kannel and GET /sms/kannel/dlr (ep_sms.c) */
int ep_sms(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len);
int ep_sms_dlr(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len);
/* GET /healthz, GET /metrics and every unknown path (ep_ops.c) */
int ep_healthz(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len);
int ep_metrics(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len);
int ep_notfound(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len);

#endif
