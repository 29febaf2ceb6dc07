/* metrics.h -- counters and histograms for GET /metrics (Prometheus text).
 *
 * Single-threaded like the rest of the server: no locking. */
#ifndef DVC_BOT_APP_METRICS_H
#define DVC_BOT_APP_METRICS_H

#include "channels/message.h"
#include "intents/intents.h"
#include "store/redis.h"

struct buf;
typedef struct metrics metrics;

/* The HTTP routes that get their own label; others count as "other". */
typedef enum metrics_route {
    ROUTE_CHAT = 0,
    ROUTE_HEALTHZ,
    ROUTE_METRICS,
    ROUTE_DOSSIERS,
    ROUTE_COMPLAINTS,
    ROUTE_STATS,
    ROUTE_SMS,
    ROUTE_SMS_DLR,
    ROUTE_USSD,
    ROUTE_READYZ,
    ROUTE_OTHER,
    ROUTE__COUNT
} metrics_route;

metrics *metrics_new(void);
void metrics_free(metrics *m);

/* One HTTP request finished with status after seconds. */
void metrics_http(metrics *m, metrics_route route, int status, double seconds);
/* One message was classified on channel as intent. */
void metrics_message(metrics *m, channel c, intent_id intent);

/* Web chat WebSocket: connections opened (+1) or closed (-1); frames in and
 * out ([webchat], bot/ep_ws.c). */
void metrics_ws_conn(metrics *m, int delta);
void metrics_ws_frame(metrics *m, int out);

/* Messages classified on channel c as intent since start (GET /api/v1/stats). */
unsigned long metrics_messages(const metrics *m, channel c, intent_id intent);

/* Append the Prometheus exposition text; s may be NULL. */
void metrics_render(const metrics *m, const store *s, struct buf *out);

#endif
