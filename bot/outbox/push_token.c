/* push_token.c -- the Zalo access-token refresh, single-flight across every
 * gateway instance: the Redis lock (pushq_token_lock) is taken first, the
 * stored pair re-read under it (another instance may have refreshed while
 * we waited: then nothing is spent), and only the lock's owner stores the
 * new pair. A refresh token is single-use, so two instances refreshing at
 * once would leave one of them with a dead pair. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bot/app/log.h"
#include "bot/outbox/push_int.h"
#include "channels/zalo.h"
#include "common/xmalloc.h"
#include "store/pushq.h"

#define PW_LOCK_TTL_MS 15000

typedef struct pw_refresh {
    pw_plat *pl;
    char *bad;                  /* the token an API refused, or NULL */
} pw_refresh;

static void pw_refresh_end(pw_refresh *r)
{
    r->pl->refreshing = 0;
    free(r->bad);
    free(r);
}

static void pw_put_done(int status, void *privdata)
{
    pw_refresh *r = privdata;
    if (status == 0)
        log_error("push: zalo: the refresh lock expired before the new token was stored");
    pw_refresh_end(r);
}

/* Release the lock without storing anything; ends r. */
static void pw_release(pw_refresh *r)
{
    if (pushq_token_put(r->pl->w->d.store, "zalo", r->pl->w->consumer, NULL, NULL, 0,
                        pw_put_done, r) < 0)
        pw_refresh_end(r);
}

static void pw_refreshed(pw_http *h)
{
    pw_refresh *r = h->ctx;
    char *access = NULL, *refresh = NULL;
    long ex = 0;
    if (r->pl->w->stopping) {
        pw_refresh_end(r);
    } else if (h->status == 200 && zalo_parse_token(h->answer.data ? h->answer.data : "",
                                                    h->answer.len, &access, &refresh, &ex) == 0) {
        long long at = (long long)pw_now_ms() + (long long)ex * 1000;
        log_info("push: zalo: access token refreshed (valid %ld s)", ex);
        if (pushq_token_put(r->pl->w->d.store, "zalo", r->pl->w->consumer, access, refresh, at,
                            pw_put_done, r) < 0) {
            log_error("push: zalo: a refreshed token could not be stored (Redis down)");
            pw_refresh_end(r);
        }
    } else {
        log_error("push: zalo: token refresh refused: HTTP %d %.200s", h->status,
                  h->answer.data ? h->answer.data : "");
        pw_release(r);
    }
    free(access);
    free(refresh);
    pw_http_free(h);
}

static void pw_locked_pair(int status, const char *access, const char *refresh,
                           long long expires_at_ms, void *privdata)
{
    pw_refresh *r = privdata;
    const config *c = r->pl->w->d.cfg;
    long long now = (long long)pw_now_ms();
    if (status < 0) {
        pw_release(r);
        return;
    }
    if (access && r->bad && strcmp(access, r->bad) && (!expires_at_ms || expires_at_ms > now)) {
        pw_release(r); /* another instance refreshed it already */
        return;
    }
    if (!refresh) {
        log_error("push: zalo: no refresh token stored (zalo.refresh_token)");
        pw_release(r);
        return;
    }
    pw_http *h = xcalloc(1, sizeof(*h));
    h->w = r->pl->w;
    h->url = &r->pl->oauth;
    snprintf(h->path, sizeof(h->path), "%s/v4/oa/access_token", h->url->path);
    h->ctype = "application/x-www-form-urlencoded";
    h->hname = "secret_key:";
    snprintf(h->hvalue, sizeof(h->hvalue), "%s", c->zalo.app_secret);
    h->done = pw_refreshed;
    h->ctx = r;
    size_t len;
    char *body = zalo_render_refresh(c->zalo.app_id, refresh, &len);
    pw_http_start(h, body, len);
    free(body);
}

static void pw_lock_done(int status, void *privdata)
{
    pw_refresh *r = privdata;
    if (status != 1 || r->pl->w->stopping) { /* another instance refreshes */
        pw_refresh_end(r);
        return;
    }
    if (pushq_token_get(r->pl->w->d.store, "zalo", pw_locked_pair, r) < 0)
        pw_release(r);
}

void pw_token_refresh(pw_plat *pl, const char *bad)
{
    if (pl->refreshing || pl->w->stopping)
        return;
    pw_refresh *r = xcalloc(1, sizeof(*r));
    r->pl = pl;
    r->bad = bad ? xstrdup(bad) : NULL;
    pl->refreshing = 1;
    if (pushq_token_lock(pl->w->d.store, "zalo", pl->w->consumer, PW_LOCK_TTL_MS, pw_lock_done,
                         r) < 0)
        pw_refresh_end(r);
}
