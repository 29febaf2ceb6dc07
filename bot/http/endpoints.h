/* endpoints.h -- the endpoints of the HTTP floor, one per concern.
 *
 * The dynamic HTTP endpoints are a table (struct http_endpoint, bot/http/http.h):
 * bot/http/server.c mounts each as an lws protocol whose callback is the one
 * generic driver http_endpoint_cb() and whose per-session data is struct
 * http_req. The WebSocket protocols keep a callback of their own. */
#ifndef DVC_BOT_HTTP_ENDPOINTS_H
#define DVC_BOT_HTTP_ENDPOINTS_H

#include <libwebsockets.h>

#include "bot/http/http.h"

/* The dynamic HTTP endpoints, driven by http_endpoint_cb() (bot/http/http.h). */
extern const http_endpoint ep_chat_endpoint;          /* POST /api/v1/chat (ep_chat.c) */
extern const http_endpoint ep_chat_history_endpoint;  /* POST /api/v1/chat/history */
extern const http_endpoint ep_chat_csat_endpoint;     /* POST /api/v1/chat/csat */
extern const http_endpoint ep_dossiers_endpoint;      /* PUT/GET /api/v1/dossiers/{code} */
extern const http_endpoint ep_complaints_endpoint;    /* GET /api/v1/complaints, POST .../answer */
extern const http_endpoint ep_stats_endpoint;         /* GET /api/v1/stats (ep_complaints.c) */
extern const http_endpoint ep_stats_public_endpoint;  /* GET /api/v1/stats/public (ep_stats.c) */
extern const http_endpoint ep_sms_endpoint;           /* GET/POST /sms/kannel (ep_sms.c) */
extern const http_endpoint ep_sms_dlr_endpoint;       /* GET /sms/kannel/dlr */
extern const http_endpoint ep_ussd_endpoint;          /* POST /ussd (Africa's Talking form) */
extern const http_endpoint ep_ussd_json_endpoint;     /* POST /ussd/json */
extern const http_endpoint ep_ussd_kannel_endpoint;   /* GET|POST /ussd/kannel (SMPP meta-data) */
extern const http_endpoint ep_healthz_endpoint;       /* GET /healthz (ep_ops.c) */
extern const http_endpoint ep_readyz_endpoint;        /* GET /readyz (ep_ops.c) */
extern const http_endpoint ep_sms_demo_endpoint;      /* GET/POST /sms/demo (ep_sms_demo.c) */
extern const http_endpoint ep_metrics_endpoint;       /* GET /metrics (ep_ops.c) */
extern const http_endpoint ep_static_endpoint;        /* GET|HEAD the pages (ep_static.c) */
extern const http_endpoint ep_zalo_endpoint;          /* POST /zalo/webhook (ep_zalo.c) */
extern const http_endpoint ep_telegram_endpoint;      /* POST /telegram/webhook (ep_telegram.c) */
/* Every unknown path: a JSON 404 (ep_ops.c; no method check, no body read). */
int ep_notfound(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len);
/* WebSocket /ws/chat, protocol dvcbot.chat.v1 (ep_ws.c): the web chat */
int ep_ws(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len);
/* WebSocket /ws/agent, protocol dvcbot.agent.v1 (agent_ws.c): the operator console */
int ep_agent_ws(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len);
/* Open chat WebSocket connections (for /metrics and the bench). */
size_t ws_connections(struct lws_context *ctx);

#endif
