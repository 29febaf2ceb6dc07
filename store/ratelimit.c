/* ratelimit.c -- fixed-window budgets and the code miss arguments (see
 * ratelimit.h). One script (store/lua/ratelimit_hit.lua) checks and counts
 * every budget of a request at once, so concurrent requests on several
 * instances never overspend one. */
#include "store/ratelimit.h"

#include <stdlib.h>
#include <string.h>

#include "common/xmalloc.h"
#include "store/arg.h"
#include "store/store_lua.h"

typedef struct rl_call {
    ratelimit_fn *fn;
    void *privdata;
} rl_call;

int ratelimit_retry_after_s(long long ms)
{
    return ms <= 1000 ? 1 : (int)((ms + 999) / 1000);
}

static void rl_on_hit(redisReply *r, void *privdata)
{
    rl_call *c = privdata;
    ratelimit_fn *fn = c->fn;
    void *up = c->privdata;
    free(c);
    if (!store_reply_shape(r, 2, (const int[]){REDIS_REPLY_INTEGER, REDIS_REPLY_INTEGER})) {
        fn(-1, 0, up);
        return;
    }
    if (r->element[0]->integer == 1) {
        fn(1, 0, up);
        return;
    }
    long long ms = r->element[1]->integer;
    fn(0, ratelimit_retry_after_s(ms), up);
}

static char *rl_key(const char *prefix, const char *kind, const char *id)
{
    const char *parts[4] = {prefix, kind, kind ? ":" : NULL, id};
    return store_arg_cat(parts, 4, NULL);
}

int ratelimit_argv_init(ratelimit_argv *out, const ratelimit_rule *rules, size_t n)
{
    memset(out, 0, sizeof(*out));
    if (n > RATELIMIT_RULES_MAX || (n && !rules))
        return -1;
    int nk = 0;
    for (size_t i = 0; i < n; i++) {
        const ratelimit_rule *r = &rules[i];
        if (r->limit <= 0 || !r->id || !*r->id)
            continue;
        if (!r->kind || !*r->kind || strchr(r->kind, ':') || r->window_s < 1) {
            ratelimit_argv_free(out);
            return -1;
        }
        out->keys[nk] = rl_key("dvcbot:rl:", r->kind, r->id);
        num_format(out->nums[nk][0], r->limit);
        num_format(out->nums[nk][1], r->window_s);
        out->argv[out->n++] = out->keys[nk];
        out->argv[out->n++] = out->nums[nk][0];
        out->argv[out->n++] = out->nums[nk][1];
        nk++;
    }
    return 0;
}

void ratelimit_argv_free(ratelimit_argv *a)
{
    if (!a)
        return;
    for (int i = 0; i < RATELIMIT_RULES_MAX; i++) {
        free(a->keys[i]);
        a->keys[i] = NULL;
    }
    a->n = 0;
}

int ratelimit_hit(store *s, const ratelimit_rule *rules, size_t n, ratelimit_fn *fn,
                  void *privdata)
{
    ratelimit_argv a;
    if (!s || !fn || ratelimit_argv_init(&a, rules, n) < 0)
        return -1;
    if (!a.n) {
        if (!store_is_up(s))
            return -1;
        fn(1, 0, privdata);
        return 0;
    }
    rl_call *c = xcalloc(1, sizeof(*c));
    c->fn = fn;
    c->privdata = privdata;
    int rc = store_eval(s, rl_on_hit, c, &store_lua_ratelimit_hit, 0, a.n, a.argv, NULL);
    if (rc < 0)
        free(c);
    ratelimit_argv_free(&a);
    return rc;
}

int ratelimit_miss_argv_init(ratelimit_miss_argv *out, const ratelimit_miss *m)
{
    memset(out, 0, sizeof(*out));
    if (!m || !m->channel || !*m->channel || strchr(m->channel, ':') || !m->user ||
        !*m->user || m->window_s < 1)
        return -1;
    const char *ch = !strcmp(m->channel, "ussd") ? "sms" : m->channel; /* one phone */
    const char *parts[4] = {"dvcbot:rl-miss:", ch, ":", m->user};
    out->id_key = store_arg_cat(parts, 4, NULL);
    out->addr_key = m->addr && *m->addr ? rl_key("dvcbot:rl-miss-addr:", NULL, m->addr)
                                        : xstrdup("");
    num_format(out->lim, m->limit);
    num_format(out->alim, m->addr_limit > 0 ? m->addr_limit : 1 << 30);
    num_format(out->win, m->window_s);
    out->argv[0] = out->id_key;
    out->argv[1] = out->addr_key;
    out->argv[2] = out->lim;
    out->argv[3] = out->alim;
    out->argv[4] = out->win;
    return 0;
}

void ratelimit_miss_argv_free(ratelimit_miss_argv *a)
{
    if (!a)
        return;
    free(a->id_key);
    free(a->addr_key);
    a->id_key = a->addr_key = NULL;
}
