/* ep_push.c -- the webhook driver of the push channels (see ep_push.h). */
#include "bot/http/ep_push.h"

#include <stdlib.h>
#include <string.h>

#include "bot/app/log.h"
#include "bot/http/push_in.h"
#include "common/xmalloc.h"
#include "store/pushq.h"

typedef struct ep_push_ctx {
    http_pending *pending;
    const push_adapter *ad;
    size_t left;
    int failed;
    int fresh;                  /* events stored now (not replays) */
} ep_push_ctx;

static void ep_push_stored(int status, void *privdata)
{
    ep_push_ctx *c = privdata;
    if (status < 0)
        c->failed = 1;
    else if (status == 1)
        c->fresh++;
    if (--c->left)
        return;
    http_req *hr;
    struct lws *wsi = http_pending_done(c->pending, &hr);
    if (wsi) {
        if (c->failed) {
            http_error(wsi, hr, 503, "unavailable");
        } else {
            static const char ok[] = "{\"ok\":true}";
            http_respond(wsi, hr, 200, "application/json", ok, sizeof(ok) - 1);
            if (c->fresh)
                push_in_kick(http_app(wsi)->push_in, c->ad->name);
        }
    }
    free(c);
}

/* The signature header's value (NULL when absent), in a malloc'd copy. */
static char *ep_push_header(struct lws *wsi, const char *lower)
{
    char name[64], v[1024];
    size_t n = strlen(lower);
    if (n >= sizeof(name))
        return NULL;
    int got = lws_hdr_custom_copy(wsi, v, sizeof(v), lower, (int)n);
    if (got < 0) { /* as sent: "X-ZEvent-Signature:" / "X-Telegram-Bot-Api-Secret-Token:" */
        memcpy(name, lower, n + 1);
        for (size_t i = 0; i < n; i++)
            if (i == 0 || name[i - 1] == '-')
                name[i] = (char)(name[i] >= 'a' && name[i] <= 'z' ? name[i] - 32 : name[i]);
        if (!strncmp(name, "X-Zevent", 8))
            name[3] = 'E';
        got = lws_hdr_custom_copy(wsi, v, sizeof(v), name, (int)n);
    }
    return got >= 0 ? xstrndup(v, (size_t)got) : NULL;
}

static long long ep_push_now_ms(void)
{
    uv_timeval64_t tv;
    uv_gettimeofday(&tv);
    return (long long)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

static void ep_push_store(struct lws *wsi, http_req *hr, const push_adapter *ad,
                          push_events *evs)
{
    const app *ap = http_app(wsi);
    ep_push_ctx *c = xcalloc(1, sizeof(*c));
    c->ad = ad;
    c->pending = http_pending_new(wsi, hr);
    c->left = evs->n + 1; /* + 1: held until every call is made */
    long long now = ep_push_now_ms();
    for (size_t i = 0; i < evs->n; i++) {
        const push_event *e = &evs->v[i];
        size_t n;
        char *js = push_event_encode(e, &n);
        if (pushq_accept(ap->store, ad->name, e->id, e->user, js, e->kind != PUSH_EV_UNFOLLOW,
                         ap->cfg->push.dedup_ttl_s, now, ep_push_stored, c) < 0) {
            c->failed = 1;
            c->left--;
        }
        free(js);
    }
    ep_push_stored(0, c);
}

void ep_push_webhook(struct lws *wsi, http_req *hr, const push_adapter *ad,
                     const ep_push_keys *k)
{
    hr->channel = ad->name;
    if (!k->enabled) {
        http_error(wsi, hr, 404, "not_found");
        return;
    }
    if (http_json_body_check(wsi, hr) < 0)
        return;
    char *sig = ep_push_header(wsi, k->header);
    push_verify_in vi = {
        .signature = sig, .body = hr->body.data ? hr->body.data : "", .len = hr->body.len,
        .secret = k->secret, .app_id = k->app_id, .now_ms = ep_push_now_ms(),
        .window_ms = k->window_ms,
    };
    const char *err;
    int bad = ad->verify(&vi, &err) < 0;
    free(sig);
    if (bad) {
        log_info("push: %s: webhook refused: %s", ad->name, err);
        http_error(wsi, hr, 401, err);
        return;
    }
    push_events evs;
    if (ad->parse(vi.body, vi.len, &evs, &err) < 0) {
        http_error(wsi, hr, 400, err);
        return;
    }
    ep_push_store(wsi, hr, ad, &evs);
    push_events_clear(&evs);
}
