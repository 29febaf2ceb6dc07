/* ws_queue.h -- the outgoing frame queue of one WebSocket connection.
 *
 * Frames are copied in with LWS_PRE bytes of headroom and written one per
 * LWS_CALLBACK_SERVER_WRITEABLE (never elsewhere). Used by the chat
 * (bot/ep_ws.c) and agent console (bot/agent_ws.c) protocols.
 * ws_queue_clear frees what is left; a zeroed queue is empty. */
#ifndef DVC_BOT_HTTP_WS_QUEUE_H
#define DVC_BOT_HTTP_WS_QUEUE_H

#include <stddef.h>
#include <libwebsockets.h>

typedef struct ws_qitem ws_qitem;

typedef struct ws_queue {
    ws_qitem *head, *tail;
    size_t n;
} ws_queue;

/* Copy a text frame in. -1 (nothing queued) when max frames are waiting. */
int ws_queue_push(ws_queue *q, const char *text, size_t len, size_t max);
/* Write the oldest frame to wsi; ask for WRITEABLE again if more wait.
 * 0, or -1 when the write failed (close the connection). */
int ws_queue_write(ws_queue *q, struct lws *wsi);
void ws_queue_clear(ws_queue *q);

#endif
