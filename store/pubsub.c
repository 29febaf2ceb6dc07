/* pubsub.c -- the subscriber connection (see pubsub.h): a store of its own
 * marked "subscriber" (no ROLE checks, no scripts), whose on_up hook sends
 * SUBSCRIBE straight to hiredis (a subscription is answered many times, so
 * it stays out of the store's FIFO of pending commands and its timeout). */
#include "store/pubsub.h"

#include <hiredis/async.h>
#include <stdlib.h>
#include <string.h>

#include "common/xmalloc.h"
#include "store/redis_int.h"

typedef struct store_listener {
    const char *channel;
    store_sub_fn *fn;
    store_sub_up_fn *up;
    void *privdata;
} store_listener;

struct store_sub {
    store *conn;
    store_listener l[STORE_SUB_LISTENERS];
    size_t n;
    int subscribed;             /* subscribe confirmations on the current connection */
    unsigned long received;
};

static void sub_dispatch(store_sub *sub, const redisReply *ch, const redisReply *msg)
{
    sub->received++;
    for (size_t i = 0; i < sub->n; i++)
        if (!strcmp(sub->l[i].channel, ch->str))
            sub->l[i].fn(ch->str, msg->str, msg->len, sub->l[i].privdata);
}

/* Every reply of the subscription: confirmations and messages; NULL when the
 * connection goes (the store then reconnects and subscribes again). */
static void sub_on_reply(redisAsyncContext *ac, void *reply, void *privdata)
{
    const redisReply *r = reply;
    store_sub *sub = privdata;
    (void)ac;
    if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != 3 ||
        r->element[0]->type != REDIS_REPLY_STRING || r->element[1]->type != REDIS_REPLY_STRING)
        return;
    if (!strcmp(r->element[0]->str, "message") && r->element[2]->type == REDIS_REPLY_STRING) {
        sub_dispatch(sub, r->element[1], r->element[2]);
    } else if (!strcmp(r->element[0]->str, "subscribe") && ++sub->subscribed == 3) {
        for (size_t i = 0; i < sub->n; i++)
            if (sub->l[i].up)
                sub->l[i].up(sub->l[i].privdata);
    }
}

static void sub_on_up(store *s, void *privdata)
{
    store_sub *sub = privdata;
    sub->subscribed = 0;
    redisAsyncCommand(s->ac, sub_on_reply, sub, "SUBSCRIBE %s %s %s", STORE_EV_NOTICE,
                      STORE_EV_AGENT, STORE_EV_REVOKED);
}

store_sub *store_sub_new(uv_loop_t *loop, const store_options *opt, char *err, size_t errlen)
{
    store *conn = store_new(loop, opt, err, errlen);
    if (!conn)
        return NULL;
    store_sub *sub = xcalloc(1, sizeof(*sub));
    sub->conn = conn;
    conn->subscriber = 1;
    conn->on_up = sub_on_up;
    conn->on_up_privdata = sub;
    return sub;
}

int store_sub_listen(store_sub *sub, const char *channel, store_sub_fn *fn,
                     store_sub_up_fn *up, void *privdata)
{
    if (!sub || !fn || sub->n == STORE_SUB_LISTENERS)
        return -1;
    sub->l[sub->n++] = (store_listener){channel, fn, up, privdata};
    if (sub->subscribed >= 3 && up)
        up(privdata);
    return 0;
}

void store_sub_unlisten(store_sub *sub, void *privdata)
{
    if (!sub)
        return;
    size_t k = 0;
    for (size_t i = 0; i < sub->n; i++)
        if (sub->l[i].privdata != privdata)
            sub->l[k++] = sub->l[i];
    sub->n = k;
}

int store_sub_is_up(const store_sub *sub)
{
    return sub && store_is_up(sub->conn) && sub->subscribed >= 3;
}

unsigned long store_sub_received(const store_sub *sub)
{
    return sub ? sub->received : 0;
}

void store_sub_close(store_sub *sub)
{
    if (!sub)
        return;
    sub->n = 0;
    sub->conn->on_up = NULL;
    store_close(sub->conn);     /* the NULL replies never touch sub */
    free(sub);
}

int store_publish(store *s, const char *channel, const char *msg, size_t len)
{
    const char *argv[3] = {"PUBLISH", channel, msg};
    size_t lens[3] = {7, strlen(channel), len};
    return store_commandargv(s, NULL, NULL, 3, argv, lens);
}
