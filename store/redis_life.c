/* redis_life.c -- what hangs on a store's life besides commands: delayed
 * callbacks (store_after) and this instance's heartbeat key (store_instance),
 * both driven by the store's watchdog tick (redis.c). See redis.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/xmalloc.h"
#include "store/redis_int.h"

int store_after(store *s, unsigned ms, store_delay_fn *fn, void *privdata)
{
    if (!s || s->closing || !fn)
        return -1;
    store_delay *d = xmalloc(sizeof(*d));
    d->due_ms = uv_now(s->loop) + ms;
    d->fn = fn;
    d->privdata = privdata;
    d->next = s->delays;
    s->delays = d;
    return 0;
}

/* Run every delay due (ok 1), or all (ok 0). Each is unlinked before its
 * call, and the scan starts over after it: a call may add or run others. */
static void store_delays_run(store *s, uint64_t now, int all)
{
    for (;;) {
        store_delay **pp = &s->delays;
        while (*pp && !all && (*pp)->due_ms > now)
            pp = &(*pp)->next;
        store_delay *d = *pp;
        if (!d)
            return;
        *pp = d->next;
        d->fn(d->privdata, !all);
        free(d);
    }
}

const char *store_instance(store *s)
{
    if (!s)
        return "";
    if (!s->instance[0]) {
        char host[48] = "dvcbot";
        unsigned char r[6] = {0};
        gethostname(host, sizeof(host) - 1);
        host[sizeof(host) - 1] = '\0';
        FILE *f = fopen("/dev/urandom", "rb");
        if (!f || fread(r, 1, sizeof(r), f) != sizeof(r))
            memcpy(r, &(uint64_t){uv_hrtime()}, sizeof(r));
        if (f)
            fclose(f);
        snprintf(s->instance, sizeof(s->instance), "%s-%ld-%02x%02x%02x%02x%02x%02x", host,
                 (long)getpid(), r[0], r[1], r[2], r[3], r[4], r[5]);
        s->next_beat_ms = 0;
        store_life_tick(s, uv_now(s->loop));
    }
    return s->instance;
}

static void store_beat(store *s, uint64_t now)
{
    char key[128], ttl[16];
    snprintf(key, sizeof(key), "dvcbot:inst:%s", s->instance);
    snprintf(ttl, sizeof(ttl), "%d", STORE_HEARTBEAT_TTL_MS);
    const char *argv[5] = {"SET", key, "1", "PX", ttl};
    if (store_commandargv(s, NULL, NULL, 5, argv, NULL) == 0)
        s->next_beat_ms = now + STORE_HEARTBEAT_MS;
}

void store_life_tick(store *s, uint64_t now)
{
    if (s->instance[0] && store_is_up(s) && now >= s->next_beat_ms)
        store_beat(s, now);
    if (s->delays)
        store_delays_run(s, now, 0);
}

void store_life_close(store *s)
{
    store_delays_run(s, 0, 1);
}

void store_set_durable(store *s, store_durable *d)
{
    if (s)
        s->durable = d;
}
