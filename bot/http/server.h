/* server.h -- the HTTP/WebSocket server: an lws context on a libuv loop we own.
 *
 * server_new() creates the lws context on the caller's loop (foreign loop,
 * LWS_SERVER_OPTION_LIBUV) with one protocol per concern and the mounts of
 * SPEC.md. Requests are parsed by the channel codecs and handed to the router.
 *
 * Ownership: the server borrows everything in server_deps; they must outlive
 * it. Shutdown (see docs/architecture.md): server_stop() starts closing the
 * lws handles; run the loop until it drains; then server_free(). */
#ifndef DVC_SERVER_H
#define DVC_SERVER_H

#include <stddef.h>
#include <uv.h>

#include "bot/app/config.h"
#include "bot/app/messages.h"
#include "bot/app/metrics.h"
#include "bot/conv/router.h"
#include "store/redis.h"

typedef struct server server;

typedef struct server_deps {
    const config *cfg;
    const messages *msgs;
    metrics *metrics;
    router *router;
    store *store;
    struct ussd_flow *ussd;     /* the USSD engine (bot/ussd_flow.h) */
    struct agent_hub *agent;    /* human hand-off (bot/agent.h); NULL: no /ws/agent */
} server_deps;

/* Returns NULL with a message in err if the context cannot be created (port
 * in use, evlib plugin missing, ...). */
server *server_new(uv_loop_t *loop, const server_deps *deps, char *err, size_t errlen);
void server_stop(server *s);
void server_free(server *s);

const config *server_config(const server *s);
const messages *server_messages(const server *s);
metrics *server_metrics(const server *s);
router *server_router(const server *s);
store *server_store(const server *s);
struct ussd_flow *server_ussd(const server *s);
struct agent_hub *server_agent(const server *s);
/* The lws context (for client connections on the same loop, e.g. the outbox worker). */
struct lws_context *server_lws(const server *s);

#endif
