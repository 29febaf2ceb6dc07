/* router.c -- one message through session, intent, dialog and back (see router.h).
 *
 * A "route" is the heap state of one message in flight: it is created by
 * router_handle(), survives the asynchronous session load, the dialog and the
 * session save, and is freed after the caller's callback ran.
 *
 * One turn at a time per session holds across instances through the
 * session's lease (store/sessions.h): the route takes it with its budgets
 * and the read in one script call (the store waits, bounded, while another
 * instance's turn holds it), and gives it back with the write and the
 * hand-off history in another, or without a write when the turn fails. The
 * session's bytes are store/sesscodec.h's. */
#include "bot/conv/router.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bot/conv/agent.h"
#include "bot/conv/chatlog.h"
#include "bot/conv/dialogs/dialog.h"
#include "bot/conv/reply_json.h"
#include "intents/normalize.h"
#include "store/agent_queue.h"
#include "store/ratelimit.h"
#include "store/sesscodec.h"
#include "store/sessions.h"
#include "common/buf.h"
#include "common/xmalloc.h"

/* Below this confidence a model's guess is asked back (docs/dialogs.md);
 * a runner-up needs ROUTER_ALT_MIN (ROUTER_ALT_UNKNOWN when the guess is
 * "unknown") to be offered. */
#define ROUTER_SURE 0.7f
#define ROUTER_ALT_MIN 0.15f
#define ROUTER_ALT_UNKNOWN 0.35f
/* One or two words ("phản ánh", "cán bộ") name a topic more than a request:
 * below this the citizen is asked which was meant. */
#define ROUTER_SURE_SHORT 0.9f
#define ROUTER_SHORT_WORDS 2
/* The lease of a session: longer than any turn (a turn whose lease ran out
 * writes nothing and answers "unavailable"); a message waits at most
 * ROUTER_LEASE_WAIT_MS for another instance's turn (the store polls). */
#define ROUTER_LEASE_MS 5000
#define ROUTER_LEASE_WAIT_MS 5000

typedef struct route route;

struct router {
    router_deps d;
    route *busy;     /* routes in flight, one per user (route.next_busy) */
    int retry_after; /* of the ROUTER_LIMITED being called back */
    const chat_json *json; /* of the ROUTER_OK being called back, or NULL */
    const char *replayed;  /* of the ROUTER_REPLAYED being called back */
    size_t replayed_len;
    unsigned long turns; /* lease tokens: store_instance() + ":" + this */
};

struct route {
    router *r;
    char *ukey;      /* "{session channel}:{user}": one at a time per key */
    route *next_busy;
    route *wait_head, *wait_tail, *next_wait; /* the user's later messages */
    int started;     /* in r->busy */
    int leased;      /* the session's lease is (or may still be) rt->token's */
    char token[SESSIONS_TOKEN_MAX + 1];
    message *m;
    intent_result ir;
    json_t *session;
    dialog_ctx dctx;
    router_done_fn *fn;
    void *ctx;
    sessions_claim claim;   /* the turn's claim (claim.id NULL: none) */
    router_reply_fn *reply_fn;
    int awaited;     /* the intent the previous turn asked about, or -1 */
    int guess;       /* the intent is the classifier's own guess */
    int dropped;     /* "thôi" / "hủy" to a pending question without buttons */
    char *oldlog[AGENTQ_HISTORY_MAX]; /* an old session's history, as chat log lines */
    size_t noldlog;
    char *norm;      /* the text normalised (router_norm), or NULL */
    chat_json json;  /* the chat reply escaped once (reply_json.h); nparts 0 otherwise */
    int norm_done;
};

router *router_new(const router_deps *deps)
{
    router *r = xcalloc(1, sizeof(*r));
    r->d = *deps;
    return r;
}

void router_free(router *r)
{
    free(r);
}

int router_retry_after(const router *r)
{
    return r ? r->retry_after : 0;
}

const chat_json *router_reply_json(const router *r)
{
    return r ? r->json : NULL;
}

const char *router_replayed(const router *r, size_t *len)
{
    if (len)
        *len = r ? r->replayed_len : 0;
    return r ? r->replayed : NULL;
}

static int router_start(route *rt);

static void route_destroy(route *rt)
{
    message_free(rt->m);
    intent_result_clear(&rt->ir);
    json_decref(rt->session);
    reply_free(rt->dctx.out);
    for (size_t i = 0; i < rt->noldlog; i++)
        free(rt->oldlog[i]);
    free(rt->ukey);
    free(rt->norm);
    chat_json_clear(&rt->json);
    free(rt);
}

/* rt is over: it leaves the busy list and the user's next message starts
 * (one that cannot start is answered "unavailable", and the next one tried). */
static void route_free(route *rt)
{
    router *r = rt->r;
    route *next = rt->wait_head;
    if (rt->started)
        for (route **pp = &r->busy; *pp; pp = &(*pp)->next_busy)
            if (*pp == rt) {
                *pp = rt->next_busy;
                break;
            }
    route *tail = rt->wait_tail;
    if (rt->leased)
        sessions_release(r->d.store, channel_name(rt->m->channel), rt->m->user, rt->token);
    route_destroy(rt);
    while (next) {
        route *after = next->next_wait;
        next->wait_head = after;
        next->wait_tail = after ? tail : NULL;
        next->next_wait = NULL;
        if (router_start(next) == 0)
            return;
        next->fn(ROUTER_UNAVAILABLE, NULL, intent_name(INTENT_UNKNOWN), next->ctx);
        next->wait_head = next->wait_tail = NULL;
        route_destroy(next);
        next = after;
    }
}

static void route_fail(route *rt)
{
    rt->fn(ROUTER_UNAVAILABLE, NULL, intent_name(rt->ir.intent), rt->ctx);
    route_free(rt);
}

/* "clarify:<intent>": the citizen chose what the kept text meant; the text
 * is classified again for its entities and goes to that dialog as typed. */
static void router_clarified(route *rt, const char *name)
{
    int id = intent_from_name(name);
    const char *kept = json_string_value(json_object_get(rt->session, "clarify_text"));
    if (kept) {
        free(rt->m->text);
        rt->m->text = xstrdup(kept);
        intents_classify(rt->r->d.intents, rt->m->text, strlen(rt->m->text), &rt->ir);
    }
    json_object_del(rt->session, "clarify_text");
    free(rt->m->payload);
    rt->m->payload = NULL;
    /* never a destructive action on a guess */
    rt->ir.intent = id < 0 || id == INTENT_UNSUBSCRIBE ? INTENT_UNKNOWN : (intent_id)id;
}

/* "intent" or "intent:argument" -> intent result. */
static void router_payload(route *rt)
{
    const char *p = rt->m->payload;
    /* [web] the page's language switch: the session answers in that language */
    if (!strcmp(p, "lang:en") || !strcmp(p, "lang:vi")) {
        json_object_set_new(rt->session, "lang", json_string(p + 5));
        rt->ir.intent = INTENT_GREETING;
        return;
    }
    if (!strncmp(p, "clarify:", 8)) {
        router_clarified(rt, p + 8);
        return;
    }
    const char *colon = strchr(p, ':');
    size_t n = colon ? (size_t)(colon - p) : strlen(p);
    char name[32];
    int id = -1;
    if (n < sizeof(name)) {
        memcpy(name, p, n);
        name[n] = '\0';
        id = intent_from_name(name);
    }
    if (colon)
        intents_entities(rt->r->d.intents, colon + 1, strlen(colon + 1), &rt->ir);
    rt->ir.intent = id < 0 ? INTENT_UNKNOWN : (intent_id)id;
    if (id == INTENT_RATING && colon && colon[1] >= '1' && colon[1] <= '5' && !colon[2])
        rt->ir.score = colon[1] - '0';
}

/* The message's text normalised (intents/normalize.h), computed once for
 * the language and the typed answer; NULL when there is no text or it is
 * not UTF-8. Owned by rt. */
static const char *router_norm(route *rt)
{
    const char *t = rt->m->text;
    size_t len = t ? strlen(t) : 0;
    if (!rt->norm_done && len) {
        rt->norm = xmalloc(len + 1);
        if (norm_text(t, len, rt->norm, len + 1, NULL) < 0) {
            free(rt->norm);
            rt->norm = NULL;
        }
    }
    rt->norm_done = 1;
    return rt->norm;
}

/* A typed answer to the last reply's buttons (its number, its words, yes /
 * no / cancel, "quay lại" in an open complaint form) becomes that button's
 * payload; the text stays, so a dialog can tell typed from tapped. */
static void router_typed(route *rt)
{
    const char *norm = router_norm(rt);
    const char *p = NULL;
    if (norm) {
        if (json_is_object(json_object_get(rt->session, "pakn")) && dialog_answer_back(norm))
            p = "complaint_new:back";
        else
            p = dialog_answer_button(rt->session, norm);
        /* a question without buttons (a code, a contact) dropped by "thôi" */
        rt->dropped = !p && rt->awaited >= 0 && dialog_answer_yesno(norm) == DIALOG_CANCEL &&
                      !json_is_object(json_object_get(rt->session, "pakn"));
    }
    if (p)
        rt->m->payload = xstrdup(p);
}

/* Classify the message; a message that matches nothing answers the question
 * the session is waiting on ("await"), if any. A question that waits for
 * free text ("await_text") takes a bare dossier code (for "contact": a
 * phone number or an e-mail) and anything the classifier is unsure of,
 * while a clear other intent wins; one that waits for a complaint's
 * content ("content") takes anything but a cancel. */
static void router_classify(route *rt)
{
    json_t *aw = json_object_get(rt->session, "await");
    int awaited = json_is_string(aw) ? intent_from_name(json_string_value(aw)) : -1;
    json_t *ft = json_object_get(rt->session, "await_text");
    const char *mode = json_string_value(ft);
    int content = mode && !strcmp(mode, "content");
    int contact = mode && !strcmp(mode, "contact");
    int free_text = json_is_true(ft) || mode;
    rt->awaited = awaited;
    json_object_del(rt->session, "await");
    json_object_del(rt->session, "await_text");
    if (!rt->m->payload)
        router_typed(rt);
    /* the last reply's buttons stay until router_finish(): the chat log
     * names a tapped button by its title there */
    if (rt->dropped)
        return;
    if (rt->m->payload) {
        router_payload(rt);
        return;
    }
    const char *t = rt->m->text ? rt->m->text : "";
    intents_classify(rt->r->d.intents, t, strlen(t), &rt->ir);
    rt->guess = awaited < 0;    /* the pending question tells what is meant */
    if (awaited < 0 || rt->ir.intent == (intent_id)awaited)
        return;
    if (rt->ir.intent != INTENT_UNKNOWN) {
        int bare_code = (rt->ir.dossier_code[0] && rt->ir.intent == INTENT_DOSSIER_STATUS) ||
                        (contact && dialog_answer_has_contact(t));
        int unsure = rt->ir.confidence < ROUTER_SURE;
        if (!free_text || rt->ir.intent == INTENT_UNSUBSCRIBE) {
            rt->guess = 1;
            return;
        }
        if (!content && !bare_code && !unsure) {
            rt->guess = 1;      /* a clear other intent wins */
            return;
        }
    } else {
        intents_entities(rt->r->d.intents, t, strlen(t), &rt->ir);
    }
    rt->ir.intent = (intent_id)awaited;
    if (!rt->ir.text)
        rt->ir.text = xstrdup(t);
}

/* Whether the classifier's guess is too unsure to act on: then the citizen
 * is asked which of the likely meanings was meant. */
static int router_unsure(const route *rt)
{
    const intent_result *ir = &rt->ir;
    if (!rt->guess || rt->m->channel == CHANNEL_USSD || ir->alt == INTENT_UNKNOWN ||
        ir->alt == ir->intent || ir->alt == INTENT_UNSUBSCRIBE || ir->alt == INTENT_GREETING ||
        ir->dossier_code[0] || ir->complaint_code[0] || ir->procedure_code[0])
        return 0;
    if (ir->intent == INTENT_UNKNOWN)
        return ir->alt_confidence >= ROUTER_ALT_UNKNOWN;
    if (ir->intent == INTENT_GREETING || ir->intent == INTENT_UNSUBSCRIBE)
        return 0;
    float sure = dialog_answer_word_count(rt->m->text) <= ROUTER_SHORT_WORDS ? ROUTER_SURE_SHORT : ROUTER_SURE;
    return ir->confidence < sure && ir->alt_confidence >= ROUTER_ALT_MIN;
}

static void router_dispatch(route *rt);
static void router_finish(dialog_ctx *ctx);
static void router_agent_checked(int status, int held, int queued, void *ctx);

static void router_loaded(const char *value, size_t len, route *rt)
{
    rt->session = value ? sesscodec_decode(value, len, NULL) : NULL;
    if (!json_is_object(rt->session)) {
        json_decref(rt->session);
        rt->session = json_object();
    }
    rt->noldlog = chatlog_migrate(rt->session, rt->oldlog,    /* only chat has a log */
                                  rt->m->channel == CHANNEL_CHAT ? AGENTQ_HISTORY_MAX : 0);
    /* [webchat] a conversation handed to a person: see router_agent_checked */
    if (rt->r->d.agent && json_is_true(json_object_get(rt->session, "agent")) &&
        agent_check(rt->r->d.agent, rt->m, router_agent_checked, rt) == 0)
        return;
    router_dispatch(rt);
}

/* The language of the conversation follows what the citizen writes: an
 * English text switches the answers to English, a Vietnamese one back;
 * a digit or "ok" leaves it as it was (dialog_answer_language). */
static void router_language(route *rt)
{
    if (rt->m->payload)
        return;
    const char *norm = router_norm(rt);
    const char *lang = norm ? dialog_answer_language(rt->m->text, norm) : NULL;
    if (lang)
        json_object_set_new(rt->session, "lang", json_string(lang));
}

static void router_ctx(route *rt)
{
    json_t *lang = json_object_get(rt->session, "lang");
    rt->dctx = (dialog_ctx){
        .msg = rt->m,
        .ir = &rt->ir,
        .session = rt->session,
        .msgs = rt->r->d.msgs,
        .lang = json_is_string(lang) && !strcmp(json_string_value(lang), "en") ? "en" : "vi",
        .out = reply_new(),
        .store = rt->r->d.store,
        .catalogue = rt->r->d.catalogue,
        .cfg = rt->r->d.cfg,
        .finish = router_finish,
        .owner = rt,
        .awaited = rt->awaited,
    };
}

static void router_dispatch(route *rt)
{
    router_language(rt);
    router_classify(rt);
    if (rt->r->d.metrics)
        metrics_message(rt->r->d.metrics, rt->m->channel, rt->ir.intent);
    router_ctx(rt);
    if (rt->dropped) {
        dialog_dropped(&rt->dctx);
        return;
    }
    if (router_unsure(rt)) {
        intent_id a = rt->ir.intent == INTENT_UNKNOWN ? rt->ir.alt : rt->ir.intent;
        dialog_clarify(&rt->dctx, a, rt->ir.intent == INTENT_UNKNOWN ? INTENT_UNKNOWN : rt->ir.alt);
        return;
    }
    dialog_for(rt->ir.intent)(&rt->dctx);
}

/* While an operator holds the conversation the bot stays silent (the text
 * went to the operator); once it is over the flag goes and the bot answers. */
static void router_agent_checked(int status, int held, int queued, void *ctx)
{
    route *rt = ctx;
    if (status < 0) {
        route_fail(rt);
        return;
    }
    if (!queued)
        json_object_del(rt->session, "agent");
    if (!held) {
        router_dispatch(rt);
        return;
    }
    rt->ir.intent = INTENT_HUMAN_AGENT;
    router_ctx(rt);
    dialog_finish(&rt->dctx);
}

static void router_saved(int status, void *privdata)
{
    route *rt = privdata;
    if (status == 0)
        rt->leased = 0;     /* the commit gave it back */
    if (status < 0) {
        route_fail(rt);
        return;
    }
    reply *out = rt->dctx.out;
    rt->dctx.out = NULL;
    agent_note(rt->r->d.agent, rt->m, out, rt->session);
    rt->r->json = rt->m->channel == CHANNEL_CHAT ? &rt->json : NULL;
    rt->fn(ROUTER_OK, out, intent_name(rt->ir.intent), rt->ctx);
    rt->r->json = NULL;
    route_free(rt);
}

/* A complaint form left open by a question asked in its middle is parked:
 * the answer says so, with a button (or "tiếp tục") to resume it. */
static void router_parked(route *rt)
{
    channel ch = rt->m->channel;
    if (rt->awaited != INTENT_COMPLAINT_NEW || rt->ir.intent == INTENT_COMPLAINT_NEW ||
        ch == CHANNEL_SMS || ch == CHANNEL_USSD ||
        !json_is_object(json_object_get(rt->session, "pakn")))
        return;
    reply_add_text(rt->dctx.out, messages_get(rt->r->d.msgs, "complaint_new.parked", rt->dctx.lang));
    reply_add_button(rt->dctx.out, messages_get(rt->r->d.msgs, "button.resume", rt->dctx.lang),
                     "complaint_new:resume");
}

/* dialog_ctx.finish of every dialog the router runs. */
static void router_finish(dialog_ctx *ctx)
{
    route *rt = ctx->owner;
    router_parked(rt);
    if (rt->m->channel == CHANNEL_CHAT)
        reply_json_build(&rt->json, rt->dctx.out);
    char *log[SESSIONS_CHATLOG_MAX];   /* before the buttons change: a tap's title */
    memcpy(log, rt->oldlog, rt->noldlog * sizeof(*log));
    size_t nlog = chatlog_remember(rt->session, rt->m, rt->dctx.out, &rt->json, (long long)time(NULL),
                                   log + rt->noldlog, SESSIONS_CHATLOG_MAX - rt->noldlog);
    dialog_answer_remember(rt->session, rt->dctx.out);
    json_t *turns = json_object_get(rt->session, "turns");
    json_object_set_new(rt->session, "turns",
                        json_integer(json_is_integer(turns) ? json_integer_value(turns) + 1 : 1));
    json_object_set_new(rt->session, "last_intent", json_string(intent_name(rt->ir.intent)));
    buf b = {0};
    buf_reserve(&b, 1024);      /* most sessions fit: not grown step by step */
    sesscodec_encode(rt->session, &b);
    sessions_write w = {b.data, b.len, rt->r->d.session_ttl_s, (const char *const *)log,
                        rt->noldlog + nlog, NULL};
    if (rt->reply_fn)
        w.mo = rt->reply_fn(rt->dctx.out, intent_name(rt->ir.intent), rt->ctx);
    int rc = sessions_commit(rt->r->d.store, channel_name(rt->m->channel), rt->m->user,
                             rt->token, &w, router_saved, rt);
    buf_free(&b);
    for (size_t i = 0; i < nlog; i++)
        free(log[rt->noldlog + i]);
    if (rc < 0)
        route_fail(rt);
}

/* The turn's start answered: the session (router_loaded), or a budget
 * refused it, or another instance's turn kept the lease for too long, or
 * Redis failed. */
static void router_begun(int status, int retry_after_s, const char *value, size_t len,
                         void *privdata)
{
    route *rt = privdata;
    if (status == SESSIONS_LIMITED) {
        rt->leased = 0;
        reply *out = reply_new();
        reply_add_text(out, messages_get(rt->r->d.msgs, "errors.rate_limited", "vi"));
        rt->r->retry_after = retry_after_s;
        rt->fn(ROUTER_LIMITED, out, intent_name(INTENT_UNKNOWN), rt->ctx);
        route_free(rt);
        return;
    }
    if (status == SESSIONS_ANSWERED || status == SESSIONS_BUSY) {
        rt->leased = 0;
        rt->r->replayed = value;
        rt->r->replayed_len = len;
        rt->fn(status == SESSIONS_ANSWERED ? ROUTER_REPLAYED : ROUTER_BUSY, NULL,
               intent_name(INTENT_UNKNOWN), rt->ctx);
        rt->r->replayed = NULL;
        rt->r->replayed_len = 0;
        route_free(rt);
        return;
    }
    if (status == SESSIONS_HELD)
        rt->leased = 0;
    if (status != SESSIONS_OWNED) {
        route_fail(rt);
        return;
    }
    router_loaded(value, len, rt);
}

/* Join the busy list and start the turn: the budgets, the lease and the
 * session in one script call; -1 (rt untouched but unlinked) when Redis is
 * down. */
static int router_start(route *rt)
{
    router *r = rt->r;
    const config *cfg = r->d.cfg;
    rt->next_busy = r->busy;
    r->busy = rt;
    rt->started = 1;
    ratelimit_rule rules[2] = {
        {"id", rt->ukey, cfg ? cfg->limits.identity_per_window : 0,
         cfg ? cfg->limits.window_s : 60},
        {"addr", rt->m->addr, cfg ? cfg->limits.addr_per_window : 0,
         cfg ? cfg->limits.window_s : 60},
    };
    sessions_turn t = {channel_name(rt->m->channel), rt->m->user, rt->token, ROUTER_LEASE_MS,
                       ROUTER_LEASE_WAIT_MS, rules, 2, rt->claim.id ? &rt->claim : NULL};
    rt->leased = 1;     /* a start whose answer is lost may still have taken it */
    if (sessions_begin(r->d.store, &t, router_begun, rt) < 0) {
        rt->leased = 0;
        r->busy = rt->next_busy;
        rt->started = 0;
        return -1;
    }
    return 0;
}

static route *router_busy_find(router *r, const char *ukey)
{
    for (route *b = r->busy; b; b = b->next_busy)
        if (!strcmp(b->ukey, ukey))
            return b;
    return NULL;
}

int router_handle(router *r, message *m, router_done_fn *fn, void *ctx)
{
    return router_handle_turn(r, m, NULL, fn, ctx);
}

int router_handle_turn(router *r, message *m, const router_turn *t, router_done_fn *fn,
                       void *ctx)
{
    if (!store_is_up(r->d.store)) {
        message_free(m);
        return -1;
    }
    route *rt = xcalloc(1, sizeof(*rt));
    rt->r = r;
    rt->m = m;
    rt->fn = fn;
    rt->ctx = ctx;
    if (t && t->claim)
        rt->claim = *t->claim;
    rt->reply_fn = t ? t->reply : NULL;
    rt->ir.intent = INTENT_UNKNOWN;
    rt->awaited = -1;
    sessions_token(rt->token, store_instance(r->d.store), ":", ++r->turns);
    const char *ch = channel_name(m->channel);
    ch = !strcmp(ch, "ussd") ? "sms" : ch;
    size_t nc = strlen(ch), nu = strlen(m->user);
    rt->ukey = xmalloc(nc + nu + 2);    /* "{channel}:{user}" */
    memcpy(rt->ukey, ch, nc);
    rt->ukey[nc] = ':';
    memcpy(rt->ukey + nc + 1, m->user, nu + 1);
    route *owner = router_busy_find(r, rt->ukey);
    if (owner) {
        if (owner->wait_tail)
            owner->wait_tail->next_wait = rt;
        else
            owner->wait_head = rt;
        owner->wait_tail = rt;
        return 0;
    }
    if (router_start(rt) < 0) {
        route_destroy(rt);
        return -1;
    }
    return 0;
}
