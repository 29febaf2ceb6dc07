/* limit.c -- client address and the per-address budget of every endpoint,
 * or the per-key budget of an agency API key (see limit.h). */
#include "bot/http/limit.h"

#include <stdlib.h>
#include <string.h>

#include "bot/app/config.h"
#include "bot/app/log.h"
#include "common/xmalloc.h"
#include "bot/http/auth.h"
#include "bot/http/http_gate.h"
#include "store/keys.h"
#include "store/ratelimit.h"

typedef struct limit_wait {
    http_pending *p;
    const http_endpoint *ep;
    char *rest;
    char addr[HTTP_ADDR_MAX];
    char hex[KEYS_HASH_HEX];    /* the request's Bearer key hash, or "" */
    store *store;
    int addr_limit, agency_limit, window_s; /* of the config the request came under */
} limit_wait;

void http_client_addr(struct lws *wsi, char *out, size_t n)
{
    const config *cfg = http_app(wsi)->cfg;
    http_gate_peer(wsi, out, n);
    if (!strncmp(out, "::ffff:", 7))
        memmove(out, out + 7, strlen(out + 7) + 1);
    if (!*cfg->limits.trusted_proxies || !config_addr_in(cfg->limits.trusted_proxies, out))
        return;
    char xff[512];
    int len = lws_hdr_copy(wsi, xff, sizeof(xff), WSI_TOKEN_X_FORWARDED_FOR);
    if (len <= 0)
        return;
    char *last = strrchr(xff, ',');
    last = last ? last + 1 : xff;
    last += strspn(last, " \t");
    size_t k = strcspn(last, " \t");
    if (k && k < n) {
        memcpy(out, last, k);
        out[k] = '\0';
    }
}

const char *http_req_addr(struct lws *wsi, http_req *hr)
{
    if (!hr->addr_known) {
        http_client_addr(wsi, hr->addr, sizeof(hr->addr));
        hr->addr_known = 1;
    }
    return hr->addr;
}

void http_limit_refuse(struct lws *wsi, http_req *hr, int retry_after_s)
{
    hr->retry_after = retry_after_s > 0 ? retry_after_s : 1;
    http_error(wsi, hr, 429, "rate_limited");
}

/* The request passed: the endpoint's hooks, as the driver would have run them. */
static void limit_go_on(struct lws *wsi, http_req *hr, const http_endpoint *ep,
                        const char *rest)
{
    if (ep->on_request)
        ep->on_request(wsi, hr, rest);
    if (hr->resp || hr->pending || hr->closing || !hr->body_done || !ep->on_body)
        return; /* answered, waiting, or the body is still coming (the driver runs on_body) */
    if (hr->too_large)
        http_error(wsi, hr, 413, "too_large");
    else
        ep->on_body(wsi, hr);
}

static void limit_done(int status, int retry_after_s, void *ctx)
{
    limit_wait *w = ctx;
    http_req *hr;
    struct lws *wsi = http_pending_done(w->p, &hr);
    if (wsi) {
        if (status == 0)
            http_limit_refuse(wsi, hr, retry_after_s);
        else
            limit_go_on(wsi, hr, w->ep, w->rest);
    }
    free(w->rest);
    free(w);
}

/* Count w's request in one budget: the key's when agency (the key is an
 * agency's), else the address's; -1 (nothing sent) when the store is down. */
static int limit_count(limit_wait *w, int agency)
{
    ratelimit_rule rule = {"addr", w->addr, w->addr_limit, w->window_s};
    if (agency)
        rule = (ratelimit_rule){"key", w->hex, w->agency_limit, w->window_s};
    return ratelimit_hit(w->store, &rule, 1, limit_done, w);
}

/* Whose key the Bearer header holds: an agency's gets the key's budget;
 * an unknown or an operator's key, the address's. */
static void limit_keyed(int status, const char *agency, const char *role, void *ctx)
{
    limit_wait *w = ctx;
    int is_agency = status == 0 && !strcmp(role, "agency") && keys_agency_valid(agency);
    if (limit_count(w, is_agency) < 0)
        limit_done(-1, 0, w);   /* the request goes on (it answers 503 if it needs Redis) */
}

void http_limit_request(struct lws *wsi, http_req *hr, const http_endpoint *ep,
                        const char *rest)
{
    const app *ap = http_app(wsi);
    const config *cfg = ap->cfg;
    const char *addr = http_req_addr(wsi, hr);
    if (ep->channel || ep->budget_in_router || !*addr || !store_is_up(ap->store) ||
        (cfg->limits.addr_per_window <= 0 && cfg->limits.agency_per_window <= 0)) {
        limit_go_on(wsi, hr, ep, rest);
        return;
    }
    limit_wait *w = xcalloc(1, sizeof(*w));
    w->ep = ep;
    w->rest = xstrdup(rest ? rest : "");
    memcpy(w->addr, addr, sizeof(w->addr));
    w->store = ap->store;
    w->addr_limit = cfg->limits.addr_per_window;
    w->agency_limit = cfg->limits.agency_per_window;
    w->window_s = cfg->limits.window_s;
    w->p = http_pending_new(wsi, hr);
    if (w->agency_limit > 0 && auth_bearer_hash(wsi, w->hex) == 0 &&
        keys_lookup(ap->store, w->hex, limit_keyed, w) == 0)
        return;
    w->hex[0] = '\0';
    if (limit_count(w, 0) < 0) {
        http_pending_abort(hr);
        free(w->rest);
        free(w);
        limit_go_on(wsi, hr, ep, rest);
    }
}
