/* fanout_sweep.c -- resumes half-done dossier fan-outs (see fanout_sweep.h). */
#include "bot/outbox/fanout_sweep.h"

#include <stdlib.h>

#include "bot/app/log.h"
#include "common/xmalloc.h"
#include "store/subscriptions.h"

struct fanout_sweep {
    uv_timer_t timer;
    store *s;
    int busy;                   /* a claim in flight */
    int taken;                  /* jobs taken this tick */
    int stopped;
};

static void fanout_sweep_claim(fanout_sweep *w);

static void fanout_sweep_on_claim(int status, long long claimed, void *privdata)
{
    fanout_sweep *w = privdata;
    w->busy = 0;
    if (w->stopped || status < 0 || !claimed)
        return;
    log_info("fanout: resumed a dossier notification left unfinished by a stopped run");
    if (++w->taken < FANOUT_SWEEP_PER_TICK)
        fanout_sweep_claim(w);
}

static void fanout_sweep_claim(fanout_sweep *w)
{
    w->busy = 1;
    if (subs_fanout_resume(w->s, fanout_sweep_on_claim, w) < 0)
        w->busy = 0; /* the store is down: next tick */
}

static void fanout_sweep_tick(uv_timer_t *t)
{
    fanout_sweep *w = t->data;
    if (w->busy || w->stopped)
        return;
    w->taken = 0;
    fanout_sweep_claim(w);
}

fanout_sweep *fanout_sweep_start(uv_loop_t *loop, store *s)
{
    fanout_sweep *w = xcalloc(1, sizeof(*w));
    w->s = s;
    uv_timer_init(loop, &w->timer);
    w->timer.data = w;
    uv_timer_start(&w->timer, fanout_sweep_tick, 1000, SUBS_FANOUT_LEASE_MS / 2);
    return w;
}

void fanout_sweep_stop(fanout_sweep *w)
{
    if (!w || w->stopped)
        return;
    w->stopped = 1;
    uv_close((uv_handle_t *)&w->timer, NULL);
}

void fanout_sweep_free(fanout_sweep *w)
{
    free(w);
}
