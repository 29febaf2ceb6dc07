/* push_send.c -- the API calls of one job, in order (see push_worker.h):
 * the URL and headers of each method, the Zalo access token, what each
 * answer means for the job (the token refresh is push_token.c). */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bot/app/log.h"
#include "bot/outbox/push_int.h"
#include "channels/zalo.h"
#include "common/xmalloc.h"
#include "store/pushq.h"

#define PW_TOKEN_MARGIN_MS 60000    /* refresh this long before the token expires */
#define PW_TOKEN_WAIT_MS 500        /* a job waiting for a refresh is retried after */

typedef struct pw_call_ctx {
    pw_job *job;
    char *token;                /* the access token sent (Zalo), or NULL */
} pw_call_ctx;

static long pw_backoff(const config *c, int attempts)
{
    long ms = c->push.retry_base_ms;
    for (int i = 1; i < attempts && ms < c->push.retry_max_ms; i++)
        ms *= 2;
    return ms < c->push.retry_max_ms ? ms : c->push.retry_max_ms;
}

static void pw_later(pw_job *j, long delay_ms, int counted, const char *why)
{
    j->attempts += counted;
    j->why = why;
    if (counted && j->attempts >= j->pl->w->d.cfg->push.max_attempts) {
        j->end = PW_ACK;
        j->why = "too many attempts";
    } else {
        j->end = PW_LATER;
        j->delay_ms = delay_ms;
    }
    pw_job_end(j);
}

/* What the answer to call j->next means. */
static void pw_outcome(pw_job *j, push_outcome o, long retry_after_s, const char *token)
{
    pw_plat *pl = j->pl;
    const config *c = pl->w->d.cfg;
    long wait = retry_after_s * 1000 > c->push.quota_retry_ms ? retry_after_s * 1000
                                                              : c->push.quota_retry_ms;
    switch (o) {
    case PUSH_SENT:
        pl->w->sent++;
        j->next++;
        pw_job_send(j);
        return;
    case PUSH_TOKEN:
        pw_token_refresh(pl, token);
        pw_later(j, PW_TOKEN_WAIT_MS, 1, "access token refused");
        return;
    case PUSH_QUOTA:
        if (retry_after_s > 0)
            pl->paused_until_ms = pw_now_ms() + (uint64_t)retry_after_s * 1000;
        pw_later(j, wait, 0, "quota");
        return;
    case PUSH_RETRY:
        pl->w->errors++;
        pw_later(j, pw_backoff(c, j->attempts + 1), 1, "transient error");
        return;
    case PUSH_BLOCKED:
        j->end = PW_OPTOUT;
        break;
    default:
        pl->w->errors++;
        j->end = PW_ACK;
        j->why = push_outcome_name(o);
    }
    pw_job_end(j);
}

static void pw_call_done(pw_http *h)
{
    pw_call_ctx *cc = h->ctx;
    pw_job *j = cc->job;
    push_worker *w = j->pl->w;
    if (w->stopping) {
        pw_job_free(j);
    } else {
        long ra = 0;
        push_outcome o = j->pl->ad->classify(h->status, h->answer.data ? h->answer.data : "",
                                             h->answer.len, &ra);
        if (o != PUSH_SENT)
            log_info("push: %s %s: HTTP %d: %s (%.200s)", j->pl->name, j->id, h->status,
                     push_outcome_name(o), h->answer.data ? h->answer.data : "");
        pw_outcome(j, o, ra, cc->token);
    }
    free(cc->token);
    free(cc);
    pw_http_free(h);
}

/* POST body to the URL of method, with the access token when there is one. */
static void pw_post(pw_job *j, const char *method, const char *body, const char *token)
{
    pw_plat *pl = j->pl;
    const config *c = pl->w->d.cfg;
    pw_http *h = xcalloc(1, sizeof(*h));
    pw_call_ctx *cc = xcalloc(1, sizeof(*cc));
    cc->job = j;
    cc->token = token ? xstrdup(token) : NULL;
    h->w = pl->w;
    h->ctype = "application/json";
    h->done = pw_call_done;
    h->ctx = cc;
    if (pl->ad->channel == CHANNEL_ZALO) {
        int zns = !strcmp(method, "zns");
        h->url = zns ? &pl->zns : &pl->api;
        snprintf(h->path, sizeof(h->path), "%s%s", h->url->path,
                 zns ? "/message/template" : "/v3.0/oa/message/cs");
        h->hname = "access_token:";
        snprintf(h->hvalue, sizeof(h->hvalue), "%s", token ? token : "");
    } else {
        h->url = &pl->api;
        snprintf(h->path, sizeof(h->path), "%s/bot%s/%s", h->url->path, c->telegram.bot_token,
                 method);
    }
    pl->tokens -= 1;
    pw_http_start(h, body, strlen(body));
}

/* The call at j->next, or NULL when none is left; *method set. */
static const char *pw_call_at(const pw_job *j, json_t *arr, const char **method)
{
    json_t *c = json_array_get(arr, (size_t)j->next);
    *method = json_string_value(json_array_get(c, 0));
    return *method ? json_string_value(json_array_get(c, 1)) : NULL;
}

typedef struct pw_tok_ctx {
    pw_job *job;
    char *method, *body;
} pw_tok_ctx;

static void pw_with_token(int status, const char *access, const char *refresh,
                          long long expires_at_ms, void *privdata)
{
    pw_tok_ctx *t = privdata;
    pw_job *j = t->job;
    if (j->pl->w->stopping) {
        pw_job_free(j);
    } else if (status < 0) {
        pw_later(j, 1000, 0, "redis failed");
    } else if (!access || (expires_at_ms && expires_at_ms < (long long)pw_now_ms() + PW_TOKEN_MARGIN_MS)) {
        if (refresh)
            pw_token_refresh(j->pl, NULL);
        pw_later(j, refresh ? PW_TOKEN_WAIT_MS : 1000, 0, "no valid access token");
    } else {
        pw_post(j, t->method, t->body, access);
    }
    free(t->method);
    free(t->body);
    free(t);
}

void pw_job_send(pw_job *j)
{
    json_t *arr = json_loads(j->calls, 0, NULL);
    const char *method, *body = pw_call_at(j, arr, &method);
    if (!body) {
        j->end = PW_ACK;
        j->why = NULL;
        json_decref(arr);
        pw_job_end(j);
        return;
    }
    if (j->pl->ad->channel != CHANNEL_ZALO) {
        pw_post(j, method, body, NULL);
    } else {
        pw_tok_ctx *t = xcalloc(1, sizeof(*t));
        t->job = j;
        t->method = xstrdup(method);
        t->body = xstrdup(body);
        if (pushq_token_get(j->pl->w->d.store, "zalo", pw_with_token, t) < 0) {
            free(t->method);
            free(t->body);
            free(t);
            pw_later(j, 1000, 0, "redis down");
        }
    }
    json_decref(arr);
}

void pw_job_free(pw_job *j)
{
    if (!j)
        return;
    free(j->id);
    free(j->user);
    free(j->calls);
    free(j);
}
