/* metrics.c -- in-memory counters rendered as Prometheus text (see metrics.h). */
#include "bot/app/metrics.h"

#include <stdlib.h>

#include "common/buf.h"
#include "common/xmalloc.h"

static const double metrics_buckets[] = {
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5,
};
#define NBUCKETS (sizeof(metrics_buckets) / sizeof(metrics_buckets[0]))
#define NCLASSES 5 /* 1xx..5xx */

static const char *const metrics_route_names[ROUTE__COUNT] = {
    "/api/v1/chat", "/healthz", "/metrics", "/api/v1/dossiers", "/api/v1/complaints",
    "/api/v1/stats", "/sms/kannel", "/sms/kannel/dlr", "/ussd", "/readyz", "other",
};

struct metrics {
    unsigned long http[ROUTE__COUNT][NCLASSES];
    unsigned long hist[ROUTE__COUNT][NBUCKETS + 1]; /* last: +Inf */
    double hist_sum[ROUTE__COUNT];
    unsigned long messages[CHANNEL__COUNT][INTENT__COUNT];
    long ws_conns;                  /* [webchat] */
    unsigned long ws_frames[2];     /* in, out */
};

void metrics_ws_conn(metrics *m, int delta)
{
    if (m)
        m->ws_conns += delta;
}

void metrics_ws_frame(metrics *m, int out)
{
    if (m)
        m->ws_frames[out ? 1 : 0]++;
}

metrics *metrics_new(void)
{
    return xcalloc(1, sizeof(metrics));
}

void metrics_free(metrics *m)
{
    free(m);
}

void metrics_http(metrics *m, metrics_route route, int status, double seconds)
{
    if ((unsigned)route >= ROUTE__COUNT)
        route = ROUTE_OTHER;
    int cls = status / 100 - 1;
    if (cls < 0 || cls >= NCLASSES)
        cls = NCLASSES - 1;
    m->http[route][cls]++;
    size_t b = 0;
    while (b < NBUCKETS && seconds > metrics_buckets[b])
        b++;
    m->hist[route][b]++;
    m->hist_sum[route] += seconds;
}

void metrics_message(metrics *m, channel c, intent_id intent)
{
    if ((unsigned)c < CHANNEL__COUNT && (unsigned)intent < INTENT__COUNT)
        m->messages[c][intent]++;
}

unsigned long metrics_messages(const metrics *m, channel c, intent_id intent)
{
    if (!m || (unsigned)c >= CHANNEL__COUNT || (unsigned)intent >= INTENT__COUNT)
        return 0;
    return m->messages[c][intent];
}

static void metrics_render_http(const metrics *m, buf *out)
{
    buf_puts(out, "# HELP dvcbot_http_requests_total HTTP requests by route and status class.\n"
                  "# TYPE dvcbot_http_requests_total counter\n");
    for (int r = 0; r < ROUTE__COUNT; r++)
        for (int c = 0; c < NCLASSES; c++)
            if (m->http[r][c])
                buf_printf(out, "dvcbot_http_requests_total{route=\"%s\",code=\"%dxx\"} %lu\n",
                           metrics_route_names[r], c + 1, m->http[r][c]);
    buf_puts(out, "# HELP dvcbot_http_request_duration_seconds Time from request to answer.\n"
                  "# TYPE dvcbot_http_request_duration_seconds histogram\n");
    for (int r = 0; r < ROUTE__COUNT; r++) {
        unsigned long cum = 0;
        for (size_t b = 0; b <= NBUCKETS; b++) {
            cum += m->hist[r][b];
            if (b < NBUCKETS)
                buf_printf(out, "dvcbot_http_request_duration_seconds_bucket{route=\"%s\",le=\"%g\"} %lu\n",
                           metrics_route_names[r], metrics_buckets[b], cum);
            else
                buf_printf(out, "dvcbot_http_request_duration_seconds_bucket{route=\"%s\",le=\"+Inf\"} %lu\n",
                           metrics_route_names[r], cum);
        }
        buf_printf(out, "dvcbot_http_request_duration_seconds_sum{route=\"%s\"} %.6f\n",
                   metrics_route_names[r], m->hist_sum[r]);
        buf_printf(out, "dvcbot_http_request_duration_seconds_count{route=\"%s\"} %lu\n",
                   metrics_route_names[r], cum);
    }
}

void metrics_render(const metrics *m, const store *s, buf *out)
{
    metrics_render_http(m, out);
    buf_puts(out, "# HELP dvcbot_messages_total Inbound messages by channel and intent.\n"
                  "# TYPE dvcbot_messages_total counter\n");
    for (int c = 0; c < CHANNEL__COUNT; c++)
        for (int i = 0; i < INTENT__COUNT; i++)
            if (m->messages[c][i])
                buf_printf(out, "dvcbot_messages_total{channel=\"%s\",intent=\"%s\"} %lu\n",
                           channel_name((channel)c), intent_name((intent_id)i), m->messages[c][i]);
    buf_printf(out, "# HELP dvcbot_ws_connections Open web chat WebSocket connections.\n"
                    "# TYPE dvcbot_ws_connections gauge\ndvcbot_ws_connections %ld\n"
                    "# HELP dvcbot_ws_frames_total WebSocket frames by direction.\n"
                    "# TYPE dvcbot_ws_frames_total counter\n"
                    "dvcbot_ws_frames_total{dir=\"in\"} %lu\ndvcbot_ws_frames_total{dir=\"out\"} %lu\n",
               m->ws_conns, m->ws_frames[0], m->ws_frames[1]);
    if (!s)
        return;
    buf_printf(out, "# HELP dvcbot_redis_up 1 when the Redis connection is up.\n"
                    "# TYPE dvcbot_redis_up gauge\ndvcbot_redis_up %d\n"
                    "# HELP dvcbot_redis_errors_total Redis timeouts, failed connects and lost connections.\n"
                    "# TYPE dvcbot_redis_errors_total counter\ndvcbot_redis_errors_total %lu\n"
                    "# HELP dvcbot_redis_reconnects_total Successful reconnections to Redis.\n"
                    "# TYPE dvcbot_redis_reconnects_total counter\ndvcbot_redis_reconnects_total %lu\n",
               store_is_up(s), store_errors(s), store_reconnects(s));
}
