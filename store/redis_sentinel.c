/* redis_sentinel.c -- the master's address from the Sentinels
 * (SENTINEL get-master-addr-by-name), asked on every (re)connect of a store
 * configured with redis.sentinels (redis.h), and store_connect_sync, the
 * command line's blocking connection with the same options.
 *
 * This is hiredis's blocking API with a short timeout per Sentinel
 * (STORE_SENTINEL_TIMEOUT_MS): it runs only while the store is down (every
 * caller is answered 503 then anyway) and a Sentinel on a private network
 * answers in well under a millisecond; a dead one costs at most the timeout.
 * Every Sentinel is asked and a majority of them must name the same
 * address.
 *
 * The store also follows +switch-master: one asynchronous connection per
 * Sentinel, on the store's libuv loop, subscribed to that channel; when an
 * event names our master the store reconnects to the new address at once
 * (store_follow) instead of waiting for a READONLY answer or the next ROLE
 * check, which stay as the second line. */
#include <hiredis/hiredis.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "store/redis_int.h"

#define STORE_SENTINEL_TIMEOUT_MS 250
#define STORE_WATCH_RETRY_MS      1000

/* One Sentinel: 0 with host/port, -1 with why in err. */
static int store_sentinel_ask(const char *master_name, const store_url *u, char *host,
                              size_t hostlen, int *port, char *err, size_t errlen)
{
    struct timeval tv = {0, STORE_SENTINEL_TIMEOUT_MS * 1000};
    redisContext *c = redisConnectWithTimeout(u->host, u->port, tv);
    if (!c || c->err) {
        snprintf(err, errlen, "sentinel %s:%d: %s", u->host, u->port, c ? c->errstr : "no memory");
        redisFree(c);
        return -1;
    }
    redisSetTimeout(c, tv);
    const char *argv[3] = {"SENTINEL", "get-master-addr-by-name", master_name};
    redisReply *r = redisCommandArgv(c, 3, argv, NULL);
    int rc = -1;
    if (r && r->type == REDIS_REPLY_ARRAY && r->elements == 2 &&
        r->element[0]->type == REDIS_REPLY_STRING && r->element[1]->type == REDIS_REPLY_STRING &&
        r->element[0]->len < hostlen) {
        snprintf(host, hostlen, "%s", r->element[0]->str);
        *port = atoi(r->element[1]->str);
        rc = *port > 0 && *port < 65536 ? 0 : -1;
    }
    if (rc < 0)
        snprintf(err, errlen, "sentinel %s:%d: no master '%s' (%s)", u->host, u->port,
                 master_name, !r ? c->errstr : r->type == REDIS_REPLY_ERROR ? r->str : "nil");
    if (r)
        freeReplyObject(r);
    redisFree(c);
    return rc;
}

/* Ask every Sentinel and take the address a majority of them gives: during a
 * failover a Sentinel that has not switched yet still names the old master,
 * which may be back, empty, by then. 0, or -1 with why in err. */
static int store_sentinel_majority(const store_url *list, int nlist, const char *master_name,
                                   char *host, size_t hostlen, int *port, char *err,
                                   size_t errlen)
{
    char hosts[STORE_SENTINELS_MAX][STORE_URL_HOST_MAX];
    int ports[STORE_SENTINELS_MAX], n = 0;
    snprintf(err, errlen, "no sentinel");
    for (int i = 0; i < nlist && i < STORE_SENTINELS_MAX; i++)
        if (store_sentinel_ask(master_name, &list[i], hosts[n], sizeof(hosts[n]), &ports[n], err,
                               errlen) == 0)
            n++;
    for (int i = 0; i < n; i++) {
        int votes = 0;
        for (int j = 0; j < n; j++)
            votes += ports[j] == ports[i] && !strcmp(hosts[j], hosts[i]);
        if (votes * 2 > nlist && strlen(hosts[i]) < hostlen) {
            snprintf(host, hostlen, "%s", hosts[i]);
            *port = ports[i];
            return 0;
        }
    }
    if (n > 0)
        snprintf(err, errlen, "the Sentinels do not agree on the master of '%s' yet",
                 master_name);
    return -1;
}

int store_sentinel_resolve(store *s, char *host, size_t hostlen, int *port)
{
    char err[200];
    if (store_sentinel_majority(s->sentinels, s->nsentinels, s->master_name, host, hostlen, port,
                                err, sizeof(err)) == 0)
        return 0;
    snprintf(s->errstr, sizeof(s->errstr), "%.150s", err);
    s->errors++;
    return -1;
}

/* +switch-master's payload: "<name> <old ip> <old port> <new ip> <new port>". */
static void store_watch_on_message(redisAsyncContext *ac, void *reply, void *privdata)
{
    const redisReply *r = reply;
    store *s = ac->data;
    char name[128], oldhost[STORE_URL_HOST_MAX], host[STORE_URL_HOST_MAX];
    int oldport, port;

    (void)privdata;
    if (!r || s->closing || r->type != REDIS_REPLY_ARRAY || r->elements != 3 ||
        r->element[0]->type != REDIS_REPLY_STRING || strcmp(r->element[0]->str, "message") ||
        r->element[2]->type != REDIS_REPLY_STRING)
        return;                 /* the subscribe confirmation, or the context going */
    if (sscanf(r->element[2]->str, "%127s %127s %d %127s %d", name, oldhost, &oldport, host,
               &port) != 5 || strcmp(name, s->master_name) || port <= 0 || port > 65535)
        return;
    store_follow(s, host, port);
}

static int store_watch_index(const store *s, const redisAsyncContext *ac)
{
    for (int i = 0; i < s->nsentinels; i++)
        if (s->watch[i] == ac)
            return i;
    return -1;
}

/* Lost (or never connected): forget it, dial again later. hiredis frees it. */
static void store_watch_on_gone(const redisAsyncContext *ac, int status)
{
    store *s = ac->data;
    int i = store_watch_index(s, ac);

    (void)status;
    if (i < 0)
        return;                 /* freed by store_watch_close */
    s->watch[i] = NULL;
    s->watch_next_ms[i] = uv_now(s->loop) + STORE_WATCH_RETRY_MS;
}

static void store_watch_on_connect(const redisAsyncContext *ac, int status)
{
    if (status != REDIS_OK)
        store_watch_on_gone(ac, status);
}

static void store_watch_dial(store *s, int i, uint64_t now)
{
    const char *argv[2] = {"SUBSCRIBE", "+switch-master"};
    redisAsyncContext *ac = redisAsyncConnect(s->sentinels[i].host, s->sentinels[i].port);

    s->watch_next_ms[i] = now + STORE_WATCH_RETRY_MS;
    if (!ac || ac->err || (ac->data = s, store_attach(s, ac) < 0)) {
        if (ac)
            redisAsyncFree(ac);
        return;
    }
    redisAsyncSetConnectCallback(ac, store_watch_on_connect);
    redisAsyncSetDisconnectCallback(ac, store_watch_on_gone);
    if (redisAsyncCommandArgv(ac, store_watch_on_message, NULL, 2, argv, NULL) != REDIS_OK) {
        redisAsyncFree(ac);
        return;
    }
    s->watch[i] = ac;
}

/* Dial the Sentinels not subscribed; give up on a connect that hangs (a
 * host gone without a reset) after the store's timeout, to dial it again. */
void store_watch_tick(store *s, uint64_t now)
{
    for (int i = 0; i < s->nsentinels && !s->closing; i++) {
        redisAsyncContext *ac = s->watch[i];
        uint64_t dialled = s->watch_next_ms[i] - STORE_WATCH_RETRY_MS;
        if (ac && !(ac->c.flags & REDIS_CONNECTED) && now >= dialled + (uint64_t)s->timeout_ms) {
            s->watch[i] = NULL; /* before the free: its callbacks find nothing */
            redisAsyncFree(ac);
        } else if (!ac && now >= s->watch_next_ms[i]) {
            store_watch_dial(s, i, now);
        }
    }
}

void store_watch_close(store *s)
{
    for (int i = 0; i < s->nsentinels; i++) {
        redisAsyncContext *ac = s->watch[i];
        s->watch[i] = NULL;     /* before the free: its callbacks find nothing */
        if (ac)
            redisAsyncFree(ac);
    }
}

/* One blocking command; 0 when its reply has type (and, for ROLE, says master). */
static int store_sync_step(redisContext *c, int argc, const char **argv, int type,
                           const char *what, char *err, size_t errlen)
{
    redisReply *r = redisCommandArgv(c, argc, argv, NULL);
    int ok = r && r->type == type;
    if (ok && type == REDIS_REPLY_ARRAY)
        ok = r->elements >= 1 && r->element[0]->type == REDIS_REPLY_STRING &&
             !strcmp(r->element[0]->str, "master");
    if (!ok)
        snprintf(err, errlen, "redis: %s failed: %.100s", what,
                 r && r->type == REDIS_REPLY_ERROR ? r->str : r ? "not master" : c->errstr);
    if (r)
        freeReplyObject(r);
    return ok ? 0 : -1;
}

redisContext *store_connect_sync(const store_options *o, char *err, size_t errlen)
{
    store_url u, list[STORE_SENTINELS_MAX];
    if (!o || store_url_parse(o->url, &u, err, errlen) < 0)
        return NULL;
    if (o->sentinels && *o->sentinels) {
        int n = store_sentinels_parse(o->sentinels, list, STORE_SENTINELS_MAX, err, errlen);
        if (n < 0 || store_sentinel_majority(list, n, o->master_name ? o->master_name : "",
                                             u.host, sizeof(u.host), &u.port, err, errlen) < 0)
            return NULL;
    }
    struct timeval tv = {2, 0};
    redisContext *c = redisConnectWithTimeout(u.host, u.port, tv);
    if (!c || c->err) {
        snprintf(err, errlen, "redis %s:%d: %s", u.host, u.port, c ? c->errstr : "out of memory");
        redisFree(c);
        return NULL;
    }
    redisSetTimeout(c, tv);
    char db[16];
    snprintf(db, sizeof(db), "%d", u.db);
    const char *auth[2] = {"AUTH", o->password}, *sel[2] = {"SELECT", db}, *role[1] = {"ROLE"};
    if ((o->password && *o->password &&
         store_sync_step(c, 2, auth, REDIS_REPLY_STATUS, "AUTH", err, errlen) < 0) ||
        (u.db && store_sync_step(c, 2, sel, REDIS_REPLY_STATUS, "SELECT", err, errlen) < 0) ||
        store_sync_step(c, 1, role, REDIS_REPLY_ARRAY, "ROLE", err, errlen) < 0) {
        redisFree(c);
        return NULL;
    }
    return c;
}
