/* server.c -- lws context on our libuv loop, protocols and mounts (see server.h). */
#include "bot/http/server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <libwebsockets.h>

#include "bot/http/conn.h"
#include "bot/http/guard.h"
#include "bot/http/http_gate.h"
#include "bot/http/endpoints.h"
#include "bot/http/http.h"
#include "bot/app/log.h"
#include "bot/outbox/outbox_worker.h"
#include "bot/outbox/push_worker.h"
#include "common/xmalloc.h"

struct server {
    const app *app;
    uv_loop_t *loop;
    struct lws_context *ctx;
    void *foreign_loops[1];
};


/* A response leaves in one send() when the socket takes it: lws would cut
 * it into pt_serv_buf_size pieces, and a response that does not leave at
 * once costs its connection's keep-alive (bot/http/conn.h). */
#define HTTP_TX_MAX (1 << 20)
#define PROTO(n, cb) {.name = n, .callback = cb, .per_session_data_size = sizeof(http_req), \
                      .tx_packet_size = HTTP_TX_MAX}
/* an endpoint of the table: the generic driver with the endpoint as user */
#define ENDPOINT(n, ep) {.name = n, .callback = http_endpoint_cb,                    \
                         .per_session_data_size = sizeof(http_req), .user = (void *)&ep, \
                         .tx_packet_size = HTTP_TX_MAX}

static const struct lws_protocols server_protocols[] = {
    /* every connection between requests: guard.h (pipelining, framing, upgrades) */
    {.name = "http", .callback = guard_root_cb},
    ENDPOINT("dvc-static", ep_static_endpoint),
    ENDPOINT("dvc-chat", ep_chat_endpoint),
    ENDPOINT("dvc-chat-history", ep_chat_history_endpoint),
    ENDPOINT("dvc-chat-csat", ep_chat_csat_endpoint),
    ENDPOINT("dvc-healthz", ep_healthz_endpoint),
    ENDPOINT("dvc-readyz", ep_readyz_endpoint),
    ENDPOINT("dvc-metrics", ep_metrics_endpoint),
    PROTO("dvc-notfound", ep_notfound),
    ENDPOINT("dvc-dossiers", ep_dossiers_endpoint),
    ENDPOINT("dvc-complaints", ep_complaints_endpoint),
    ENDPOINT("dvc-stats", ep_stats_endpoint),
    ENDPOINT("dvc-stats-public", ep_stats_public_endpoint),
    ENDPOINT("dvc-sms", ep_sms_endpoint),
    ENDPOINT("dvc-sms-dlr", ep_sms_dlr_endpoint),
    ENDPOINT("dvc-sms-demo", ep_sms_demo_endpoint),
    ENDPOINT("dvc-ussd", ep_ussd_endpoint),
    ENDPOINT("dvc-ussd-json", ep_ussd_json_endpoint),
    ENDPOINT("dvc-ussd-kannel", ep_ussd_kannel_endpoint),
    ENDPOINT("dvc-zalo", ep_zalo_endpoint),
    ENDPOINT("dvc-telegram", ep_telegram_endpoint),
    {.name = "dvc-sendsms", .callback = outbox_worker_http}, /* client: outbox_worker.c */
    {.name = "dvc-push", .callback = push_worker_http},       /* client: push_worker.c */
    {.name = "dvcbot.chat.v1", .callback = ep_ws, .per_session_data_size = sizeof(void *)},
    {.name = "dvcbot.agent.v1", .callback = ep_agent_ws, .per_session_data_size = sizeof(void *)},
    {.name = NULL},
};

/* Mounts are a linked list. lws lets the LAST matching callback mount win
 * (not the longest), so "/" (the JSON 404) comes first and the specific
 * paths after it. */
#define MOUNT(next, path, proto)                                         \
    {.mount_next = next, .mountpoint = path, .origin = proto,             \
     .origin_protocol = LWSMPRO_CALLBACK, .mountpoint_len = sizeof(path) - 1}

static const struct lws_http_mount mount_telegram = MOUNT(NULL, "/telegram/webhook", "dvc-telegram");
static const struct lws_http_mount mount_zalo = MOUNT(&mount_telegram, "/zalo/webhook", "dvc-zalo");
static const struct lws_http_mount mount_ussd_kannel = MOUNT(&mount_zalo, "/ussd/kannel", "dvc-ussd-kannel");
static const struct lws_http_mount mount_ussd_json = MOUNT(&mount_ussd_kannel, "/ussd/json", "dvc-ussd-json");
static const struct lws_http_mount mount_ussd = MOUNT(&mount_ussd_json, "/ussd", "dvc-ussd");
static const struct lws_http_mount mount_sms_dlr = MOUNT(&mount_ussd, "/sms/kannel/dlr", "dvc-sms-dlr");
static const struct lws_http_mount mount_sms_demo = MOUNT(&mount_sms_dlr, "/sms/demo", "dvc-sms-demo");
static const struct lws_http_mount mount_sms = MOUNT(&mount_sms_demo, "/sms/kannel", "dvc-sms");
static const struct lws_http_mount mount_stats_public =
    MOUNT(&mount_sms, "/api/v1/stats/public", "dvc-stats-public");
static const struct lws_http_mount mount_stats = MOUNT(&mount_stats_public, "/api/v1/stats", "dvc-stats");
static const struct lws_http_mount mount_complaints = MOUNT(&mount_stats, "/api/v1/complaints", "dvc-complaints");
static const struct lws_http_mount mount_dossiers = MOUNT(&mount_complaints, "/api/v1/dossiers", "dvc-dossiers");
static const struct lws_http_mount mount_chat_csat =
    MOUNT(&mount_dossiers, "/api/v1/chat/csat", "dvc-chat-csat");
static const struct lws_http_mount mount_chat_history =
    MOUNT(&mount_chat_csat, "/api/v1/chat/history", "dvc-chat-history");
static const struct lws_http_mount mount_chat = MOUNT(&mount_chat_history, "/api/v1/chat", "dvc-chat");
static const struct lws_http_mount mount_healthz = MOUNT(&mount_chat, "/healthz", "dvc-healthz");
static const struct lws_http_mount mount_readyz = MOUNT(&mount_healthz, "/readyz", "dvc-readyz");
static const struct lws_http_mount mount_metrics = MOUNT(&mount_readyz, "/metrics", "dvc-metrics");
/* Unknown /api/... paths answer the JSON 404 (a file never shadows the API). */
static const struct lws_http_mount mount_api = MOUNT(&mount_metrics, "/api", "dvc-notfound");
/* "/", "/agent", "/simulator" and the files of web/ (ep_static.c); every
 * other mount is more specific and comes after it, so it wins. */
static const struct lws_http_mount mount_root = MOUNT(&mount_api, "/", "dvc-static");

/* On every HTTP response, ours and lws's own (lws_add_http_header_status adds
 * the vhost's headers): the pages load only their own scripts, styles and
 * WebSocket, no other site may frame them (the operator console's take and
 * release buttons), and no answer is sniffed into another type. */
static const struct lws_protocol_vhost_options header_referrer = {
    NULL, NULL, "referrer-policy:", "no-referrer"};
static const struct lws_protocol_vhost_options header_nosniff = {
    &header_referrer, NULL, "x-content-type-options:", "nosniff"};
static const struct lws_protocol_vhost_options header_frames = {
    &header_nosniff, NULL, "x-frame-options:", "DENY"};
static const struct lws_protocol_vhost_options header_csp = {
    &header_frames, NULL, "content-security-policy:",
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"};

/* lws's own log lines become JSON lines like ours; notices are dropped. */
static void server_lws_log(int level, const char *line)
{
    size_t n = strlen(line);
    while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
        n--;
    if (level & LLL_ERR)
        log_error("lws: %.*s", (int)n, line);
    else
        log_info("lws: %.*s", (int)n, line);
}

/* lws 4.1 logs a failed bind and still returns a context that serves
 * nothing: the address is tried first, so a taken port ends the start with
 * one line saying what to do. 0, or -1 with err set. */
static int server_probe(const char *bind_addr, int port, char *err, size_t errlen)
{
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    if (inet_pton(AF_INET, bind_addr, &sa.sin_addr) != 1)
        return 0; /* an interface name: lws resolves it (and logs a failure) */
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1, rc = 0;
    if (fd < 0)
        return 0; /* lws will say why */
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
        int e = errno;
        snprintf(err, errlen, "cannot listen on %s:%d: %s: %s", bind_addr, port, strerror(e),
                 e == EADDRINUSE ? "another program (another dvcbot or make run?) has it; stop "
                                   "it or choose http.port (DVCBOT_HTTP_PORT)"
                 : e == EACCES   ? "ports below 1024 need privileges; choose http.port "
                                   "(DVCBOT_HTTP_PORT) above 1023"
                                 : "check http.bind and http.port (DVCBOT_HTTP_BIND, DVCBOT_HTTP_PORT)");
        rc = -1;
    }
    close(fd);
    return rc;
}

server *server_new(uv_loop_t *loop, const app *deps, char *err, size_t errlen)
{
    if (server_probe(deps->cfg->http.bind, deps->cfg->http.port, err, errlen) < 0)
        return NULL;
    server *s = xcalloc(1, sizeof(*s));
    s->app = deps;
    s->loop = loop;
    s->foreign_loops[0] = loop;

    lws_set_log_level(LLL_ERR | LLL_WARN, server_lws_log);
    struct lws_context_creation_info info;
    memset(&info, 0, sizeof(info));
    info.port = deps->cfg->http.port;
    info.iface = deps->cfg->http.bind;
    info.protocols = server_protocols;
    info.mounts = &mount_root;
    info.headers = &header_csp;
    info.options = LWS_SERVER_OPTION_LIBUV | LWS_SERVER_OPTION_DISABLE_IPV6 |
                   LWS_SERVER_OPTION_VALIDATE_UTF8 | LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
    info.foreign_loops = s->foreign_loops;
    info.user = (void *)deps; /* read back by http_app() */
    info.keepalive_timeout = deps->cfg->http.keepalive_s;
    info.timeout_secs = 20;
    info.max_http_header_data = 4096;
    conn_init(loop);
    s->ctx = lws_create_context(&info);
    if (!s->ctx) {
        conn_fini();
        snprintf(err, errlen, "cannot start the HTTP server on %s:%d (port in use, or the "
                 "libwebsockets-evlib-uv package missing?)", deps->cfg->http.bind,
                 deps->cfg->http.port);
        free(s);
        return NULL;
    }
    return s;
}

void server_stop(server *s)
{
    if (s && s->ctx)
        lws_context_destroy(s->ctx);
    conn_fini();
}

void server_free(server *s)
{
    if (!s)
        return;
    if (s->ctx)
        lws_context_destroy(s->ctx);
    conn_fini();
    http_gate_fini();
    free(s);
}

struct lws_context *server_lws(const server *s) { return s->ctx; }
