/* outbox_worker.c -- the outbox drainer's timer, rate limit, claims, retries
 * and delivery reports (see outbox_worker.h). The HTTP side is in
 * outbox_http.c; every Redis step is store/outbox_drain.h's. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bot/app/log.h"
#include "bot/outbox/outbox_int.h"
#include "common/xmalloc.h"
#include "store/outbox_drain.h"

#define OBX_TICK_MS 20          /* timer period */
#define OBX_IDLE_MS 200         /* polling period when the queues are empty */
#define OBX_PUMP_MS 250         /* retry pump period */
#define OBX_STALE_MS 5000       /* stale "sending" check period */
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
    (void)value;
    (void)pd;
    if (status < 0)
        log_error("outbox: could not record a result: %s", err ? err : "no reply");
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
    outbox_drain_finish(w->d.store, r->id, what, t, due, err, obx_finish_cb, NULL);
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
    w->tokens -= sms_segments(text, strlen(text), c->sms.unicode, NULL);
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

static void obx_claim_cb(int status, const outbox_claimed *m, size_t n, const char *err,
                         void *pd)
{
    outbox_worker *w = pd;
    w->claiming = 0;
    if (w->stopping || status < 0) {
        if (status < 0 && err)
            log_error("outbox: claim failed: %s", err);
        return;
    }
    if (n == 0)
        w->next_claim_ms = obx_now_ms() + OBX_IDLE_MS;
    for (size_t i = 0; i < n; i++)
        obx_start(w, &m[i]);
}

static void obx_recover_cb(int status, long long n, const char *err, void *pd)
{
    outbox_worker *w = pd;
    (void)err;
    if (w->stopping)
        return;
    if (status < 0) {
        w->recovered = 0; /* tried again on the next tick */
        return;
    }
    w->recovered = 1;
    if (n)
        log_info("outbox: %lld message(s) left sending by a previous run queued again", n);
}

/* Retries whose time has come; results Redis could not record. */
static void obx_housekeeping(outbox_worker *w, uint64_t now)
{
    if (now >= w->next_pump_ms) {
        w->next_pump_ms = now + OBX_PUMP_MS;
        outbox_drain_pump(w->d.store, now, OBX_PUMP_MAX, NULL, NULL);
    }
    if (now >= w->next_stale_ms) {
        w->next_stale_ms = now + OBX_STALE_MS;
        uint64_t cutoff = now - (uint64_t)w->d.cfg->sms.timeout_ms - OBX_STALE_MS;
        outbox_drain_recover(w->d.store, now, cutoff, NULL, NULL);
    }
}

static void obx_tick(uv_timer_t *t)
{
    outbox_worker *w = t->data;
    uint64_t now = obx_now_ms();
    double rate = w->d.cfg->sms.segments_per_s;
    double burst = rate / 5 < 1 ? 1 : rate / 5; /* 200 ms worth */
    w->tokens += rate * (double)(now - w->last_ms) / 1000.0;
    if (w->tokens > burst)
        w->tokens = burst;
    w->last_ms = now;
    if (!store_is_up(w->d.store))
        return;
    if (!w->recovered) {
        if (outbox_drain_recover(w->d.store, now, now, obx_recover_cb, w) == 0)
            w->recovered = -1; /* in flight */
        return;
    }
    if (w->recovered < 0)
        return;
    obx_housekeeping(w, now);
    int free_slots = w->d.cfg->sms.max_inflight - w->inflight;
    if (w->claiming || free_slots <= 0 || w->tokens < 1 || now < w->paused_until_ms ||
        now < w->next_claim_ms)
        return;
    int max = (int)w->tokens < free_slots ? (int)w->tokens : free_slots;
    if (outbox_drain_claim(w->d.store, max, now, obx_claim_cb, w) == 0)
        w->claiming = 1;
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
    const char *dlr = d->cfg->sms.dlr_base_url;
    if (!*dlr)
        snprintf(w->dlr_base, sizeof(w->dlr_base), "http://%s:%d/sms/kannel/dlr",
                 d->cfg->http.bind, d->cfg->http.port);
    else if (strcmp(dlr, "off"))
        snprintf(w->dlr_base, sizeof(w->dlr_base), "%s", dlr);
    w->last_ms = obx_now_ms();
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
