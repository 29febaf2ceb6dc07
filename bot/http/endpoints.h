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
/* POST /ussd (Africa's Talking form), POST /ussd/json (JSON adapter),
 * GET|POST /ussd/kannel (Kannel SMPP meta-data) (ep_ussd.c) */
int ep_ussd(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len);
int ep_ussd_json(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len);
int ep_ussd_kannel(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len);
/* GET /healthz, GET /metrics and every unknown path (ep_ops.c) */
int ep_healthz(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len);
int ep_metrics(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len);
int ep_notfound(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len);
/* WebSocket /ws/chat, protocol dvcbot.chat.v1 (ep_ws.c): the web chat */
int ep_ws(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len);
/* WebSocket /ws/agent, protocol dvcbot.agent.v1 (agent_ws.c): the operator console */
int ep_agent_ws(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len);
/* Open chat WebSocket connections (for /metrics and the bench). */
size_t ws_connections(struct lws_context *ctx);

#endif
