/* outbox_int.h -- private to the outbox worker (outbox_worker.c,
 * outbox_http.c): the worker and one sendsms request. */
#ifndef DVC_BOT_OUTBOX_OUTBOX_INT_H
#define DVC_BOT_OUTBOX_OUTBOX_INT_H

#include <stdint.h>

#include "bot/outbox/outbox_worker.h"
#include "common/buf.h"
#include "store/outbox_drain.h"

#define OBX_BACKLOG 64          /* stream entries read and not yet claimed */

struct outbox_worker {
    outbox_worker_deps d;
    uv_timer_t timer;
    store *blk;                 /* our own connection for the blocking XREADGROUP */
    int stopping;
    int started;                /* 0, -1 own pending entries asked, 1 read */
    int claiming;               /* a claim script is in flight */
    int reading;                /* an XREADGROUP is in flight (blk) */
    int scanning;               /* an XAUTOCLAIM is in flight */
    int inflight;               /* sendsms requests in flight */
    double debt;                /* segments beyond one per message, not yet charged */
    long lease_ms;              /* a claim older than this is a dead sender's */
    char consumer[128];         /* {hostname}:{http.port}: stable across restarts */
    char owner[160];            /* {consumer}|{boot}: this run */
    outbox_entry backlog[OBX_BACKLOG];
    size_t nback;
    uint64_t next_claim_ms;     /* budget spent: claim again then */
    uint64_t next_pump_ms;      /* next retry pump */
    uint64_t next_stale_ms;     /* next look for a dead sender's entries */
    uint64_t paused_until_ms;   /* Kannel unreachable: wait */
    int pause_ms;               /* current pause, doubling */
    char host[128];             /* from sms.kannel_sendsms_url */
    int port;
    char path[512];
    char dlr_base[256];         /* "" = no delivery reports */
    unsigned long sent, errors;
};

typedef enum obx_outcome {
    OBX_SENT,                   /* Kannel took it (2xx) */
    OBX_REFUSED,                /* Kannel answered an error: retry or fail */
    OBX_UNREACHABLE,            /* no answer: queue again, pause */
} obx_outcome;

typedef struct obx_req {
    outbox_worker *w;
    struct lws *wsi;
    char id[24];
    int attempts;
    int status;                 /* HTTP status, 0 before the answer */
    int connecting;             /* inside lws_client_connect_via_info */
    int finished;
    char body[128];             /* start of Kannel's answer, for the log */
    size_t blen;
} obx_req;

/* outbox_http.c: send one message; obx_finished() is called exactly once. */
void obx_http_send(outbox_worker *w, obx_req *r, const char *path);
/* outbox_worker.c: the request ended with an outcome (r is freed). */
void obx_finished(obx_req *r, obx_outcome o);

uint64_t obx_now_ms(void);

#endif
