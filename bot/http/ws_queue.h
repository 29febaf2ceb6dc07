/* ws_queue.h -- the outgoing frame queue of one WebSocket connection.
 *
 * Frames are copied in with LWS_PRE bytes of headroom and written one per
 * LWS_CALLBACK_SERVER_WRITEABLE; ws_queue_send() (outside every lws
 * callback) writes a frame at once when nothing waits before it. Used by the
 * chat (bot/ep_ws.c) and agent console (bot/agent_ws.c) protocols.
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
/* Only from outside every lws callback (a Redis completion): when no frame
 * waits in q and lws holds no partial write of wsi, write the text frame now
 * (no WRITEABLE round trip: two poll changes and a loop iteration less);
 * otherwise queue it as ws_queue_push() and ask for WRITEABLE. A frame lws
 * cannot send at once is kept and flushed by lws itself, in order. 0, or -1
 * when the queue is full (nothing queued) or the write failed: close. */
int ws_queue_send(ws_queue *q, struct lws *wsi, const char *text, size_t len, size_t max);
void ws_queue_clear(ws_queue *q);

#endif
