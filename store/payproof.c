/* payproof.c -- the payment proof's counted check (see payproof.h). */
#include "store/payproof.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/xmalloc.h"
#include "store/store_lua.h"

#define PAYPROOF_DOSSIER_KEY "dvcbot:dossier:"
#define PAYPROOF_RL_DOSSIER "dvcbot:rl-proof:dossier:"
#define PAYPROOF_RL_ID "dvcbot:rl-proof:id:"

typedef struct payproof_call {
    payproof_fn *fn;
    void *privdata;
} payproof_call;

static int payproof_word(const char *s, size_t max)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > max)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_' ||
              s[i] == '-'))
            return 0;
    return 1;
}

static int payproof_valid(const payproof_req *r)
{
    if (!r || !r->code || !*r->code || strlen(r->code) > 64 || !payproof_word(r->channel, 32) ||
        !r->user || !*r->user || strlen(r->user) > 256 || !r->digits || strlen(r->digits) != 4 ||
        r->dossier_limit < 1 || r->identity_limit < 1 || r->window_s < 1)
        return 0;
    for (int i = 0; i < 4; i++)
        if (r->digits[i] < '0' || r->digits[i] > '9')
            return 0;
    return 1;
}

static int payproof_str(const redisReply *r)
{
    return r && r->type == REDIS_REPLY_STRING;
}

static void payproof_on_reply(redisReply *r, void *privdata)
{
    payproof_call *c = privdata;
    const char *what = r && r->type == REDIS_REPLY_ARRAY && r->elements >= 1 &&
                               payproof_str(r->element[0]) ? r->element[0]->str : "";
    if (!strcmp(what, "right") && r->elements == 2 && payproof_str(r->element[1])) {
        json_t *rec = json_loadb(r->element[1]->str, r->element[1]->len, 0, NULL);
        if (json_is_object(rec))
            c->fn(PAYPROOF_RIGHT, rec, 0, c->privdata);
        else
            c->fn(PAYPROOF_FAILED, NULL, 0, c->privdata);
        json_decref(rec);
    } else if (!strcmp(what, "wrong") && r->elements == 2 && payproof_str(r->element[1])) {
        c->fn(PAYPROOF_WRONG, NULL, atoi(r->element[1]->str), c->privdata);
    } else if (!strcmp(what, "locked")) {
        c->fn(PAYPROOF_LOCKED, NULL, 0, c->privdata);
    } else if (!strcmp(what, "missing")) {
        c->fn(PAYPROOF_MISSING, NULL, 0, c->privdata);
    } else {
        c->fn(PAYPROOF_FAILED, NULL, 0, c->privdata);
    }
    free(c);
}

int payproof_check(store *s, const payproof_req *req, payproof_fn *fn, void *privdata)
{
    if (!s || !fn || !payproof_valid(req))
        return -1;
    char dl[16], il[16], win[16];
    snprintf(dl, sizeof dl, "%d", req->dossier_limit);
    snprintf(il, sizeof il, "%d", req->identity_limit);
    snprintf(win, sizeof win, "%d", req->window_s);
    size_t cl = strlen(req->code);
    char *key = xmalloc(sizeof PAYPROOF_DOSSIER_KEY + cl);
    char *dk = xmalloc(sizeof PAYPROOF_RL_DOSSIER + cl);
    char *ik = xmalloc(sizeof PAYPROOF_RL_ID + strlen(req->channel) + strlen(req->user) + 1);
    sprintf(key, "%s%s", PAYPROOF_DOSSIER_KEY, req->code);
    sprintf(dk, "%s%s", PAYPROOF_RL_DOSSIER, req->code);
    sprintf(ik, "%s%s:%s", PAYPROOF_RL_ID, req->channel, req->user);
    const char *args[] = {key, dk, ik, req->digits, dl, il, win};
    payproof_call *c = xcalloc(1, sizeof *c);
    c->fn = fn;
    c->privdata = privdata;
    int rc = store_eval(s, payproof_on_reply, c, &store_lua_payproof_check, 3, 7, args, NULL);
    if (rc < 0)
        free(c);
    free(key);
    free(dk);
    free(ik);
    return rc;
}
