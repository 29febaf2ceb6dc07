/* conv_fixture.h -- the application of bot/conv/ on a private Redis, for the
 * unit suites that drive whole conversations (test_conv.c, test_agent_hub.c).
 *
 * conv_setup() loads the real configuration as `serve` loads it
 * (config/dvcbot.json, its messages, intent rules and catalogue), starts the
 * private redis-server of tests/unit/redis_fixture.h, and builds the store S,
 * the agent hub and the router R on its loop; conv_teardown() frees all of it
 * (the loop must close empty, ASan's leak check sees the rest) and returns
 * the suite's exit status. Between the two, chat()/press()/sms() send one
 * message through router_handle() and leave what the citizen got in T;
 * part(), button(), nbuttons(), said() and main_menu() read it as a citizen
 * would (texts of messages.vi.json, buttons, the intent). peek is a blocking
 * connection for reading what Redis holds (r_cmd, sess_load). Every message
 * sent is counted: conv_teardown() checks done was called exactly once for
 * each. Everything is static inline: include it from one suite file only. */
#ifndef DVC_TESTS_CONV_FIXTURE_H
#define DVC_TESTS_CONV_FIXTURE_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hiredis/hiredis.h>
#include <jansson.h>
#include <uv.h>

#include "tests/unit/redis_fixture.h"
#include "store/sesscodec.h"
#include "bot/conv/agent.h"
#include "bot/conv/router.h"
#include "catalogue/catalogue.h"
#include "common/buf.h"
#include "common/xmalloc.h"

/* ---- blocking peeks at what Redis holds (test side only) ---- */

static redisContext *peek;
static json_t *sess;            /* the session read last by sess_load() */

static inline redisReply *r_cmd(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    redisReply *r = peek ? redisvCommand(peek, fmt, ap) : NULL;
    va_end(ap);
    return r;
}

/* A string reply as a malloc'd copy, or NULL; frees r. */
static inline char *r_str(redisReply *r)
{
    char *s = r && r->type == REDIS_REPLY_STRING ? xstrndup(r->str, r->len) : NULL;
    freeReplyObject(r);
    return s;
}

/* An integer reply, or -99; frees r. */
static inline long long r_int(redisReply *r)
{
    long long v = r && r->type == REDIS_REPLY_INTEGER ? r->integer : -99;
    freeReplyObject(r);
    return v;
}

/* Read the stored session of (channel, user) into sess (NULL if none). */
/* The session as stored: only the current format (store/sesscodec.h) counts
 * (an old JSON value reads as NULL, so a test sees that it was rewritten). */
static inline json_t *sess_load(const char *ch, const char *user)
{
    redisReply *r = r_cmd("GET dvcbot:sess:%s:%s", ch, user);
    int legacy = 0;
    json_decref(sess);
    sess = r && r->type == REDIS_REPLY_STRING ? sesscodec_decode(r->str, r->len, &legacy) : NULL;
    freeReplyObject(r);
    if (legacy) {
        json_decref(sess);
        sess = NULL;
    }
    return sess;
}

static inline const char *sess_str(const char *field)
{
    return json_string_value(json_object_get(sess, field));
}

static inline int is(const char *a, const char *b) { return a && b && !strcmp(a, b); }

/* ---- the application, loaded as `serve` loads it ---- */

static config *cfg;
static messages *msgs;
static intents *rules;
static catalogue *cat;
static store *S;
static agent_hub *hub;
static router *R;
static const char *proc_code;   /* a procedure of the catalogue */

/* A store on the private Redis (redis_url), with its own command timeout. */
static inline store *open_store(int timeout_ms)
{
    return redis_store_open(redis_url, timeout_ms, 300);
}

static inline router *open_router(store *s, agent_hub *h)
{
    router_deps d = {.store = s, .intents = rules, .msgs = msgs, .cfg = cfg, .catalogue = cat,
                     .session_ttl_s = cfg->session.ttl_s, .agent = h};
    return router_new(&d);
}

/* ---- one message through the router ---- */

typedef struct turn {
    int calls, status;
    reply *r;
    const char *intent;
} turn;

static turn T;
static int n_msgs, n_once;

static inline void on_done(int status, reply *r, const char *intent, void *ctx)
{
    turn *t = ctx;
    t->calls++;
    t->status = status;
    reply_free(t->r);
    t->r = r;
    t->intent = intent;
}

/* Send one message; returns router_handle's value. Runs the loop until done
 * was called, then a little longer to catch a second call. */
static inline int send_msg(router *rt, channel ch, const char *user, const char *text,
                           const char *payload, const char *ref)
{
    reply_free(T.r);
    memset(&T, 0, sizeof(T));
    message *m = message_new(ch, user, strlen(user));
    m->text = text ? xstrdup(text) : NULL;
    m->payload = payload ? xstrdup(payload) : NULL;
    m->ref = ref ? xstrdup(ref) : NULL;
    if (router_handle(rt, m, on_done, &T) < 0)
        return -1;
    RUN_UNTIL(T.calls, 3000);
    RUN_FOR(5);
    n_msgs++;
    n_once += T.calls == 1;
    return 0;
}

static inline void chat(const char *user, const char *text)
{
    send_msg(R, CHANNEL_CHAT, user, text, NULL, NULL);
}

static inline void press(const char *user, const char *payload)
{
    send_msg(R, CHANNEL_CHAT, user, NULL, payload, NULL);
}

static inline void sms(const char *user, const char *text, const char *ref)
{
    send_msg(R, CHANNEL_SMS, user, text, NULL, ref);
}

/* ---- what the citizen got ---- */

static inline const char *part(size_t i)
{
    return T.r && i < T.r->nparts ? T.r->parts[i].text : NULL;
}

static inline size_t nbuttons(void)
{
    size_t n = 0;
    for (size_t i = 0; T.r && i < T.r->nparts; i++)
        n += T.r->parts[i].nbuttons;
    return n;
}

/* The title of the button with this payload, or NULL. */
static inline const char *button(const char *payload)
{
    for (size_t i = 0; T.r && i < T.r->nparts; i++)
        for (size_t j = 0; j < T.r->parts[i].nbuttons; j++)
            if (!strcmp(T.r->parts[i].buttons[j].payload, payload))
                return T.r->parts[i].buttons[j].title;
    return NULL;
}

static inline char *text_vof(const char *key, va_list ap)
{
    buf b = {0};
    messages_vformat(msgs, key, "vi", &b, ap);
    return buf_detach(&b, NULL);
}

/* The Vietnamese text of key with (name, value) pairs, malloc'd. */
static inline char *text_of(const char *key, ...)
{
    va_list ap;
    va_start(ap, key);
    char *t = text_vof(key, ap);
    va_end(ap);
    return t;
}

/* 1 if a part of the reply is exactly the text of key (formatted). */
static inline int said(const char *key, ...)
{
    va_list ap;
    va_start(ap, key);
    char *want = text_vof(key, ap);
    va_end(ap);
    int hit = 0;
    for (size_t i = 0; T.r && i < T.r->nparts; i++)
        hit |= is(T.r->parts[i].text, want);
    if (!hit)
        printf("#   want %s: \"%s\"\n#   got: \"%s\" (status %d, intent %s)\n", key,
               want ? want : "", part(0) ? part(0) : "(none)", T.status, T.intent ? T.intent : "-");
    free(want);
    return hit;
}

/* 1 if the reply carries the main menu: one button per public service. */
static inline int main_menu(void)
{
    static const char *const menu[] = {"dossier_status", "procedure_info", "complaint_new",
                                       "complaint_status", "rating", "human_agent"};
    for (size_t i = 0; i < sizeof(menu) / sizeof(menu[0]); i++) {
        char key[64];
        snprintf(key, sizeof(key), "menu.%s", menu[i]);
        const char *t = button(menu[i]);
        if (!t || strcmp(t, messages_get(msgs, key, "vi")))
            return 0;
    }
    return 1;
}

/* ---- setup and teardown ---- */

static inline int conv_load_app(void)
{
    char err[512] = "";
    if (!(cfg = config_load("config/dvcbot.json", err, sizeof(err))) ||
        !(msgs = messages_load(cfg->files.messages, err, sizeof(err))) ||
        !(rules = intents_load(cfg->files.intents, err, sizeof(err))) ||
        !(cat = catalogue_load(cfg->files.catalogue, cfg->files.procedure_aspects, NULL, err,
                               sizeof(err)))) {
        printf("# %s\n", err);
        return -1;
    }
    for (size_t i = 0; i < catalogue_count(cat) && !proc_code; i++)
        if (!catalogue_at(cat, i)->ended && catalogue_at(cat, i)->name)
            proc_code = catalogue_at(cat, i)->code;
    return proc_code ? 0 : -1;
}

/* The private Redis and the application up, or -1 (a failed check said why). */
static inline int conv_setup(unsigned guard_seconds)
{
    if (redis_suite_start(guard_seconds, 0) != 0)
        return -1;
    T_OK(conv_load_app() == 0, "config, messages, intents and catalogue load (%s)",
         proc_code ? proc_code : "-");
    if (!cfg)
        return -1;
    if (!(peek = sync_open(0)) || peek->err) {
        T_OK(0, "a blocking connection to redis-server on port %d", redis_port);
        return -1;
    }
    S = open_store(cfg->redis.timeout_ms);
    hub = agent_new(&loop, S, cfg, msgs);
    R = open_router(S, hub);
    RUN_UNTIL(store_is_up(S), 3000);
    T_OK(store_is_up(S), "store connected to the private Redis");
    return 0;
}

/* Free everything (the loop must close empty); the exit status. */
static inline int conv_teardown(void)
{
    T_OK(n_once == n_msgs, "done was called exactly once for each of the %d messages handled",
         n_msgs);
    reply_free(T.r);
    json_decref(sess);
    router_free(R);
    agent_stop(hub);
    store_close(S);
    redis_suite_end();
    agent_free(hub);
    catalogue_free(cat);
    intents_free(rules);
    messages_free(msgs);
    config_free(cfg);
    redisFree(peek);
    return t_done();
}

#endif
