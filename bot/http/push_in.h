/* push_in.h -- handles the events the push-channel webhooks accepted
 * (store/pushq.h in streams; bot/http/ep_zalo.c, ep_telegram.c): follow and
 * unfollow (opt-in / opt-out), a shared phone number (linked to the user),
 * texts and button presses through the same router and dialogs as every
 * channel, and queues each answer, rendered by the platform's adapter
 * (channels/push.h), on the out stream for the sender (bot/outbox/
 * push_worker.h). Webhooks answer 200 as soon as the event is stored; this
 * module works at its own pace: a timer (push.poll_ms) and a kick from the
 * endpoint. At most PUSH_IN_MAX events of a platform at once; an event that
 * meets Redis down is retried later; one whose process died is claimed
 * again by any instance after PUSHQ_CLAIM_IDLE_MS.
 *
 * Owner: [zalo]. Borrowed dependencies must outlive it. */
#ifndef DVC_BOT_HTTP_PUSH_IN_H
#define DVC_BOT_HTTP_PUSH_IN_H

#include <uv.h>

#include "bot/app/app.h"

#define PUSH_IN_MAX 16

typedef struct push_in push_in;

/* NULL when neither zalo.enabled nor telegram.enabled. */
push_in *push_in_new(const app *ap, uv_loop_t *loop);
/* Look at platform's in stream now ("zalo", "telegram"). Accepts NULL. */
void push_in_kick(push_in *pi, const char *platform);
/* Stop the timer (events being handled finish or are claimed again). */
void push_in_stop(push_in *pi);
/* After the loop has drained. Accepts NULL. */
void push_in_free(push_in *pi);

#endif
