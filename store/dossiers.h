/* dossiers.h -- application dossiers (hồ sơ) pushed by the agencies.
 *
 * Record: dvcbot:dossier:{code} -> string, a JSON object (no TTL):
 *   code, agency            the canonical code and its agency e-id prefix
 *   procedure_code, status  d.dddddd; one of the 9 statuses of SPEC.md
 *   received_at, due_at     ISO-8601 as the agency sent them (due_at optional)
 *   applicant_phone         canonical 84xxxxxxxxx (channels/msisdn.h), optional
 *   note                    the agency's note (may hold personal data), optional
 *   created_at, updated_at  ISO-8601 UTC, set by dvcbot
 *   history                 [{status, at, note?}], oldest first, one entry
 *                           per change of status or note (latest 100 kept)
 *   fee                     optional: {amount_vnd, description, account:
 *                           {bank_bin, number, name}, reference, due_at?,
 *                           paid_vnd?, paid_at?}; amounts are integers (VND)
 *   last_payment            optional: {transaction_id, amount_vnd, paid_at,
 *                           recorded_at} of the latest payment recorded
 * Absent optional fields are absent from the JSON (not null). A PUT whose
 * fee has the same amount, description, account, reference and due date as
 * the stored one keeps its paid_vnd/paid_at; any other fee starts unpaid.
 * Payments: dvcbot:dossier:{code}:payments -> hash transaction_id -> JSON
 * {transaction_id, amount_vnd, paid_at, recorded_at, old_status?, status?}
 * (status: the one the payment moved the dossier to).
 * Index: dvcbot:phone-idx:{msisdn} -> set of codes, kept in step with
 * applicant_phone by the same script that writes the record.
 * Misses: dvcbot:rl-miss:{channel}:{user} -> counter of unknown codes looked
 * up, TTL = the window, renewed on every miss (dossiers_lookup).
 *
 * Every write is one EVAL (atomic); every caller value is a binary-safe
 * argument. Callbacks run exactly once on the loop thread when the call
 * returned 0; a json_t passed to a callback is borrowed and valid only
 * during it. Calls return -1 without calling back when the store is down or
 * an argument is invalid (the caller answers 503 or 400). */
#ifndef DVC_STORE_DOSSIERS_H
#define DVC_STORE_DOSSIERS_H

#include <stddef.h>
#include <time.h>
#include <jansson.h>

#include "common/ids.h"
#include "store/ratelimit.h"
#include "store/redis.h"

/* --- pure helpers (the validators and the time parser: common/ids.h) --- */

/* The local date (dd/mm/yyyy) of an ISO-8601 value; 0, or -1 if invalid. */
int dossiers_format_date(const char *s, int tz_offset_min, char out[11]);
/* 1 when rec has a due_at in the past (now) and a status that is not final. */
int dossiers_overdue(const json_t *rec, time_t now, int tz_offset_min);

/* --- Redis --- */

/* A dossier's fee (validated by the caller: channels/agency.c). */
typedef struct dossier_fee {
    long long amount_vnd;        /* > 0 */
    const char *description;     /* required */
    const char *bank_bin;        /* required */
    const char *account_number;  /* required */
    const char *account_name;    /* required */
    const char *reference;       /* required */
    const char *due_at;          /* NULL = none */
} dossier_fee;

/* 1 when rec has a fee still to pay: status payment_required, a fee, and
 * less paid than its amount; *due then holds what remains (VND). */
int dossiers_fee_due(const json_t *rec, long long *due);

typedef struct dossier_input {
    const char *code;            /* canonical (ids_dossier_code_valid) */
    const char *procedure_code;  /* required */
    const char *status;          /* required */
    const char *received_at;     /* required */
    const char *due_at;          /* NULL = none */
    const char *applicant_phone; /* canonical 84..., NULL = none */
    const char *note;            /* NULL = none */
    const dossier_fee *fee;      /* NULL = none (a stored fee is dropped) */
    int status_changes_per_hour; /* > 0: more status changes of this dossier within
                                  * an hour are refused (DOSSIERS_LIMITED, nothing
                                  * written): a looping agency system cannot spam
                                  * the applicant and subscribers; 0 = no limit */
} dossier_input;

enum dossiers_outcome { DOSSIERS_CREATED = 1, DOSSIERS_UPDATED, DOSSIERS_UNCHANGED,
                        DOSSIERS_LIMITED };

typedef struct dossiers_put_result {
    int outcome;                 /* enum dossiers_outcome */
    const char *old_status;      /* "" when created */
    const char *new_status;
    int status_changed;          /* an existing dossier changed status */
    const char *applicant_phone; /* of the new record, NULL when none */
    json_t *rec;                 /* the stored record (NULL when LIMITED) */
    int retry_after_s;           /* LIMITED: seconds until a change is accepted again */
} dossiers_put_result;

/* status 0 with res; -1 (res NULL) when Redis failed. */
typedef void dossiers_put_fn(int status, const dossiers_put_result *res, void *privdata);

/* "Status changed" is reported to the caller (res->status_changed,
 * old_status, new_status, applicant_phone) rather than acted on here: the
 * store does not know subscriptions. bot/ep_dossiers.c hands each change
 * to subs_notify_dossier_changed() (store/subscriptions.h) after the write. */

/* Create or update (PUT semantics: the fields replace the stored ones).
 * Nothing is written when every field equals the stored one (UNCHANGED):
 * a replayed request gives the same record. The agency is the code's
 * prefix. Fails (-1, no callback) on an invalid argument. */
int dossiers_put(store *s, const dossier_input *in, dossiers_put_fn *fn, void *privdata);

/* status 0 with rec; 1 (rec NULL) when there is no such dossier; 2 (rec
 * NULL) when the miss limit is reached (dossiers_lookup only); -1 when
 * Redis failed or the record is damaged. */
typedef void dossiers_get_fn(int status, json_t *rec, void *privdata);

int dossiers_get(store *s, const char *code, dossiers_get_fn *fn, void *privdata);

/* What a citizen's lookup does, atomically: if the miss counter of
 * (channel, user) is >= limit, status 2 without reading the dossier;
 * else the dossier, or status 1 after counting a miss (INCR, EXPIRE
 * window_s). code need not be valid (an invalid one is a miss). */
int dossiers_lookup(store *s, const char *code, const char *channel, const char *user,
                    int limit, int window_s, dossiers_get_fn *fn, void *privdata);

/* How long a lookup of a returned dossier lets its citizen rate it. */
#define DOSSIERS_RATING_OK_TTL_S (30 * 86400)

/* The same lookup with the whole miss limit (store/ratelimit.h: the identity
 * and, when known, the client address; the counters are shared with DK, DG
 * and TTPA). mark_member (subs_member(), or NULL): when the dossier found is
 * returned (status done or returned), dvcbot:rating-ok:{code}:{member} is
 * set for DOSSIERS_RATING_OK_TTL_S: that citizen may then rate it
 * (ratings_put). */
int dossiers_lookup_miss(store *s, const char *code, const ratelimit_miss *miss,
                         const char *mark_member, dossiers_get_fn *fn, void *privdata);

/* status 0 with the records of msisdn's dossiers, most recently updated
 * first (n may be 0); -1 when Redis failed. At most 200 are read. */
typedef void dossiers_list_fn(int status, json_t *const *recs, size_t n, void *privdata);

int dossiers_by_phone(store *s, const char *msisdn, dossiers_list_fn *fn, void *privdata);

/* --- payments --- */

typedef struct dossier_payment {
    const char *code;            /* canonical */
    const char *transaction_id;  /* required, the idempotency key */
    const char *paid_at;         /* ISO-8601 */
    long long amount_vnd;        /* > 0 */
    const char *status;          /* the status afterwards; NULL = unchanged */
    const char *note;            /* history note with a status change; NULL = none */
    const char *sms_text;        /* the notification (one SMS, GSM-7), queued by the
                                  * script when the status does not change */
    const char *notice_text;     /* the same for chat notices */
} dossier_payment;

enum dossiers_pay_outcome {
    DOSSIERS_PAY_RECORDED = 1,   /* new transaction: stored (and notified, see below) */
    DOSSIERS_PAY_DUPLICATE,      /* transaction_id seen with the same amount: nothing written */
    DOSSIERS_PAY_CONFLICT,       /* transaction_id seen with another amount: nothing written */
    DOSSIERS_PAY_MISSING,        /* no such dossier */
};

typedef struct dossiers_pay_result {
    int outcome;                 /* enum dossiers_pay_outcome */
    json_t *rec;                 /* the record (NULL when MISSING) */
    json_t *payment;             /* the stored payment entry (NULL when MISSING) */
    const char *old_status;      /* of the payment entry: the status it moved from, or NULL */
    const char *new_status;      /* the status it moved to, or NULL (unchanged) */
} dossiers_pay_result;

/* status 0 with res; -1 (res NULL) when Redis failed. */
typedef void dossiers_pay_fn(int status, const dossiers_pay_result *res, void *privdata);

/* Record a payment in one script: a transaction id already stored is
 * answered from the store (DUPLICATE or CONFLICT), nothing else happens.
 * A new one is stored in dvcbot:dossier:{code}:payments, added to the fee's
 * paid_vnd, kept as last_payment and, when status differs from the stored
 * one, moves the dossier (history entry with note). When the status does
 * not change, the same script queues the notification (sms_text to the
 * applicant's number unless opted out, notice_text to every chat
 * subscriber; dedupe "dossier:{code}:payment:{tx}:..."); when it changes,
 * the caller hands the change to subs_notify_dossier_changed() with event
 * "payment:{tx}" (which also moves the status counters), so the citizen
 * hears of it once either way; on DUPLICATE, old_status/new_status of the
 * stored entry let the caller replay that call (the outbox's dedupe drops
 * the copy). Fails (-1, no callback) on an invalid
 * argument. */
int dossiers_pay(store *s, const dossier_payment *in, dossiers_pay_fn *fn, void *privdata);

#endif
