/* redis_sentinel.c -- the master's address from the Sentinels
 * (SENTINEL get-master-addr-by-name), asked on every (re)connect of a store
 * configured with redis.sentinels (redis.h).
 *
 * This is hiredis's blocking API with a short timeout per Sentinel
 * (STORE_SENTINEL_TIMEOUT_MS): it runs only while the store is down (every
 * caller is answered 503 then anyway) and a Sentinel on a private network
 * answers in well under a millisecond; a dead one costs at most the timeout.
 * The Sentinel that answered is asked first next time. */
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

int store_sentinel_resolve(store *s, char *host, size_t hostlen, int *port)
{
    char err[200] = "no sentinel";
    for (int i = 0; i < s->nsentinels; i++) {
        int k = (s->sentinel_next + i) % s->nsentinels;
        if (store_sentinel_ask(s, &s->sentinels[k], host, hostlen, port, err, sizeof(err)) == 0) {
            s->sentinel_next = k;
            return 0;
        }
    }
    snprintf(s->errstr, sizeof(s->errstr), "%.150s", err);
    s->errors++;
    return -1;
}
