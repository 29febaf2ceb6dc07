/* push_worker.c -- the push sender's timer, rate limits, per-user order,
 * job endings and notices (see push_worker.h). Sending is push_send.c, the
 * token refresh push_token.c, HTTP push_http.c; every Redis step is
 * store/pushq.h's. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bot/app/log.h"
#include "bot/outbox/push_int.h"
#include "channels/telegram.h"
#include "channels/zalo.h"
#include "common/buf.h"
#include "common/xmalloc.h"
#include "store/pushq.h"

#define PW_SLOW_MS 1000         /* retry pump and notices poll period */
#define PW_NOTICE_USERS 200     /* users whose notices one poll looks at */
#define PW_BUSY_WAIT_MS 100     /* an entry of a busy user waits this long */

uint64_t pw_now_ms(void)
{
    uv_timeval64_t tv;
    uv_gettimeofday(&tv);
    return (uint64_t)tv.tv_sec * 1000 + (uint64_t)tv.tv_usec / 1000;
}

static int pw_busy(pw_plat *pl, const char *user, int take)
{
    int free_slot = -1;
    for (int i = 0; i < 64; i++) {
        if (pl->busy[i] && !strcmp(pl->busy[i], user))
            return 1;
        if (!pl->busy[i] && free_slot < 0)
            free_slot = i;
    }
    if (take && free_slot >= 0)
        pl->busy[free_slot] = xstrdup(user);
    return 0;
}

static void pw_unbusy(pw_plat *pl, const char *user)
{
    for (int i = 0; i < 64; i++)
        if (pl->busy[i] && !strcmp(pl->busy[i], user)) {
            free(pl->busy[i]);
            pl->busy[i] = NULL;
        }
}

/* Keep the fields of a calls entry for later. */
static void pw_keep(pw_plat *pl, const char *id, const char *user, const char *calls, int next,
                    int attempts, long delay_ms)
{
    char nx[16], at[16];
    snprintf(nx, sizeof(nx), "%d", next);
    snprintf(at, sizeof(at), "%d", attempts);
    const char *f[] = {"kind", "user", "calls", "next", "attempts"};
    const char *v[] = {"calls", user, calls, nx, at};
    pushq_later(pl->w->d.store, pl->name, PUSHQ_OUT, id, 5, f, v,
                (long long)pw_now_ms() + delay_ms, NULL, NULL);
}

void pw_job_end(pw_job *j)
{
    pw_plat *pl = j->pl;
    store *s = pl->w->d.store;
    if (j->end == PW_LATER) {
        pw_keep(pl, j->id, j->user, j->calls, j->next, j->attempts, j->delay_ms);
    } else {
        if (j->end == PW_OPTOUT) {
            log_info("push: %s: user blocked us: opted out", pl->name);
            pushq_follow(s, pl->name, j->user, 0, NULL, NULL);
        } else if (j->why) {
            log_error("push: %s %s: dropped: %s", pl->name, j->id, j->why);
        }
        pushq_ack(s, pl->name, PUSHQ_OUT, j->id, NULL, NULL);
    }
    pw_unbusy(pl, j->user);
    pl->inflight--;
    pw_job_free(j);
}

static void pw_start_calls(pw_plat *pl, const pushq_entry *e)
{
    const char *user = pushq_get(e, "user"), *calls = pushq_get(e, "calls");
    const char *nx = pushq_get(e, "next"), *at = pushq_get(e, "attempts");
    if (!user || !calls) {
        pushq_ack(pl->w->d.store, pl->name, PUSHQ_OUT, e->id, NULL, NULL);
        return;
    }
    if (pw_busy(pl, user, 1)) { /* the user's earlier message goes first */
        pw_keep(pl, e->id, user, calls, nx ? atoi(nx) : 0, at ? atoi(at) : 0, PW_BUSY_WAIT_MS);
        return;
    }
    pw_job *j = xcalloc(1, sizeof(*j));
    j->pl = pl;
    j->id = xstrdup(e->id);
    j->user = xstrdup(user);
    j->calls = xstrdup(calls);
    j->next = nx ? atoi(nx) : 0;
    j->attempts = at ? atoi(at) : 0;
    pl->inflight++;
    pw_job_send(j);
}

/* --- notices ------------------------------------------------------------- */
typedef struct pw_notice {
    pw_plat *pl;
    char *id, *user, *notice;
} pw_notice;

/* Queue the calls of r for user as one entry. */
static void pw_queue_reply(pw_plat *pl, const char *user, const reply *r)
{
    push_calls calls = {0};
    push_texts t = {.more = messages_get(pl->w->d.msgs, "push.more", "vi")};
    pl->ad->render(r, user, &t, &calls);
    char *js = push_calls_json(&calls);
    if (calls.n)
        pushq_add_calls(pl->w->d.store, pl->name, user, js, NULL, NULL);
    free(js);
    push_calls_free(&calls);
}

static void pw_queue_zns(pw_plat *pl, const char *user, const pushq_user_info *u, const char *id,
                         json_t *n)
{
    const config *c = pl->w->d.cfg;
    const char *code = json_string_value(json_object_get(n, "code"));
    const char *st = json_string_value(json_object_get(n, "status"));
    char key[96];
    snprintf(key, sizeof(key), "dossier_status.status.%s", st ? st : "");
    size_t len;
    char *body = zalo_render_zns(u->msisdn, c->zalo.zns_template_id, c->zalo.zns_code_param,
                                 code, c->zalo.zns_status_param,
                                 messages_get(pl->w->d.msgs, key, "vi"), id, &len);
    push_calls calls = {0};
    push_calls_add(&calls, "zns", body, len);
    char *js = push_calls_json(&calls);
    pushq_add_calls(pl->w->d.store, pl->name, user, js, NULL, NULL);
    free(js);
    push_calls_free(&calls);
}

/* Which way a notice goes, now that the user's record is known. */
static const char *pw_notice_route(pw_notice *nt, const pushq_user_info *u, json_t *n)
{
    pw_plat *pl = nt->pl;
    const config *c = pl->w->d.cfg;
    const char *text = json_string_value(json_object_get(n, "text"));
    if (u->optout)
        return "the user opted out";
    if (!text)
        return "a notice without text";
    long long age = (long long)pw_now_ms() - u->seen_ms;
    if (pl->ad->channel == CHANNEL_TELEGRAM || age <= (long long)c->zalo.reply_window_s * 1000) {
        buf b = {0};
        messages_format(pl->w->d.msgs, "push.notice", "vi", &b, "text", text, NULL);
        reply *r = reply_new();
        reply_add_text(r, b.data);
        pw_queue_reply(pl, nt->user, r);
        reply_free(r);
        buf_free(&b);
        return NULL;
    }
    if (!*c->zalo.zns_template_id || !u->optin || !u->msisdn ||
        !json_is_string(json_object_get(n, "code")))
        return "outside the interaction window and no ZNS possible";
    pw_queue_zns(pl, nt->user, u, nt->id, n);
    return NULL;
}

static void pw_notice_user(int status, const pushq_user_info *u, void *privdata)
{
    pw_notice *nt = privdata;
    pw_plat *pl = nt->pl;
    if (!pl->w->stopping && status == 0) {
        json_t *n = json_loads(nt->notice, 0, NULL);
        const char *why = pw_notice_route(nt, u, n);
        if (why)
            log_info("push: %s: notice %s not sent: %s", pl->name, nt->id, why);
        json_decref(n);
        pushq_ack(pl->w->d.store, pl->name, PUSHQ_OUT, nt->id, NULL, NULL);
    }
    if (!pl->w->stopping)
        pl->inflight--;
    free(nt->id);
    free(nt->user);
    free(nt->notice);
    free(nt);
}

static void pw_start_notice(pw_plat *pl, const pushq_entry *e)
{
    const char *user = pushq_get(e, "user"), *notice = pushq_get(e, "notice");
    if (!user || !notice) {
        pushq_ack(pl->w->d.store, pl->name, PUSHQ_OUT, e->id, NULL, NULL);
        return;
    }
    pw_notice *nt = xcalloc(1, sizeof(*nt));
    nt->pl = pl;
    nt->id = xstrdup(e->id);
    nt->user = xstrdup(user);
    nt->notice = xstrdup(notice);
    pl->inflight++;
    if (pushq_user(pl->w->d.store, pl->name, user, pw_notice_user, nt) < 0) {
        pl->inflight--;
        free(nt->id);
        free(nt->user);
        free(nt->notice);
        free(nt);
    }
}

/* --- the timer ------------------------------------------------------------- */
static void pw_read_done(int status, const pushq_entry *entries, size_t n, void *privdata)
{
    pw_plat *pl = privdata;
    pl->reading = 0;
    if (pl->w->stopping || status < 0)
        return;
    for (size_t i = 0; i < n; i++) {
        const char *kind = pushq_get(&entries[i], "kind");
        if (kind && !strcmp(kind, "notice"))
            pw_start_notice(pl, &entries[i]);
        else
            pw_start_calls(pl, &entries[i]);
    }
}

static void pw_cursor_done(int status, void *privdata)
{
    pw_plat *pl = privdata;
    if (status >= 0 && !pl->w->stopping)
        pl->notice_cursor = status;
}

static void pw_seeded(int status, void *privdata)
{
    pw_plat *pl = privdata;
    if (status >= 0 && !pl->w->stopping)
        pl->seeded = 1;
}

/* Once the store is up: the groups, and the configured first token pair. */
static void pw_first(pw_plat *pl)
{
    const config *c = pl->w->d.cfg;
    pl->inited = 1;
    pushq_init(pl->w->d.store, pl->name, NULL, NULL);
    if (!pl->seeded && pushq_token_seed(pl->w->d.store, "zalo", c->zalo.access_token,
                                        c->zalo.refresh_token, 0, pw_seeded, pl) < 0)
        pl->inited = 0;
}

static void pw_tick_plat(pw_plat *pl, uint64_t now)
{
    const config *c = pl->w->d.cfg;
    double add = (double)(now - pl->last_ms) * pl->rate / 1000.0;
    pl->tokens = pl->tokens + add > pl->rate ? pl->rate : pl->tokens + add;
    pl->last_ms = now;
    store *s = pl->w->d.store;
    if (!pl->inited && store_is_up(s))
        pw_first(pl);
    if (now >= pl->next_slow_ms && store_is_up(s)) {
        pl->next_slow_ms = now + PW_SLOW_MS;
        pushq_pump(s, pl->name, PUSHQ_OUT, (long long)now, 100, NULL, NULL);
        pushq_notices(s, pl->name, pl->notice_cursor, PW_NOTICE_USERS, (long long)now,
                      (long long)c->push.notices_window_s * 1000, pw_cursor_done, pl);
    }
    int room = c->push.max_inflight - pl->inflight;
    if (pl->reading || room <= 0 || pl->tokens < 1 || now < pl->paused_until_ms)
        return;
    size_t count = (size_t)(room < (int)pl->tokens ? room : (int)pl->tokens);
    if (pushq_read(s, pl->name, PUSHQ_OUT, pl->w->consumer, count, pw_read_done, pl) == 0)
        pl->reading = 1;
}

static void pw_tick(uv_timer_t *t)
{
    push_worker *w = t->data;
    uint64_t now = pw_now_ms();
    for (int i = 0; i < 2; i++)
        if (w->p[i].enabled)
            pw_tick_plat(&w->p[i], now);
}

static int pw_plat_init(push_worker *w, pw_plat *pl, const push_adapter *ad, int enabled,
                        char *err, size_t errlen)
{
    const config *c = w->d.cfg;
    pl->w = w;
    pl->ad = ad;
    pl->name = ad->name;
    pl->enabled = enabled;
    if (!enabled)
        return 0;
    int zalo = ad->channel == CHANNEL_ZALO;
    pl->rate = zalo ? c->zalo.sends_per_s : c->telegram.sends_per_s;
    pl->tokens = pl->rate;
    pl->last_ms = pw_now_ms();
    if (pw_url_parse(&pl->api, zalo ? c->zalo.api_url : c->telegram.api_url) < 0 ||
        (zalo && (pw_url_parse(&pl->oauth, c->zalo.oauth_url) < 0 ||
                  pw_url_parse(&pl->zns, c->zalo.zns_url) < 0))) {
        snprintf(err, errlen, "%s: an API URL is not http(s)://host[:port][/path]", ad->name);
        return -1;
    }
    pl->seeded = !zalo || !*c->zalo.access_token || !*c->zalo.refresh_token;
    return 0;
}

push_worker *push_worker_new(const push_worker_deps *d, char *err, size_t errlen)
{
    push_worker *w = xcalloc(1, sizeof(*w));
    w->d = *d;
    char host[32] = "";
    gethostname(host, sizeof(host) - 1);
    snprintf(w->consumer, sizeof(w->consumer), "%s-%ld", host, (long)getpid());
    if (pw_plat_init(w, &w->p[0], &zalo_adapter, d->cfg->zalo.enabled, err, errlen) < 0 ||
        pw_plat_init(w, &w->p[1], &telegram_adapter, d->cfg->telegram.enabled, err, errlen) < 0) {
        free(w);
        return NULL;
    }
    uv_timer_init(d->loop, &w->timer);
    w->timer.data = w;
    uint64_t period = (uint64_t)d->cfg->push.poll_ms;
    uv_timer_start(&w->timer, pw_tick, period, period);
    return w;
}

void push_worker_stop(push_worker *w)
{
    if (!w || w->stopping)
        return;
    w->stopping = 1;
    uv_timer_stop(&w->timer);
    uv_close((uv_handle_t *)&w->timer, NULL);
}

void push_worker_free(push_worker *w)
{
    if (!w)
        return;
    for (int i = 0; i < 2; i++)
        for (int k = 0; k < 64; k++)
            free(w->p[i].busy[k]);
    free(w);
}
