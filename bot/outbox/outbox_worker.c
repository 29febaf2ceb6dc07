/* outbox_worker.c -- the outbox drainer's timer, stream reads, claims within
 * the fleet's budget, retries and delivery reports (see outbox_worker.h). The HTTP side is in
 * outbox_http.c; every Redis step is store/outbox_drain.h's. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bot/app/log.h"
#include "bot/outbox/outbox_int.h"
#include "common/xmalloc.h"
#include "store/outbox_drain.h"

#define OBX_TICK_MS 20          /* timer period */
#define OBX_BLOCK_MS 1000       /* XREADGROUP BLOCK */
#define OBX_PUMP_MS 250         /* retry pump period */
#define OBX_LEASE_MARGIN_MS 5000 /* lease = sms.timeout_ms + this */
#define OBX_PUMP_MAX 100        /* retries moved per pump */

uint64_t obx_now_ms(void)
{
    uv_timeval64_t tv;
    uv_gettimeofday(&tv);
    return (uint64_t)tv.tv_sec * 1000 + (uint64_t)tv.tv_usec / 1000;
}

/* http://host[:port]/path -> host, port, path. */
static int obx_parse_url(outbox_worker *w, const char *url)
{
    if (strncmp(url, "http://", 7))
        return -1;
    const char *h = url + 7, *slash = strchr(h, '/');
    const char *colon = memchr(h, ':', slash ? (size_t)(slash - h) : strlen(h));
    size_t hl = colon ? (size_t)(colon - h) : slash ? (size_t)(slash - h) : strlen(h);
    if (hl == 0 || hl >= sizeof(w->host))
        return -1;
    memcpy(w->host, h, hl);
    w->host[hl] = '\0';
    w->port = colon ? atoi(colon + 1) : 80;
    snprintf(w->path, sizeof(w->path), "%s", slash ? slash : "/");
    return w->port > 0 && w->port < 65536 ? 0 : -1;
}

static void obx_finish_cb(int status, long long value, const char *err, void *pd)
{
    (void)pd;
    if (status < 0)
        log_error("outbox: could not record a result: %s", err ? err : "no reply");
    else if (value == 0)
        log_info("outbox: a result came after the message was taken over (sent twice)");
}

static long obx_backoff_ms(const outbox_worker *w, int attempts)
{
    long ms = w->d.cfg->sms.retry_base_ms;
    for (int i = 1; i < attempts && ms < w->d.cfg->sms.retry_max_ms; i++)
        ms *= 2;
    return ms < w->d.cfg->sms.retry_max_ms ? ms : w->d.cfg->sms.retry_max_ms;
}

void obx_finished(obx_req *r, obx_outcome o)
{
    outbox_worker *w = r->w;
    w->inflight--;
    if (w->stopping) { /* the store may be gone: recovered at next start */
        free(r);
        return;
    }
    char err[160];
    uint64_t t = obx_now_ms();
    outbox_drain_outcome what = OUTBOX_DRAIN_SENT;
    snprintf(err, sizeof(err), "%d %s", r->status, r->body);
    if (o == OBX_SENT) {
        w->sent++;
        w->pause_ms = 0;
    } else if (o == OBX_UNREACHABLE) {
        w->errors++;
        what = OUTBOX_DRAIN_REQUEUE;
        w->pause_ms = w->pause_ms ? w->pause_ms * 2 : w->d.cfg->sms.retry_base_ms;
        if (w->pause_ms > w->d.cfg->sms.retry_max_ms)
            w->pause_ms = w->d.cfg->sms.retry_max_ms;
        w->paused_until_ms = t + (uint64_t)w->pause_ms;
        snprintf(err, sizeof(err), "unreachable");
    } else {
        w->errors++;
        int last = r->attempts >= w->d.cfg->sms.max_attempts;
        what = last ? OUTBOX_DRAIN_FAILED : OUTBOX_DRAIN_RETRY;
        log_error("outbox: message %s refused by Kannel (%d), %s", r->id, r->status,
                  last ? "failed" : "retry");
    }
    uint64_t due = t + (uint64_t)obx_backoff_ms(w, r->attempts);
    outbox_drain_finish(w->d.store, w->owner, r->id, what, t, due, err, obx_finish_cb, NULL);
    free(r);
}

/* Start sending one claimed message. */
static void obx_start(outbox_worker *w, const outbox_claimed *m)
{
    obx_req *r = xcalloc(1, sizeof(*r));
    r->w = w;
    snprintf(r->id, sizeof(r->id), "%.*s", (int)m->id_len, m->id);
    r->attempts = m->attempts;
    const config *c = w->d.cfg;
    char *text = xstrndup(m->text, m->text_len);
    char *to = xstrndup(m->to, m->to_len);
    if (!c->sms.unicode) {
        size_t n;
        char *f = sms_gsm_fold(text, strlen(text), &n);
        free(text);
        text = f;
    }
    int segs = sms_segments(text, strlen(text), c->sms.unicode, NULL);
    w->debt += segs > 1 ? segs - 1 : 0;
    buf dlr = {0}, url = {0};
    if (w->dlr_base[0])
        buf_printf(&dlr, "%s%sid=%s&status=%%d%s%s", w->dlr_base,
                   strchr(w->dlr_base, '?') ? "&" : "?", r->id,
                   c->channels.secret[0] ? "&secret=" : "", c->channels.secret);
    sms_sendsms_url(&url, &(sms_send){.base_url = w->path, .username = c->sms.username,
                                      .password = c->sms.password, .from = c->sms.from,
                                      .to = to, .text = text, .unicode = c->sms.unicode,
                                      .dlr_url = dlr.data});
    w->inflight++;
    obx_http_send(w, r, url.data);
    buf_free(&dlr);
    buf_free(&url);
    free(text);
    free(to);
}

/* Entries read or taken over join the backlog once each, replies first
 * (an entry id is unique within its stream only). Never called while a claim
 * of the backlog's head is in flight. */
static void obx_backlog_add(outbox_worker *w, const outbox_entry *e, size_t n)
{
    for (size_t i = 0; i < n && w->nback < OBX_BACKLOG; i++) {
        size_t j = 0;
        while (j < w->nback && (strcmp(w->backlog[j].entry, e[i].entry) ||
                                strcmp(w->backlog[j].kind, e[i].kind)))
            j++;
        if (j < w->nback)
            continue;
        size_t at = w->nback;
        if (!strcmp(e[i].kind, "reply"))
            while (at > 0 && strcmp(w->backlog[at - 1].kind, "reply"))
                at--;
        memmove(&w->backlog[at + 1], &w->backlog[at], (w->nback - at) * sizeof(*e));
        w->backlog[at] = e[i];
        w->nback++;
    }
}

static void obx_claim_cb(int status, const outbox_claimed *m, size_t n, size_t done,
                         long wait_ms, const char *err, void *pd)
{
    outbox_worker *w = pd;
    w->claiming = 0;
    if (w->stopping || status < 0) {
        if (status < 0 && err)
            log_error("outbox: claim failed: %s", err);
        return;
    }
    w->debt = 0;
    if (done > w->nback)
        done = w->nback;
    memmove(w->backlog, w->backlog + done, (w->nback - done) * sizeof(w->backlog[0]));
    w->nback -= done;
    if (w->nback && wait_ms > 0)
        w->next_claim_ms = obx_now_ms() + (uint64_t)wait_ms;
    for (size_t i = 0; i < n; i++)
        obx_start(w, &m[i]);
}

static void obx_entries_cb(int status, const outbox_entry *e, size_t n, const char *err,
                           void *pd, int *flag)
{
    outbox_worker *w = pd;
    *flag = 0;
    if (w->stopping)
        return;
    if (status < 0 && err)
        log_error("outbox: stream read failed: %s", err);
    if (status == 0)
        obx_backlog_add(w, e, n);
}

static void obx_read_cb(int status, const outbox_entry *e, size_t n, const char *err, void *pd)
{
    outbox_worker *w = pd;
    obx_entries_cb(status, e, n, err, pd, &w->reading);
    if (status < 0 && err && !strncmp(err, "NOGROUP", 7) && !w->stopping)
        w->started = 0; /* the streams were deleted (FLUSHDB): create the group again */
}

static void obx_scan_cb(int status, const outbox_entry *e, size_t n, const char *err, void *pd)
{
    outbox_worker *w = pd;
    obx_entries_cb(status, e, n, err, pd, &w->scanning);
    if (n && !w->stopping)
        log_info("outbox: %zu message(s) of a stopped sender taken over", n);
}

/* After the start's pump: records of older versions are streamed; reading may begin. */
static void obx_started_cb(int status, long long n, const char *err, void *pd)
{
    outbox_worker *w = pd;
    (void)err;
    if (w->stopping)
        return;
    w->started = status == 0; /* else asked again on the next tick */
    if (n > 0)
        log_info("outbox: %lld message(s) of the list-based outbox moved to the streams", n);
}

static void obx_own_cb(int status, const outbox_entry *e, size_t n, const char *err, void *pd)
{
    outbox_worker *w = pd;
    obx_entries_cb(status, e, n, err, pd, &w->started);
    if (w->stopping)
        return;
    w->started = 0; /* asked again on the next tick unless the pump goes out */
    if (status == 0 && outbox_drain_pump(w->d.store, obx_now_ms(), OBX_PUMP_MAX * 10,
                                         w->lease_ms, obx_started_cb, w) == 0)
        w->started = -1;
    if (n)
        log_info("outbox: %zu message(s) left by a previous run of %s taken back", n,
                 w->consumer);
}

/* Retries whose time has come, records of older versions, the entries of
 * senders that stopped (idle past the lease). */
static void obx_housekeeping(outbox_worker *w, uint64_t now)
{
    if (now >= w->next_pump_ms) {
        w->next_pump_ms = now + OBX_PUMP_MS;
        outbox_drain_pump(w->d.store, now, OBX_PUMP_MAX, w->lease_ms, NULL, NULL);
    }
    if (now >= w->next_stale_ms && !w->scanning && !w->claiming && w->nback < OBX_BACKLOG / 2) {
        w->next_stale_ms = now + (uint64_t)w->lease_ms / 4;
        if (outbox_drain_pending(w->d.store, w->consumer, w->lease_ms, OBX_BACKLOG / 4,
                                 obx_scan_cb, w) == 0)
            w->scanning = 1;
    }
}

static void obx_tick(uv_timer_t *t)
{
    outbox_worker *w = t->data;
    uint64_t now = obx_now_ms();
    if (!store_is_up(w->d.store))
        return;
    if (!w->started) {
        if (outbox_drain_pending(w->d.store, w->consumer, -1, OBX_BACKLOG / 2, obx_own_cb, w) == 0)
            w->started = -1; /* in flight */
        return;
    }
    if (w->started < 0)
        return;
    obx_housekeeping(w, now);
    int free_slots = w->d.cfg->sms.max_inflight - w->inflight;
    if (w->claiming || w->scanning || free_slots <= 0 || now < w->paused_until_ms ||
        now < w->next_claim_ms)
        return;
    if (w->nback) {
        size_t n = w->nback < (size_t)free_slots ? w->nback : (size_t)free_slots;
        outbox_claim_args a = {.owner = w->owner, .now_ms = now, .lease_ms = w->lease_ms,
                               .rate = w->d.cfg->sms.segments_per_s, .debt = w->debt};
        if (outbox_drain_claim(w->d.store, &a, w->backlog, n, obx_claim_cb, w) == 0)
            w->claiming = 1;
    } else if (!w->reading && store_is_up(w->blk) &&
               outbox_drain_read(w->blk, w->consumer, free_slots, OBX_BLOCK_MS, obx_read_cb,
                                 w) == 0) {
        w->reading = 1;
    }
}

/* {hostname}:{port}, the consumer name, and a fresh boot token. */
static void obx_names(outbox_worker *w)
{
    char host[64] = "dvcbot";
    gethostname(host, sizeof(host) - 1);
    host[sizeof(host) - 1] = '\0';
    snprintf(w->consumer, sizeof(w->consumer), "%s:%d", host, w->d.cfg->http.port);
    uv_timeval64_t tv;
    uv_gettimeofday(&tv);
    snprintf(w->owner, sizeof(w->owner), "%s|%lx%lx-%x", w->consumer, (unsigned long)tv.tv_sec,
             (unsigned long)tv.tv_usec, (unsigned)uv_os_getpid());
}

/* The dlr-url base: sms.dlr_base_url, else the fleet's public address,
 * else this instance's own. */
static void obx_dlr_base(outbox_worker *w)
{
    const config *c = w->d.cfg;
    const char *dlr = c->sms.dlr_base_url, *pub = c->http.public_url;
    if (*dlr && strcmp(dlr, "off"))
        snprintf(w->dlr_base, sizeof(w->dlr_base), "%s", dlr);
    else if (!*dlr && pub && *pub)
        snprintf(w->dlr_base, sizeof(w->dlr_base), "%.*s/sms/kannel/dlr",
                 (int)(strlen(pub) - (pub[strlen(pub) - 1] == '/')), pub);
    else if (!*dlr)
        snprintf(w->dlr_base, sizeof(w->dlr_base), "http://%s:%d/sms/kannel/dlr", c->http.bind,
                 c->http.port);
}

outbox_worker *outbox_worker_new(const outbox_worker_deps *d, char *err, size_t errlen)
{
    outbox_worker *w = xcalloc(1, sizeof(*w));
    w->d = *d;
    if (obx_parse_url(w, d->cfg->sms.kannel_sendsms_url) < 0) {
        snprintf(err, errlen, "sms.kannel_sendsms_url: expected http://host[:port]/path, got '%s'",
                 d->cfg->sms.kannel_sendsms_url);
        free(w);
        return NULL;
    }
    store_options so = {.url = d->cfg->redis.url,
                        .timeout_ms = d->cfg->redis.timeout_ms + OBX_BLOCK_MS,
                        .reconnect_max_ms = d->cfg->redis.reconnect_max_ms,
                        .sentinels = d->cfg->redis.sentinels,
                        .master_name = d->cfg->redis.master_name,
                        .password = d->cfg->redis.password};
    if (!(w->blk = store_new(d->loop, &so, err, errlen))) {
        free(w);
        return NULL;
    }
    obx_dlr_base(w);
    obx_names(w);
    w->lease_ms = d->cfg->sms.timeout_ms + OBX_LEASE_MARGIN_MS;
    outbox_drain_set_retention((long)d->cfg->sms.retention_days * 86400);
    uv_timer_init(d->loop, &w->timer);
    w->timer.data = w;
    uv_timer_start(&w->timer, obx_tick, OBX_TICK_MS, OBX_TICK_MS);
    return w;
}

static void obx_timer_closed(uv_handle_t *h)
{
    (void)h;
}

void outbox_worker_stop(outbox_worker *w)
{
    if (!w || w->stopping)
        return;
    w->stopping = 1;
    store_close(w->blk);
    w->blk = NULL;
    uv_timer_stop(&w->timer);
    uv_close((uv_handle_t *)&w->timer, obx_timer_closed);
}

void outbox_worker_free(outbox_worker *w)
{
    if (!w)
        return;
    outbox_worker_stop(w);
    free(w);
}

unsigned long outbox_worker_sent(const outbox_worker *w) { return w ? w->sent : 0; }
unsigned long outbox_worker_errors(const outbox_worker *w) { return w ? w->errors : 0; }

typedef struct obx_dlr_call {
    outbox_dlr_fn *done;
    void *ctx;
} obx_dlr_call;

static void obx_dlr_cb(int status, long long value, const char *err, void *pd)
{
    obx_dlr_call *c = pd;
    (void)value;
    if (status < 0 && err)
        log_error("outbox: DLR script: %s", err);
    c->done(status < 0 ? -1 : 0, c->ctx);
    free(c);
}

int outbox_worker_dlr(store *s, const sms_dlr *d, outbox_dlr_fn *done, void *ctx)
{
    const char *state = sms_dlr_state(d->status);
    if (!state)
        return -1;
    obx_dlr_call *c = xmalloc(sizeof(*c));
    c->done = done;
    c->ctx = ctx;
    if (outbox_drain_dlr(s, d->id, state, sms_state_rank(state), obx_now_ms(), obx_dlr_cb,
                         c) < 0) {
        free(c);
        return -1;
    }
    return 0;
}
