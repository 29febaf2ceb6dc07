/* push_in.c -- the push channels' inbound events (see push_in.h). */
#include "bot/http/push_in.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <unistd.h>

#include "bot/app/log.h"
#include "bot/conv/router.h"
#include "channels/msisdn.h"
#include "channels/telegram.h"
#include "channels/zalo.h"
#include "common/buf.h"
#include "common/xmalloc.h"
#include "store/dossiers.h"
#include "store/outbox.h"
#include "store/pushq.h"
#include "store/subscriptions.h"

#include <jansson.h>


/* The welcome's "link my phone number" button: answered with the share-phone
 * prompt (the adapter renders ZALO_SHARE_PHONE / TELEGRAM_SHARE_PHONE as the
 * platform's own share-phone message). */
#define PUSH_IN_LINK "push:link"
#define PI_CODE_TTL_S 600       /* an SMS link code is valid this long */
#define PI_CODE_TRIES 5         /* wrong codes before it is void */

typedef struct pi_plat {
    struct push_in *pi;
    const push_adapter *ad;
    int enabled;
    int reading;
    int inflight;
} pi_plat;

struct push_in {
    const app *ap;
    uv_timer_t timer;
    int stopping;
    char consumer[64];
    pi_plat p[2];
};

/* One event being handled. */
typedef struct pi_job {
    pi_plat *pl;
    char *id;                   /* in-stream entry */
    push_event ev;
    char phone[MSISDN_MAX];     /* LIENKET: the number a code is sent to */
    char code[8];
} pi_job;

static const char *pi_text(const pi_job *j, const char *key)
{
    return messages_get(j->pl->pi->ap->msgs, key, "vi");
}

static void pi_job_end(pi_job *j, int keep)
{
    pi_plat *pl = j->pl;
    store *s = pl->pi->ap->store;
    if (!pl->pi->stopping) {
        if (keep) { /* Redis or the router failed: once more in a second */
            size_t n;
            char *js = push_event_encode(&j->ev, &n);
            const char *f[] = {"ev"};
            const char *v[] = {js};
            uv_timeval64_t t;
            uv_gettimeofday(&t);
            pushq_later(s, pl->ad->name, PUSHQ_IN, j->id, 1, f, v,
                        (long long)t.tv_sec * 1000 + t.tv_usec / 1000 + 1000, NULL, NULL);
            free(js);
        } else {
            pushq_ack(s, pl->ad->name, PUSHQ_IN, j->id, NULL, NULL);
        }
        pl->inflight--;
    }
    free(j->id);
    push_event_clear(&j->ev);
    free(j);
}

/* Queue r (may be NULL) for the event's user, then end the job. */
static void pi_answer(pi_job *j, const reply *r)
{
    pi_plat *pl = j->pl;
    push_calls calls = {0};
    if (j->ev.answer) {
        size_t n;
        char *b = telegram_render_answer(j->ev.answer, &n);
        push_calls_add(&calls, "answerCallbackQuery", b, n);
    }
    push_texts t = {.more = pi_text(j, "push.more")};
    pl->ad->render(r, j->ev.user, &t, &calls);
    char *js = push_calls_json(&calls);
    int keep = calls.n &&
               pushq_add_calls(pl->pi->ap->store, pl->ad->name, j->ev.user, js, NULL, NULL) < 0;
    free(js);
    push_calls_free(&calls);
    pi_job_end(j, keep);
}

static void pi_say(pi_job *j, const char *key, const char *btn_key, const char *payload)
{
    reply *r = reply_new();
    reply_add_text(r, pi_text(j, key));
    if (btn_key)
        reply_add_button(r, pi_text(j, btn_key), payload);
    pi_answer(j, r);
    reply_free(r);
}

static void pi_routed(int status, reply *r, const char *intent, void *ctx)
{
    (void)intent;
    pi_job *j = ctx;
    if (status != ROUTER_OK || j->pl->pi->stopping)
        pi_job_end(j, status != ROUTER_OK);
    else
        pi_answer(j, r);
    reply_free(r);
}

static int pi_link_text(pi_job *j, const pushq_user_info *u);

static void pi_user(int status, const pushq_user_info *u, void *privdata)
{
    pi_job *j = privdata;
    if (status < 0 || j->pl->pi->stopping) {
        pi_job_end(j, status < 0);
        return;
    }
    if (pi_link_text(j, u))
        return;
    message *m = push_event_message(&j->ev, j->pl->ad->channel);
    if (u->msisdn)
        m->msisdn = xstrdup(u->msisdn);
    if (router_handle(j->pl->pi->ap->router, m, pi_routed, j) < 0)
        pi_job_end(j, 1);
}

static void pi_followed(int status, void *privdata)
{
    pi_job *j = privdata;
    if (status < 0 || j->ev.kind == PUSH_EV_UNFOLLOW)
        pi_job_end(j, status < 0);
    else
        pi_say(j, "push.welcome", "button.link_phone", PUSH_IN_LINK);
}

/* The number's dossiers are known: the user follows each of them (notices of
 * their changes come here), and is told; ends j. */
static void pi_linked_dossiers(int status, json_t *const *recs, size_t n, void *privdata)
{
    pi_job *j = privdata;
    store *s = j->pl->pi->ap->store;
    char *member = subs_member(j->pl->ad->name, j->ev.user);
    const config *cfg = j->pl->pi->ap->cfg;
    size_t followed = 0;
    /* the number's own dossiers (the phone is proven): within the same caps
     * as any subscription, counted against the same miss limit */
    for (size_t i = 0; status == 0 && member && i < n &&
                       i < (size_t)cfg->limits.subs_per_member; i++) {
        const char *code = json_string_value(json_object_get(recs[i], "code"));
        subs_request rq = {.code = code, .member = member,
                           .max_per_dossier = cfg->limits.subs_per_dossier,
                           .max_per_member = cfg->limits.subs_per_member,
                           .miss = {.channel = j->pl->ad->name, .user = j->ev.user,
                                    .limit = cfg->domain.miss_limit,
                                    .window_s = cfg->domain.miss_window_s}};
        if (code && subs_add(s, &rq, NULL, NULL) == 0)
            followed++;
    }
    free(member);
    char cnt[24];
    snprintf(cnt, sizeof(cnt), "%zu", followed);
    buf b = {0};
    messages_format(j->pl->pi->ap->msgs, followed ? "push.linked_dossiers" : "push.linked", "vi",
                    &b, "phone", j->phone, "n", cnt, NULL);
    reply *r = reply_new();
    reply_add_text(r, b.data);
    pi_answer(j, r);
    reply_free(r);
    buf_free(&b);
}

/* The number me is linked now: follow its dossiers, tell the user; ends j. */
static void pi_say_linked(pi_job *j, const char *me)
{
    char masked[MSISDN_MAX + 4];
    log_mask(me, masked, sizeof(masked));
    log_info("push: %s: a user linked %s", j->pl->ad->name, masked);
    snprintf(j->phone, sizeof(j->phone), "%s", me);
    if (dossiers_by_phone(j->pl->pi->ap->store, me, pi_linked_dossiers, j) < 0)
        pi_job_end(j, 1);
}

static void pi_linked(int status, void *privdata)
{
    pi_job *j = privdata;
    char me[MSISDN_MAX];
    if (status < 0 || msisdn_normalize(j->ev.phone, me) < 0)
        pi_job_end(j, status < 0);
    else
        pi_say_linked(j, me);
}

/* --- linking by an SMS code: "LIENKET 09..." then the 6 digits ---------- */
/* The number of "LIENKET <number>" / "liên kết <number>" in text; 0 if not one. */
static int pi_link_command(const char *t, char me[MSISDN_MAX])
{
    static const char *const words[] = {"lienket", "lien ket", "li\xc3\xaan k\xe1\xba\xbft",
                                        "Li\xc3\xaan k\xe1\xba\xbft", "LI\xc3\x8aN K\xe1\xba\xbeT",
                                        NULL};
    while (*t == ' ')
        t++;
    for (int i = 0; words[i]; i++) {
        size_t n = strlen(words[i]);
        if (!strncasecmp(t, words[i], n) && t[n] == ' ')
            return msisdn_normalize(t + n + strspn(t + n, " "), me) == 0;
    }
    return 0;
}

/* 1 if text is exactly six digits (spaces around allowed), copied to code. */
static int pi_is_code(const char *t, char code[8])
{
    t += strspn(t, " ");
    size_t n = strspn(t, "0123456789");
    if (n != 6 || t[n + strspn(t + n, " ")])
        return 0;
    memcpy(code, t, 6);
    code[6] = '\0';
    return 1;
}

static void pi_code_tried(int status, const char *msisdn, int left, void *privdata)
{
    pi_job *j = privdata;
    if (status == 1)
        pi_say_linked(j, msisdn);
    else if (status == 0)
        pi_say(j, left > 0 ? "push.link_code_wrong" : "push.link_code_void", NULL, NULL);
    else if (status == -2)
        pi_say(j, "push.link_code_void", NULL, NULL);
    else
        pi_job_end(j, 1);
}

static void pi_code_kept(int status, void *privdata)
{
    pi_job *j = privdata;
    if (status < 0) {
        pi_job_end(j, 1);
        return;
    }
    if (status == 0) {
        pi_say(j, "push.link_code_wait", NULL, NULL);
        return;
    }
    const messages *msgs = j->pl->pi->ap->msgs;
    buf sms = {0}, dedupe = {0}, say = {0};
    messages_format(msgs, "push.link_sms", "vi", &sms, "code", j->code, NULL);
    buf_printf(&dedupe, "pushlink:%s:%s:%s", j->pl->ad->name, j->ev.user, j->code);
    outbox_msg m = {.to = j->phone, .text = sms.data, .kind = "reply", .dedupe = dedupe.data};
    int rc = outbox_enqueue(j->pl->pi->ap->store, &m, NULL, NULL);
    messages_format(msgs, rc < 0 ? "errors.unavailable" : "push.link_code_sent", "vi", &say,
                    "phone", j->phone, NULL);
    reply *r = reply_new();
    reply_add_text(r, say.data);
    pi_answer(j, r);
    reply_free(r);
    buf_free(&sms);
    buf_free(&dedupe);
    buf_free(&say);
}

/* A text that is a link command or a code: handled here (1), else 0. */
static int pi_link_text(pi_job *j, const pushq_user_info *u)
{
    store *s = j->pl->pi->ap->store;
    const char *p = j->pl->ad->name;
    if (j->ev.kind != PUSH_EV_TEXT)
        return 0;
    if (u->code_pending && pi_is_code(j->ev.text, j->code)) {
        if (pushq_code_try(s, p, j->ev.user, j->code, PI_CODE_TRIES, pi_code_tried, j) < 0)
            pi_job_end(j, 1);
        return 1;
    }
    if (!pi_link_command(j->ev.text, j->phone))
        return 0;
    unsigned char rnd[4];
    if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd)) {
        pi_job_end(j, 1);
        return 1;
    }
    unsigned long v = ((unsigned long)rnd[0] << 24 | (unsigned long)rnd[1] << 16 |
                       (unsigned long)rnd[2] << 8 | rnd[3]) % 1000000UL;
    snprintf(j->code, sizeof(j->code), "%06lu", v);
    if (pushq_code_new(s, p, j->ev.user, j->phone, j->code, PI_CODE_TTL_S, pi_code_kept, j) < 0)
        pi_job_end(j, 1);
    return 1;
}

static void pi_handle(pi_job *j)
{
    store *s = j->pl->pi->ap->store;
    const char *p = j->pl->ad->name;
    char me[MSISDN_MAX];
    int rc = 0;
    switch (j->ev.kind) {
    case PUSH_EV_FOLLOW:
    case PUSH_EV_UNFOLLOW:
        rc = pushq_follow(s, p, j->ev.user, j->ev.kind == PUSH_EV_FOLLOW, pi_followed, j);
        break;
    case PUSH_EV_CONTACT:
        if (msisdn_normalize(j->ev.phone, me) < 0) {
            pi_say(j, "push.link_invalid", NULL, NULL);
            return;
        }
        rc = pushq_link(s, p, j->ev.user, me, pi_linked, j);
        break;
    default:
        if (j->ev.kind == PUSH_EV_POSTBACK && !strcmp(j->ev.payload, PUSH_IN_LINK)) {
            pi_say(j, "push.share_phone", "button.share_phone", ZALO_SHARE_PHONE);
            return;
        }
        rc = pushq_user(s, p, j->ev.user, pi_user, j);
    }
    if (rc < 0)
        pi_job_end(j, 1);
}

static void pi_read_done(int status, const pushq_entry *entries, size_t n, void *privdata)
{
    pi_plat *pl = privdata;
    pl->reading = 0;
    if (pl->pi->stopping || status < 0)
        return;
    for (size_t i = 0; i < n; i++) {
        const char *ev = pushq_get(&entries[i], "ev");
        pi_job *j = xcalloc(1, sizeof(*j));
        j->pl = pl;
        j->id = xstrdup(entries[i].id);
        pl->inflight++;
        if (!ev || push_event_decode(ev, strlen(ev), &j->ev) < 0)
            pi_job_end(j, 0); /* not ours: dropped */
        else
            pi_handle(j);
    }
    if (n)
        push_in_kick(pl->pi, pl->ad->name); /* there may be more */
}

static void pi_poll(pi_plat *pl)
{
    store *s = pl->pi->ap->store;
    int room = PUSH_IN_MAX - pl->inflight;
    if (pl->pi->stopping || !pl->enabled || pl->reading || room <= 0 || !store_is_up(s))
        return;
    if (pushq_read(s, pl->ad->name, PUSHQ_IN, pl->pi->consumer, (size_t)room, pi_read_done,
                   pl) == 0)
        pl->reading = 1;
}

void push_in_kick(push_in *pi, const char *platform)
{
    for (int i = 0; pi && i < 2; i++)
        if (!strcmp(pi->p[i].ad->name, platform))
            pi_poll(&pi->p[i]);
}

static void pi_tick(uv_timer_t *t)
{
    push_in *pi = t->data;
    uv_timeval64_t tv;
    uv_gettimeofday(&tv);
    for (int i = 0; i < 2; i++) {
        if (!pi->p[i].enabled)
            continue;
        pushq_pump(pi->ap->store, pi->p[i].ad->name, PUSHQ_IN,
                   (long long)tv.tv_sec * 1000 + tv.tv_usec / 1000, 100, NULL, NULL);
        pi_poll(&pi->p[i]);
    }
}

push_in *push_in_new(const app *ap, uv_loop_t *loop)
{
    if (!ap->cfg->zalo.enabled && !ap->cfg->telegram.enabled)
        return NULL;
    push_in *pi = xcalloc(1, sizeof(*pi));
    pi->ap = ap;
    char host[32] = "";
    gethostname(host, sizeof(host) - 1);
    snprintf(pi->consumer, sizeof(pi->consumer), "%s-%ld-in", host, (long)getpid());
    const push_adapter *ads[2] = {&zalo_adapter, &telegram_adapter};
    int on[2] = {ap->cfg->zalo.enabled, ap->cfg->telegram.enabled};
    for (int i = 0; i < 2; i++) {
        pi->p[i] = (pi_plat){.pi = pi, .ad = ads[i], .enabled = on[i]};
        if (on[i])
            pushq_init(ap->store, ads[i]->name, NULL, NULL);
    }
    uv_timer_init(loop, &pi->timer);
    pi->timer.data = pi;
    uv_timer_start(&pi->timer, pi_tick, (uint64_t)ap->cfg->push.poll_ms,
                   (uint64_t)ap->cfg->push.poll_ms);
    return pi;
}

void push_in_stop(push_in *pi)
{
    if (!pi || pi->stopping)
        return;
    pi->stopping = 1;
    uv_timer_stop(&pi->timer);
    uv_close((uv_handle_t *)&pi->timer, NULL);
}

void push_in_free(push_in *pi)
{
    free(pi);
}
