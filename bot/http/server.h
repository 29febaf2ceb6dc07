/* server.h -- the HTTP/WebSocket server: an lws context on a libuv loop we own.
 *
 * server_new() creates the lws context on the caller's loop (foreign loop,
 * LWS_SERVER_OPTION_LIBUV) with one protocol per concern and the mounts of
 * SPEC.md. Requests are parsed by the channel codecs and handed to the router.
 *
 * Ownership: the server borrows the struct app and everything it points to;
 * they must outlive it (endpoints read it with http_app()). Shutdown (see docs/architecture.md): server_stop() starts closing the
 * lws handles; run the loop until it drains; then server_free(). */
#ifndef DVC_BOT_HTTP_SERVER_H
#define DVC_BOT_HTTP_SERVER_H

#include <stddef.h>
#include <uv.h>

#include "bot/app/app.h"

typedef struct server server;


/* Returns NULL with a message in err if the context cannot be created (port
 * in use, evlib plugin missing, ...). */
server *server_new(uv_loop_t *loop, const app *deps, char *err, size_t errlen);
void server_stop(server *s);
void server_free(server *s);

/* The lws context (for client connections on the same loop, e.g. the outbox worker). */
struct lws_context *server_lws(const server *s);

#endif
