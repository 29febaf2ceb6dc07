/* sms_flow.c -- an inbound SMS through dedup, pages and the router to its
 * answer (see sms_flow.h). Everything runs on the loop thread; the list of
 * flows in flight is this process's own, so a plain linked list suffices. */
#include "bot/sms/sms_flow.h"

#include <stdlib.h>
#include <string.h>

#include "bot/app/log.h"
#include "bot/app/messages.h"
#include "bot/conv/router.h"
#include "channels/msisdn.h"
#include "channels/sms.h"
#include "intents/normalize.h"
#include "common/xmalloc.h"
#include "store/smsmo.h"

#define SMS_CMD_MAX 24          /* longest text repeated in the "more" hint */
#define SMS_WAIT_MS 3000        /* for another instance processing the same Kannel id */

/* One request waiting for the answer of an MO. */
typedef struct sms_waiter {
    sms_answer_fn *fn;
    void *ctx;
} sms_waiter;

typedef struct sms_flow {
    struct sms_flow *next;
    const app *app;
    char id[SMS_ID_MAX + 1];    /* "" when Kannel sent none */
    char user[MSISDN_MAX];
    message *msg;
    char *norm;                 /* norm_text of the text, or NULL */
    sms_waiter *w;              /* requests waiting for the answer */
    size_t nw;
    const char *intent;
    char *answer;               /* "D" + coding + body, once known */
    size_t alen;
    int rendered;               /* res holds the rendered answer's write */
    smsmo_result res;           /* what the answer leaves (smsmo_save's), */
    smsmo_pages_rec rec;        /* pointing into rec, pg, btn and hint */
    sms_pages pg;
    const char **btn;
    char *hint;                 /* the "more" hint's command, norm_text form */
    sessions_claim claim;       /* of the id, with the router's turn */
} sms_flow;

static sms_flow *sms_inflight;

/* src into dst (cap bytes), cut to fit (as snprintf "%s", without its cost). */
static void sms_copy(char *dst, const char *src, size_t cap)
{
    size_t n = strnlen(src, cap - 1);
    memcpy(dst, src, n);
    dst[n] = '\0';
}

static sms_flow *sms_flow_find(const char *id)
{
    for (sms_flow *f = sms_inflight; f; f = f->next)
        if (!strcmp(f->id, id))
            return f;
    return NULL;
}

static void sms_flow_unlink(sms_flow *f)
{
    for (sms_flow **pp = &sms_inflight; *pp; pp = &(*pp)->next)
        if (*pp == f) {
            *pp = f->next;
            return;
        }
}

/* Answer every waiting request and free the flow. */
static void sms_flow_end(sms_flow *f, int status)
{
    sms_flow_unlink(f);
    int ucs2 = f->answer && f->alen >= 2 && f->answer[1] == '2';
    for (size_t i = 0; i < f->nw; i++)
        f->w[i].fn(f->w[i].ctx, status, f->intent, ucs2, f->answer ? f->answer + 2 : "",
                   f->answer ? f->alen - 2 : 0);
    free(f->w);
    message_free(f->msg);
    free(f->norm);
    free(f->answer);
    if (f->rendered)
        sms_pages_free(&f->pg);
    free(f->btn);
    free(f->hint);
    free(f);
}

static const config *sms_cfg(const sms_flow *f) { return f->app->cfg; }
static store *sms_store(const sms_flow *f) { return f->app->store; }

static void sms_set_answer(sms_flow *f, const char *body, size_t len)
{
    free(f->answer);
    f->alen = len + 2;
    f->answer = xmalloc(f->alen + 1);
    f->answer[0] = 'D';
    f->answer[1] = sms_cfg(f)->sms.unicode ? '2' : '0';
    memcpy(f->answer + 2, body, len);
    f->answer[f->alen] = '\0';
}

static void sms_on_saved(int status, void *privdata)
{
    sms_flow *f = privdata;
    if (status < 0)
        log_error("sms: could not store an answer (Redis failed)");
    sms_flow_end(f, 200);
}

/* What the answer leaves for retries of the same id, and what becomes of
 * the pages record (pages: f->rec, or NULL). */
static const smsmo_result *sms_flow_result(sms_flow *f, enum smsmo_pages_op op,
                                           const smsmo_pages_rec *pages)
{
    const config *cfg = sms_cfg(f);
    f->res = (smsmo_result){.id = f->id, .answer = f->answer + 1, .len = f->alen - 1,
                            .ttl_s = cfg->sms.dedup_ttl_s, .msisdn = f->user, .op = op,
                            .pages = pages, .pages_ttl_s = cfg->session.ttl_s};
    return &f->res;
}

/* Store the answer's write (one script), then answer: for an answer that
 * no session turn's commit carried. */
static void sms_flow_save(sms_flow *f)
{
    if (smsmo_save(sms_store(f), &f->res, sms_on_saved, f) < 0)
        sms_flow_end(f, 200);
}

/* Upper-case ASCII copy of a norm_text form, for the hint. */
static void sms_upper(char *dst, const char *src, size_t cap)
{
    size_t i = 0;
    for (; src[i] && i + 1 < cap; i++)
        dst[i] = (char)(src[i] >= 'a' && src[i] <= 'z' ? src[i] - 32 : src[i]);
    dst[i] = '\0';
}

static char *sms_norm(const char *s)
{
    size_t n = strlen(s), len;
    char *out = xmalloc(n + 1);
    if (norm_text(s, n, out, n + 1, &len) < 0) {
        free(out);
        return NULL;
    }
    return out;
}

/* The write that keeps the pages of the rendered reply f->pg and its
 * buttons' payloads (none when there is one page and no button: the record
 * is deleted). hint: the command the "more" hint names, kept in the record
 * as its norm_text form (only normalised when there is a record to write). */
static const smsmo_result *sms_flow_keep(sms_flow *f, const reply *r, const char *hint)
{
    const sms_pages *pg = &f->pg;
    if (pg->n < 2 && !pg->nbuttons)
        return sms_flow_result(f, SMSMO_PAGES_DELETE, NULL);
    f->hint = sms_norm(hint);
    f->btn = xcalloc(pg->nbuttons ? pg->nbuttons : 1, sizeof(*f->btn));
    size_t nb = 0;
    for (size_t i = 0; r && i < r->nparts; i++)
        for (size_t j = 0; j < r->parts[i].nbuttons && nb < pg->nbuttons; j++)
            f->btn[nb++] = r->parts[i].buttons[j].payload;
    f->rec = (smsmo_pages_rec){.cmd = f->hint ? f->hint : "",
                               .pages = (const char *const *)pg->page, .npages = pg->n,
                               .buttons = f->btn, .nbuttons = nb, .next = 2};
    return sms_flow_result(f, SMSMO_PAGES_WRITE, &f->rec);
}

/* Render the reply r (valid until the write returned is sent) into its
 * pages: page 1 is the answer; returns the write it leaves. */
static const smsmo_result *sms_flow_render(sms_flow *f, const reply *r)
{
    const messages *msgs = f->app->msgs;
    const char *kw = messages_get(msgs, "sms.more_keyword", "vi");
    char cmd[SMS_CMD_MAX + 8];
    int own = f->norm && strlen(f->norm) <= SMS_CMD_MAX && !strchr(f->norm, '\n');
    sms_upper(cmd, own ? f->norm : kw, sizeof(cmd));
    const config *cfg = sms_cfg(f);
    sms_render_opts o = {.unicode = cfg->sms.unicode, .max_segments = cfg->sms.max_segments,
                         .more = messages_get(msgs, "sms.more", "vi"), .cmd = cmd,
                         .max_pages = cfg->sms.max_pages};
    sms_render(r, &o, &f->pg);
    f->rendered = 1;
    sms_set_answer(f, f->pg.page[0], strlen(f->pg.page[0]));
    return sms_flow_keep(f, r, cmd);
}

/* router_reply_fn: the reply before the turn's commit, which carries the
 * answer's write (store/sessions.h sessions_write.mo). */
static const smsmo_result *sms_flow_reply(const reply *r, const char *intent, void *ctx)
{
    sms_flow *f = ctx;
    f->intent = intent;
    return f->rendered ? NULL : sms_flow_render(f, r);
}

/* A retry of an answered id: the stored answer (coding + body). */
static void sms_flow_replay(sms_flow *f, const char *answer, size_t len)
{
    f->intent = "retry";
    free(f->answer);
    f->alen = len + 1;
    f->answer = xmalloc(f->alen + 1);
    f->answer[0] = 'D';
    memcpy(f->answer + 1, answer, len + 1);
    sms_flow_end(f, 200);
}

static void sms_flow_busy(sms_flow *f)
{
    log_info("sms: MO %s still processed by another instance after %d ms", f->id, SMS_WAIT_MS);
    sms_flow_end(f, 503); /* smsbox retries later */
}

static void sms_flow_routed(int status, reply *r, const char *intent, void *ctx)
{
    sms_flow *f = ctx;
    f->intent = intent;
    if (status == ROUTER_REPLAYED) {
        size_t len;
        const char *a = router_replayed(f->app->router, &len);
        sms_flow_replay(f, a ? a : "0", a ? len : 1);
    } else if (status == ROUTER_BUSY) {
        sms_flow_busy(f);
    } else if (status != ROUTER_OK) {
        sms_flow_end(f, status == ROUTER_LIMITED ? 429 : 503); /* 429: router_retry_after() */
    } else if (f->rendered) {
        sms_flow_end(f, 200);   /* the turn's commit stored the answer */
    } else {
        sms_flow_render(f, r);
        sms_flow_save(f);
    }
    reply_free(r);
}

/* To the router; claim: the MO's id is not claimed yet, the turn's start
 * claims it (a retry of an answered id is replayed then). The turn's commit
 * stores the answer (sms_flow_reply). */
static void sms_flow_route(sms_flow *f, int claim)
{
    message *m = f->msg;
    f->msg = NULL;
    f->claim = (sessions_claim){f->id, store_instance(sms_store(f)), SMS_WAIT_MS};
    router_turn t = {claim ? &f->claim : NULL, sms_flow_reply};
    if (router_handle_turn(f->app->router, m, &t, sms_flow_routed, f) < 0)
        sms_flow_end(f, 503);
}

/* norm_text of the "more" keyword (NULL if it has none), normalised again
 * only when its text changes (a reload of the messages): every MO asks. */
static const char *sms_more_keyword(const sms_flow *f)
{
    static char *raw, *norm;
    const char *kw = messages_get(f->app->msgs, "sms.more_keyword", "vi");
    if (!raw || strcmp(raw, kw)) {
        free(raw);
        free(norm);
        raw = xstrdup(kw);
        norm = sms_norm(kw);
    }
    return norm;
}

/* Is the text a request for a page or a button? Returns 1 if the pages
 * record must be looked at first. */
static int sms_flow_candidate(const sms_flow *f)
{
    const char *t = f->norm;
    if (!t || !*t)
        return 0;
    size_t n = strlen(t);
    if (n == 1 && t[0] >= '1' && t[0] <= '9')
        return 1;
    if (n >= 3 && t[n - 2] == ' ' && t[n - 1] >= '1' && t[n - 1] <= '9')
        return 1;
    const char *kw = sms_more_keyword(f);
    return kw && !strcmp(kw, t);
}

/* Serve page `page` (1..npages) of the record; updates "next". */
static void sms_flow_serve(sms_flow *f, const smsmo_pages_rec *rec, int page)
{
    const char *text = rec->pages[page - 1];
    f->intent = "page";
    sms_set_answer(f, text, strlen(text));
    f->rec = *rec;      /* only next is written: the strings are not kept */
    f->rec.next = page + 1;
    sms_flow_result(f, SMSMO_PAGES_NEXT, &f->rec);
    sms_flow_save(f);
}

static void sms_flow_no_more(sms_flow *f)
{
    const char *t = messages_get(f->app->msgs, "sms.no_more", "vi");
    reply *r = reply_new();
    reply_add_text(r, t);
    sms_flow_routed(ROUTER_OK, r, "page", f);
}

/* Decide what a candidate text means given the record (may be NULL). */
static void sms_flow_dispatch(sms_flow *f, const smsmo_pages_rec *rec)
{
    const char *t = f->norm;
    size_t n = strlen(t);
    const char *kw = sms_more_keyword(f);
    size_t kl = kw ? strlen(kw) : 0;
    const char *cmd = rec ? rec->cmd : NULL;
    int npages = rec ? (int)rec->npages : 0, page = 0, is_kw = 0;
    if (kw && !strcmp(t, kw)) {
        is_kw = 1;
        page = rec ? rec->next : 0;
    } else if (n >= 3 && t[n - 2] == ' ') {
        int same = (kw && n - 2 == kl && !strncmp(t, kw, kl)) ||
                   (cmd && strlen(cmd) == n - 2 && !strncmp(t, cmd, n - 2));
        is_kw = kw && n - 2 == kl && !strncmp(t, kw, kl);
        page = same ? t[n - 1] - '0' : 0;
    } else if (n == 1) {
        size_t k = (size_t)(t[0] - '1');
        const char *p = rec && k < rec->nbuttons ? rec->buttons[k] : NULL;
        if (p) {
            free(f->msg->text);
            f->msg->text = NULL;
            f->msg->payload = xstrdup(p);
        }
    }
    if (page >= 1 && page <= npages)
        sms_flow_serve(f, rec, page);
    else if (is_kw)
        sms_flow_no_more(f);
    else
        sms_flow_route(f, 0);   /* claimed with the pages record, if it has an id */
}

static void sms_on_pages(int status, const smsmo_pages_rec *rec, void *privdata)
{
    sms_flow *f = privdata;
    if (status < 0) {
        sms_flow_end(f, 503);
        return;
    }
    sms_flow_dispatch(f, status == 0 ? rec : NULL);
}

/* A candidate's take's answer other than a claim: 1 if it ended the flow. */
static int sms_took(sms_flow *f, smsmo_take_status status, const char *answer, size_t len)
{
    if (status == SMSMO_TAKE_BUSY)
        sms_flow_busy(f);
    else if (status == SMSMO_TAKE_FAILED)
        sms_flow_end(f, 503);
    else if (status == SMSMO_TAKE_ANSWERED) /* the answer is coding + body */
        sms_flow_replay(f, answer, len);
    else
        return 0; /* claimed now, or taken over from a dead instance or a failed attempt here */
    return 1;
}

/* A candidate's take: the claim came with the pages record. */
static void sms_on_take_pages(smsmo_take_status status, const char *answer, size_t len,
                              int pstatus, const smsmo_pages_rec *rec, void *privdata)
{
    sms_flow *f = privdata;
    if (!sms_took(f, status, answer, len))
        sms_flow_dispatch(f, pstatus == 0 ? rec : NULL);
}

int sms_flow_start(const app *ap, message *m, const char *id, sms_answer_fn *fn, void *ctx)
{
    if (!store_is_up(ap->store)) {
        message_free(m);
        return -1;
    }
    sms_flow *f = id && *id ? sms_flow_find(id) : NULL;
    if (f) { /* a retry while the first is in flight: same answer */
        f->w = xrealloc(f->w, (f->nw + 1) * sizeof(*f->w));
        f->w[f->nw++] = (sms_waiter){fn, ctx};
        message_free(m);
        return 0;
    }
    f = xcalloc(1, sizeof(*f));
    f->app = ap;
    sms_copy(f->id, id ? id : "", sizeof(f->id));
    sms_copy(f->user, m->user, sizeof(f->user));
    f->msg = m;
    if (f->id[0] && !m->ref)
        m->ref = xstrdup(f->id);
    f->norm = m->text ? sms_norm(m->text) : NULL;
    f->w = xmalloc(sizeof(*f->w));
    f->w[f->nw++] = (sms_waiter){fn, ctx};
    f->intent = "unknown";
    f->next = sms_inflight;
    sms_inflight = f;
    if (!sms_flow_candidate(f)) {
        sms_flow_route(f, f->id[0] != '\0');   /* the turn's start claims the id */
        return 0;
    }
    int rc = f->id[0] ? smsmo_take_pages(ap->store, f->id, store_instance(ap->store), f->user,
                                         SMS_WAIT_MS, sms_on_take_pages, f)
                      : smsmo_pages(ap->store, f->user, sms_on_pages, f);
    if (rc < 0)
        sms_flow_end(f, 503);
    return 0;
}
