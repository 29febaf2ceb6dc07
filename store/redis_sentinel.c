/* redis_sentinel.c -- the master's address from the Sentinels
 * (SENTINEL get-master-addr-by-name), asked on every (re)connect of a store
 * configured with redis.sentinels (redis.h).
 *
 * This is hiredis's blocking API with a short timeout per Sentinel
 * (STORE_SENTINEL_TIMEOUT_MS): it runs only while the store is down (every
 * caller is answered 503 then anyway) and a Sentinel on a private network
 * answers in well under a millisecond; a dead one costs at most the timeout.
 * Every Sentinel is asked and a majority of them must name the same
 * address. */
#include <hiredis/hiredis.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "store/redis_int.h"

#define STORE_SENTINEL_TIMEOUT_MS 250

/* One Sentinel: 0 with host/port, -1 with why in err. */
static int store_sentinel_ask(const store *s, const store_url *u, char *host, size_t hostlen,
                              int *port, char *err, size_t errlen)
{
    struct timeval tv = {0, STORE_SENTINEL_TIMEOUT_MS * 1000};
    redisContext *c = redisConnectWithTimeout(u->host, u->port, tv);
    if (!c || c->err) {
        snprintf(err, errlen, "sentinel %s:%d: %s", u->host, u->port, c ? c->errstr : "no memory");
        redisFree(c);
        return -1;
    }
    redisSetTimeout(c, tv);
    const char *argv[3] = {"SENTINEL", "get-master-addr-by-name", s->master_name};
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
                 s->master_name, !r ? c->errstr : r->type == REDIS_REPLY_ERROR ? r->str : "nil");
    if (r)
        freeReplyObject(r);
    redisFree(c);
    return rc;
}

/* Ask every Sentinel and take the address a majority of them gives: during a
 * failover a Sentinel that has not switched yet still names the old master,
 * which may be back, empty, by then. No majority: -1 (retried with backoff). */
int store_sentinel_resolve(store *s, char *host, size_t hostlen, int *port)
{
    char err[200] = "no sentinel", hosts[STORE_SENTINELS_MAX][STORE_URL_HOST_MAX];
    int ports[STORE_SENTINELS_MAX], n = 0;
    for (int i = 0; i < s->nsentinels; i++)
        if (store_sentinel_ask(s, &s->sentinels[i], hosts[n], sizeof(hosts[n]), &ports[n], err,
                               sizeof(err)) == 0)
            n++;
    for (int i = 0; i < n; i++) {
        int votes = 0;
        for (int j = 0; j < n; j++)
            votes += ports[j] == ports[i] && !strcmp(hosts[j], hosts[i]);
        if (votes * 2 > s->nsentinels && strlen(hosts[i]) < hostlen) {
            snprintf(host, hostlen, "%s", hosts[i]);
            *port = ports[i];
            return 0;
        }
    }
    if (n > 0)
        snprintf(err, sizeof(err), "the Sentinels do not agree on the master of '%s' yet",
                 s->master_name);
    snprintf(s->errstr, sizeof(s->errstr), "%.150s", err);
    s->errors++;
    return -1;
}
