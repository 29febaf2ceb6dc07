/* push_int.h -- private to the push sender (push_worker.c, push_send.c,
 * push_http.c): the worker, its platforms and one API request. */
#ifndef DVC_BOT_OUTBOX_PUSH_INT_H
#define DVC_BOT_OUTBOX_PUSH_INT_H

#include <stdint.h>

#include "bot/outbox/push_worker.h"
#include "channels/push.h"
#include "common/buf.h"

typedef struct push_url {
    char host[128];
    int port;
    int tls;
    char path[256];             /* the base path, "" for none */
} push_url;

typedef struct pw_plat {
    struct push_worker *w;
    const push_adapter *ad;
    const char *name;           /* "zalo", "telegram" */
    int enabled;
    push_url api, oauth, zns;
    int rate;                   /* sends per second */
    double tokens;
    uint64_t last_ms;
    int reading;                /* a read of the out stream is in flight */
    int inflight;
    uint64_t paused_until_ms;   /* quota / rate limit: wait */
    uint64_t next_slow_ms;      /* next pump and notices poll */
    long notice_cursor;
    int refreshing;             /* a token refresh of this process is in flight */
    int inited;                 /* groups created (once the store is up) */
    int seeded;                 /* the configured token pair was offered to Redis */
    char *busy[64];             /* users with a request in flight */
} pw_plat;

struct push_worker {
    push_worker_deps d;
    uv_timer_t timer;
    int stopping;
    char consumer[64];          /* this process in the consumer groups */
    pw_plat p[2];
    unsigned long sent, errors;
};

/* How a job ends (pw_job_end). */
typedef enum pw_end {
    PW_ACK,                     /* sent, or dropped: acknowledged */
    PW_LATER,                   /* kept for delay_ms (from call next, attempts counted) */
    PW_OPTOUT,                  /* the user blocked us: opted out, acknowledged */
} pw_end;

/* One out-stream entry being sent (owned by the worker while in flight). */
typedef struct pw_job {
    pw_plat *pl;
    char *id;                   /* stream id */
    char *user;
    char *calls;                /* the JSON array of [method, body] */
    int next, attempts;
    pw_end end;
    long delay_ms;
    const char *why;            /* for the log of a dropped job */
} pw_job;

/* One HTTP request of the lws client. done is called exactly once. */
typedef struct pw_http pw_http;
typedef void pw_http_done(pw_http *h);
struct pw_http {
    push_worker *w;
    const push_url *url;
    char path[1024];
    const char *ctype;
    const char *hname;          /* one extra header ("access_token:"), or NULL */
    char hvalue[1024];
    char *body;                 /* LWS_PRE headroom, then len bytes */
    size_t len;
    int status;                 /* 0 before (or without) an answer */
    buf answer;                 /* capped */
    int connecting, finished;
    struct lws *wsi;
    pw_http_done *done;
    void *ctx;
};

int pw_url_parse(push_url *u, const char *url);
/* Start h (filled by the caller; body copied). */
void pw_http_start(pw_http *h, const char *body, size_t len);
void pw_http_free(pw_http *h);

/* push_send.c: send a job's next call; pw_job_end() when it is settled. */
void pw_job_send(pw_job *j);
void pw_job_free(pw_job *j);
/* push_worker.c: the job is over (acknowledged, retried or dropped). */
void pw_job_end(pw_job *j);
/* Zalo: refresh the access token (one instance, under the Redis lock);
 * bad is the token an API refused (NULL: it expired). */
void pw_token_refresh(pw_plat *pl, const char *bad);

uint64_t pw_now_ms(void);

#endif
