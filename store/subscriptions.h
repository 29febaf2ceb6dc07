/* subscriptions.h -- dossier notifications: who is subscribed, who opted out,
 * and the fan-out of one dossier change into the outbox and chat notices.
 *
 * Owner: [domain]. Keys (store/README.md, "Subscriptions"):
 *   dvcbot:subs:{dossier code}     set of members
 *   dvcbot:subs-by:{member}        set of dossier codes the member follows
 *   dvcbot:optout                  set of MSISDNs that sent HUY/STOP
 *   dvcbot:stats:dossiers          hash {e-id}:{status} -> dossiers in that status
 *   dvcbot:stats:dossier-status    hash code -> the status counted for it
 *   dvcbot:fanout:job:{code}|{event}  hash: a fan-out in progress (texts,
 *                                  SSCAN cursor, owner), TTL SUBS_FANOUT_JOB_TTL_S
 *   dvcbot:fanout:jobs             zset job id -> lease deadline (ms)
 * A member is "sms:{msisdn}" for SMS and USSD citizens (both reach the same
 * phone: notifications go out by SMS), "{channel}:{user}" for chat users
 * (notified with a notice on dvcbot:notices:{channel}:{user}).
 *
 * Calls are asynchronous; they return -1 without calling back when the store
 * is down or an argument is invalid, else the callback runs exactly once. */
#ifndef DVC_STORE_SUBSCRIPTIONS_H
#define DVC_STORE_SUBSCRIPTIONS_H

#include "store/ratelimit.h"
#include "store/redis.h"

#define SUBS_FANOUT_BATCH 200      /* subscribers per fan-out script by default */
#define SUBS_FANOUT_LEASE_MS 10000 /* a fan-out not advanced for this long is taken over */
#define SUBS_FANOUT_JOB_TTL_S 604800 /* a job record outlives its last batch at most a week */

/* The member id of a citizen: malloc'd, free() it. channel is the fixed
 * channel name ("sms", "ussd", "chat", "ws"); NULL for a bad channel or an
 * empty user. */
char *subs_member(const char *channel, const char *user);

enum {
    SUBS_ADDED = 0,         /* subscribed now */
    SUBS_ALREADY = 1,       /* was already subscribed */
    SUBS_NO_DOSSIER = 2,    /* dvcbot:dossier:{code} does not exist (a miss counted) */
    SUBS_TOO_MANY = 3,      /* member follows max_per_member dossiers */
    SUBS_FULL = 4,          /* the dossier has max_per_dossier subscribers */
    SUBS_LIMITED = 5,       /* the miss limit is reached: nothing read */
    SUBS_CONFIRM_SMS = 6,   /* confirm: a number that is not the applicant's */
};
/* status: one of the above, or -1 when Redis failed. */
typedef void subs_done_fn(int status, void *privdata);

typedef struct subs_request {
    const char *code;       /* the dossier */
    const char *member;     /* subs_member() */
    const char *msisdn;     /* the member's number, or NULL (chat); removed from the
                             * opt-out set: subscribing again is consent */
    int confirm;            /* 1: msisdn must be the dossier's applicant, else
                             * SUBS_CONFIRM_SMS (USSD: the citizen confirms by
                             * sending DK by SMS, which proves the number) */
    int max_per_dossier;    /* caps (config limits.subs_per_dossier / _per_member) */
    int max_per_member;
    ratelimit_miss miss;    /* the citizen's miss limit (shared with TRACUU, DG, TTPA) */
} subs_request;

/* Subscribe a member to an existing dossier, within both caps. */
int subs_add(store *s, const subs_request *rq, subs_done_fn *fn, void *privdata);

/* HUY/STOP: remove every subscription of member and, when msisdn is given,
 * add it to dvcbot:optout (no notification of any kind is queued for it
 * until it subscribes again). status = number of subscriptions removed, or
 * -1 when Redis failed. */
int subs_stop(store *s, const char *member, const char *msisdn, subs_done_fn *fn,
              void *privdata);

/* One status change of a dossier, as the dossier endpoint knows it. */
typedef struct dossier_change {
    const char *code;            /* canonical dossier code */
    const char *old_status;      /* NULL or "" for a new dossier */
    const char *new_status;
    const char *applicant_phone; /* normalised MSISDN 84..., or NULL/"" */
    const char *event_id;        /* unique id of this change (e.g. its index in the
                                  * history); NULL: "{old}>{new}" */
    const char *sms_text;        /* the notification, rendered by the caller from
                                  * messages key "notify.dossier.{new_status}" with
                                  * {code} (unaccented, one SMS) */
    const char *notice_text;     /* text for chat notices; NULL: sms_text */
    int batch;                   /* subscribers per fan-out script; 0: SUBS_FANOUT_BATCH */
} dossier_change;

/* status 0 with the number of messages and notices queued now, -1 when
 * Redis failed. */
typedef void notify_done_fn(int status, long long queued, void *privdata);

/* Fan one change out, incrementally: a first script moves the dossier from
 * its old to its new status in dvcbot:stats:dossiers and notifies the
 * applicant, then SSCAN batches of ch->batch subscribers each run as one
 * small script (store/lua/subs_fanout.lua), one after another, so no script
 * ever walks all subscribers and Redis serves other clients in between.
 * fn runs after the first batch; the rest go on in the background (their
 * texts are copied), until the scan ends or the store closes.
 * Resumable: the first script records the fan-out as a job
 * (dvcbot:fanout:job:{code}|{event}: texts, cursor, owner = this process)
 * with a lease of SUBS_FANOUT_LEASE_MS in dvcbot:fanout:jobs, and each
 * batch moves the cursor and renews the lease in the same script as its
 * messages. A process that stops mid-way leaves the job; after its lease
 * any instance's subs_fanout_resume() takes it over from the cursor, so
 * every member is reached, and each once (the per-member dedupe below
 * covers a batch SSCAN returns again). A change whose job is already under
 * way (a retried PUT) leaves it to its owner. What is queued: an outbox message (kind "notify",
 * dedupe "dossier:{code}:{event}:{msisdn}", ref = code) for the applicant's
 * number and every "sms:" subscriber, each number once, skipping numbers in
 * dvcbot:optout; a notice {"type":"notice","kind":"dossier_changed","code",
 * "status","old_status","text"} for every chat subscriber. Replaying the same
 * change (same event id) queues nothing again. Call it after the dossier
 * write was confirmed. When new_status equals old_status nothing is queued
 * and fn runs before the call returns. */
int subs_notify_dossier_changed(store *s, const dossier_change *ch, notify_done_fn *fn,
                           void *privdata);

/* Takes over one fan-out job whose lease ran out (its process stopped) and
 * runs its remaining batches in the background, as above. fn gets status 0
 * with queued 1 when a job was taken (call again for the next one), 0 when
 * none waits; -1 when Redis failed. bot/outbox/fanout_sweep.h calls it at
 * start and every SUBS_FANOUT_LEASE_MS / 2. */
int subs_fanout_resume(store *s, notify_done_fn *fn, void *privdata);

#endif
