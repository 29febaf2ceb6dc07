/* ws_queue.c -- per-connection outgoing WebSocket frames (see ws_queue.h). */
#include "bot/http/ws_queue.h"

#include <stdlib.h>
#include <string.h>

#include "common/xmalloc.h"

struct ws_qitem {
    ws_qitem *next;
    size_t len;
    unsigned char data[];       /* LWS_PRE bytes, then the frame */
};

int ws_queue_push(ws_queue *q, const char *text, size_t len, size_t max)
{
    if (q->n >= max)
        return -1;
    ws_qitem *it = xmalloc(sizeof(*it) + LWS_PRE + len);
    it->next = NULL;
    it->len = len;
    memcpy(it->data + LWS_PRE, text, len);
    if (q->tail)
        q->tail->next = it;
    else
        q->head = it;
    q->tail = it;
    q->n++;
    return 0;
}

int ws_queue_write(ws_queue *q, struct lws *wsi)
{
    ws_qitem *it = q->head;
    if (!it)
        return 0;
    q->head = it->next;
    if (!q->head)
        q->tail = NULL;
    q->n--;
    int n = lws_write(wsi, it->data + LWS_PRE, it->len, LWS_WRITE_TEXT);
    free(it);
    if (n < 0)
        return -1;
    if (q->head)
        lws_callback_on_writable(wsi);
    return 0;
}

int ws_queue_send(ws_queue *q, struct lws *wsi, const char *text, size_t len, size_t max)
{
    if (q->head || lws_partial_buffered(wsi)) {
        if (ws_queue_push(q, text, len, max) < 0)
            return -1;
        lws_callback_on_writable(wsi);
        return 0;
    }
    unsigned char small[LWS_PRE + 4096];   /* most replies: no allocation */
    unsigned char *b = len <= sizeof(small) - LWS_PRE ? small : xmalloc(LWS_PRE + len);
    memcpy(b + LWS_PRE, text, len);
    int n = lws_write(wsi, b + LWS_PRE, len, LWS_WRITE_TEXT);
    if (b != small)
        free(b);
    return n < 0 ? -1 : 0;
}

void ws_queue_clear(ws_queue *q)
{
    while (q->head) {
        ws_qitem *it = q->head;
        q->head = it->next;
        free(it);
    }
    q->tail = NULL;
    q->n = 0;
}
