/* ussd_flow.c -- the USSD engine: route load, navigation, route save (see
 * ussd_flow.h; internals in ussd_int.h). */
#include "bot/ussd/ussd_int.h"

#include <stdlib.h>
#include <string.h>

#include "store/sesscodec.h"
#include "common/buf.h"
#include "common/xmalloc.h"

#define USSD_ROUTE_CHANNEL "ussd-route"
/* The route's lease: longer than any request; a request waits at most
 * USSD_LEASE_WAIT_MS for the same session's request in flight elsewhere. */
#define USSD_LEASE_MS 5000
#define USSD_LEASE_WAIT_MS 5000

ussd_flow *ussd_flow_new(const ussd_flow_deps *d)
{
    ussd_flow *f = xcalloc(1, sizeof(*f));
    f->d = *d;
    ussd_cache_new(f);
    return f;
}

void ussd_flow_free(ussd_flow *f)
{
    if (!f)
        return;
    ussd_cache_free(f->cache);
    free(f);
}

static void ussd_call_free(ussd_call *c)
{
    if (c->leased)
        sessions_release(c->f->d.store, USSD_ROUTE_CHANNEL, c->key, c->token);
    ussd_req_clear(&c->req);
    json_decref(c->st);
    free(c);
}

json_t *ussd_vars(ussd_call *c)
{
    return json_object_get(c->st, "v");
}

const ussd_screen *ussd_top(ussd_call *c)
{
    const ussd_menu *m = c->f->d.menu;
    const ussd_screen *sc = NULL;
    size_t n = ussd_strs_count(c, "s");
    if (n)
        sc = ussd_menu_screen(m, ussd_strs_at(c, "s", n - 1));
    return sc ? sc : ussd_menu_home(m);
}

static int ussd_page(ussd_call *c)
{
    return (int)json_integer_value(json_object_get(c->st, "p"));
}

static void ussd_set_page(ussd_call *c, int p)
{
    json_object_set_new(c->st, "p", json_integer(p));
}

void ussd_flow_fail(ussd_call *c)
{
    const char *t = messages_get(c->f->d.msgs, "ussd.unavailable", "vi");
    c->fn(503, ussd_fold(c, t), 1, c->ctx);
    ussd_call_free(c);
}

/* Answer the last screen of the route and free the call. */
static void ussd_answer(ussd_call *c)
{
    json_t *last = json_object_get(c->st, "last");
    c->fn(200, xstrdup(json_string_value(last)), json_is_true(json_object_get(c->st, "end")),
          c->ctx);
    ussd_call_free(c);
}

static void ussd_saved(int status, void *privdata)
{
    ussd_call *c = privdata;
    if (status < 0) {
        ussd_flow_fail(c);
        return;
    }
    c->leased = 0;      /* the commit gave it back */
    ussd_answer(c);
}

void ussd_show(ussd_call *c)
{
    int end = 0;
    char *screen = ussd_compose(c, &end);
    json_object_set_new(c->st, "last", json_string(screen));
    json_object_set_new(c->st, "end", json_boolean(end));
    free(screen);
    buf b = {0};
    sesscodec_encode(c->st, &b);
    sessions_write w = {.value = b.data, .len = b.len, .ttl_s = c->f->d.cfg->ussd.session_ttl_s};
    int rc = sessions_commit(c->f->d.store, USSD_ROUTE_CHANNEL, c->key, c->token, &w, ussd_saved,
                             c);
    buf_free(&b);
    if (rc < 0)
        ussd_flow_fail(c);
}

/* A fresh route at home. */
static void ussd_reset(ussd_call *c)
{
    buf s = {0};
    ussd_strs_put(&s, ussd_menu_home(c->f->d.menu)->id);
    ussd_strs_set(c, "s", &s);
    buf_free(&s);
    json_object_set_new(c->st, "v", json_object());
    json_object_del(c->st, "it");
    json_object_del(c->st, "res");
    ussd_set_page(c, 0);
}

/* Run the entry of the top screen (lists fetch, actions run), then show. */
static void ussd_enter(ussd_call *c)
{
    const ussd_screen *sc = ussd_top(c);
    json_object_del(c->st, "it");
    json_object_del(c->st, "res");
    json_object_del(c->st, "btn");
    ussd_set_page(c, 0);
    if (sc->type == USSD_LIST)
        ussd_list_enter(c, sc);
    else if (sc->type == USSD_ACTION)
        ussd_action_enter(c, sc);
    else
        ussd_show(c);
}

static void ussd_push(ussd_call *c, const char *id)
{
    json_t *s = json_object_get(c->st, "s");
    buf b = {0};
    if (json_is_string(s) && ussd_strs_count(c, "s") < 32) /* else (a loop) start again */
        buf_append(&b, json_string_value(s), json_string_length(s));
    ussd_strs_put(&b, id);
    ussd_strs_set(c, "s", &b);
    buf_free(&b);
    ussd_enter(c);
}

void ussd_pop(ussd_call *c)
{
    if (ussd_strs_count(c, "s") > 1)
        ussd_strs_drop_last(c, "s");
}

/* Item number typed (1..n), or 0. */
static size_t ussd_choice(const char *in, size_t n)
{
    size_t len = strlen(in), v = 0;
    if (len == 0 || len > 3 || in[0] == '0')
        return 0;
    for (size_t i = 0; i < len; i++) {
        if (in[i] < '0' || in[i] > '9')
            return 0;
        v = v * 10 + (size_t)(in[i] - '0');
    }
    return v <= n ? v : 0;
}

static void ussd_pick(ussd_call *c, const ussd_screen *sc, const char *in)
{
    json_t *vars = ussd_vars(c);
    if (sc->type == USSD_MENU) {
        size_t k = ussd_choice(in, sc->nitems);
        if (k) {
            const ussd_item *it = &sc->items[k - 1];
            json_object_update(vars, it->set);
            ussd_push(c, it->next);
            return;
        }
    } else if (sc->type == USSD_LIST) {
        const char *it[2 * USSD_LIST_MAX];
        size_t k = ussd_choice(in, ussd_strs_get(c, "it", it, 2 * USSD_LIST_MAX) / 2);
        if (k) {
            char name[64];
            snprintf(name, sizeof(name), "%s_name", sc->var);
            json_object_set_new(vars, sc->var, json_string_nocheck(it[2 * k - 2]));  /* UTF-8 */
            json_object_set_new(vars, name, json_string_nocheck(it[2 * k - 1]));
            ussd_push(c, sc->next);
            return;
        }
    } else if (sc->type == USSD_ACTION) {
        size_t k = ussd_choice(in, ussd_strs_count(c, "btn"));  /* a procedure's cases */
        if (k) {
            ussd_action_pick(c, ussd_strs_at(c, "btn", k - 1));
            return;
        }
    } else if (sc->type == USSD_INPUT) {
        if (ussd_menu_match(c->f->d.menu, sc, in, strlen(in))) {
            json_object_set_new(vars, sc->var, json_string(in));
            ussd_push(c, sc->next);
            return;
        }
        c->err = sc->error;
        ussd_show(c);
        return;
    }
    c->err = "ussd.error.choice";
    ussd_show(c);
}

/* One input on the current screen. */
static void ussd_input(ussd_call *c, const char *in)
{
    const ussd_screen *sc = ussd_top(c);
    int p = ussd_page(c);
    if (!strcmp(in, "00")) {
        ussd_reset(c);
        ussd_enter(c);
    } else if (!strcmp(in, "0")) {
        if (p > 0) {
            ussd_set_page(c, p - 1);
            ussd_show(c);
            return;
        }
        ussd_pop(c);
        ussd_enter(c);
    } else if (!strcmp(in, "98")) {
        ussd_set_page(c, p + 1); /* ussd_compose() says "no more" past the end */
        ussd_show(c);
    } else {
        ussd_pick(c, sc, in);
    }
}

/* The route is loaded under its lease (or new): decide what the request
 * means. A route still held by a request elsewhere after the wait, or a
 * failed Redis, answers "unavailable". */
static void ussd_loaded(int status, int retry_after_s, const char *value, size_t len,
                        void *privdata)
{
    ussd_call *c = privdata;
    (void)retry_after_s;    /* no budgets on the route: the router counts the phone's */
    if (status == SESSIONS_HELD)
        c->leased = 0;
    if (status != SESSIONS_OWNED) {
        ussd_flow_fail(c);
        return;
    }
    json_t *st = value ? sesscodec_decode(value, len, NULL) : NULL;
    json_t *s = json_object_get(st, "s");
    int fresh = !json_is_object(st) || c->req.is_new || !(json_is_string(s) || json_is_array(s));
    c->st = fresh ? json_object() : st;
    if (fresh)
        json_decref(st);
    else
        ussd_route_upgrade(c);  /* a route saved by an earlier version */
    const char *text = c->req.text, *in = text;
    if (c->req.proto == USSD_PROTO_AT && !fresh) {
        const char *seen = json_string_value(json_object_get(c->st, "seen"));
        int rc = ussd_at_input(seen ? seen : "", text, &in);
        if (rc == 1 && json_is_string(json_object_get(c->st, "last"))) {
            ussd_answer(c); /* a retry: the same screen again (the lease is released) */
            return;
        }
        if (rc < 0) /* a path that does not extend ours: its last input */
            in = strrchr(text, '*') ? strrchr(text, '*') + 1 : text;
    }
    json_object_set_new(c->st, "seen", json_string(text));
    json_t *n = json_object_get(c->st, "n");
    json_object_set_new(c->st, "n", json_integer(json_integer_value(n) + 1));
    if (fresh) {
        ussd_reset(c);
        ussd_enter(c);
    } else {
        ussd_input(c, in ? in : "");
    }
}

/* a, sep and b in out (cap bytes), cut as snprintf() would. */
static void ussd_concat(char *out, size_t cap, const char *a, const char *sep, const char *b)
{
    size_t n = 0;
    const char *p[3] = {a, sep, b};
    for (int i = 0; i < 3; i++)
        for (const char *q = p[i]; *q && n + 1 < cap; q++)
            out[n++] = *q;
    out[n] = '\0';
}

int ussd_flow_handle(ussd_flow *f, ussd_req *req, ussd_flow_fn *fn, void *ctx)
{
    ussd_call *c = xcalloc(1, sizeof(*c));
    c->f = f;
    c->req = *req;
    memset(req, 0, sizeof(*req));
    c->fn = fn;
    c->ctx = ctx;
    ussd_concat(c->key, sizeof(c->key), c->req.msisdn, ":", c->req.session);
    sessions_token(c->token, store_instance(f->d.store), ":u", ++f->turns);
    sessions_turn t = {USSD_ROUTE_CHANNEL, c->key, c->token, USSD_LEASE_MS, USSD_LEASE_WAIT_MS,
                       NULL, 0, NULL};
    c->leased = 1;      /* a start whose answer is lost may still have taken it */
    if (sessions_begin(f->d.store, &t, ussd_loaded, c) < 0) {
        c->leased = 0;
        ussd_call_free(c);
        return -1;
    }
    return 0;
}
