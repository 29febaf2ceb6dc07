/* fanout_sweep.h -- resumes the dossier-change fan-outs that a stopped
 * process left half done (store/subscriptions.h "Resumable").
 *
 * Owner: [domain]. Every instance runs one: at start (after one second, the
 * store connected) and then every SUBS_FANOUT_LEASE_MS / 2 it asks
 * subs_fanout_resume() for jobs whose lease ran out, up to
 * FANOUT_SWEEP_PER_TICK a tick, and lets each run its remaining batches in
 * the background. Which instance takes a job does not matter: the job's
 * owner is checked by every batch, so two never advance the same cursor,
 * and a member is never notified twice. The sweeper owns its timer; it
 * holds no job itself. */
#ifndef DVC_BOT_OUTBOX_FANOUT_SWEEP_H
#define DVC_BOT_OUTBOX_FANOUT_SWEEP_H

#include <uv.h>

#include "store/redis.h"

#define FANOUT_SWEEP_PER_TICK 8

typedef struct fanout_sweep fanout_sweep;

/* Starts the timer on loop; store must outlive fanout_sweep_free(). */
fanout_sweep *fanout_sweep_start(uv_loop_t *loop, store *s);

/* Stops and closes the timer (a claim in flight is ignored when it answers);
 * NULL is fine. */
void fanout_sweep_stop(fanout_sweep *w);

/* After the loop has run the close (uv_run), frees it; NULL is fine. */
void fanout_sweep_free(fanout_sweep *w);

#endif
