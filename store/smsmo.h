/* smsmo.h -- the records of the inbound SMS flow (bot/sms/sms_flow.c): once
 * per Kannel message id, and the reply pages of a number.
 *
 * Owner: [sms]. Key layout (store/README.md):
 *
 *   dvcbot:smsmo:{kannel id}   string  "P{instance}" while the MO is being
 *                                      processed (SMSMO_CLAIM_TTL_S; the
 *                                      owner is alive while its heartbeat
 *                                      dvcbot:inst:{instance} is, see
 *                                      store_instance()), then
 *                                      "D{answer}" (the caller's TTL); the
 *                                      answer bytes are the caller's
 *   dvcbot:smspages:{msisdn}   hash    the pages of the last long answer and
 *                                      its buttons: cmd, next, np, nb,
 *                                      p1..p{np}, b1..b{nb} (the caller's TTL;
 *                                      a JSON string of an earlier version is
 *                                      rewritten as this hash when read)
 *
 * The ids, numbers and values are NUL-terminated strings, except the answer
 * (bytes and a length); every one is sent binary safe. All calls are
 * asynchronous on the store's loop. They return -1 without calling back when
 * the store is down or an argument is invalid; otherwise fn runs exactly
 * once (also when Redis fails: status -1). fn may be NULL where noted. */
#ifndef DVC_STORE_SMSMO_H
#define DVC_STORE_SMSMO_H

#include <stddef.h>

#include "store/redis.h"

#define SMSMO_CLAIM_TTL_S 60        /* life of a "being processed" claim */

/* status 0: done; -1: Redis failed (or refused the command). */
typedef void smsmo_done_fn(int status, void *privdata);

/* Claim the MO id for this process, if nobody has (SET NX). fn status 0:
 * claimed now (the first time this id is seen); 1: a record exists already
 * (an answer or another claim: smsmo_answer tells); -1: Redis failed. */
int smsmo_claim(store *s, const char *id, const char *instance, smsmo_done_fn *fn,
                void *privdata);

/* Claim the MO id even though a claim exists: one left by a dead process
 * (another instance) or by a failed attempt of this one. fn may be NULL. */
int smsmo_reclaim(store *s, const char *id, const char *instance, smsmo_done_fn *fn,
                  void *privdata);

/* smsmo_take's answer. */
typedef enum smsmo_take_status {
    SMSMO_TAKE_FAILED = -1,     /* Redis failed, or the store closed while waiting */
    SMSMO_TAKE_CLAIMED = 0,     /* claimed for instance: the first time this id is seen */
    SMSMO_TAKE_ANSWERED = 1,    /* answered: answer, len are the stored answer */
    SMSMO_TAKE_OVER = 2,        /* claimed: the claim was instance's own failed
                                   attempt, or its owner's heartbeat is gone */
    SMSMO_TAKE_BUSY = 3,        /* a live instance still processes it after wait_ms */
} smsmo_take_status;

/* answer (len bytes, NUL-terminated) is valid during the call only, and only
 * for SMSMO_TAKE_ANSWERED (NULL otherwise). */
typedef void smsmo_take_fn(smsmo_take_status status, const char *answer, size_t len,
                           void *privdata);

/* Once per Kannel id across instances: claim id for instance (from
 * store_instance(), whose heartbeat tells the others it is alive), or get
 * its answer. While another live instance holds the claim, ask again every
 * SMSMO_WAIT_STEP_MS for up to wait_ms (its answer usually comes within
 * milliseconds); a claim whose owner died is taken over at once. One script
 * per attempt (store/lua/smsmo_take.lua). */
#define SMSMO_WAIT_STEP_MS 100
int smsmo_take(store *s, const char *id, const char *instance, unsigned wait_ms,
               smsmo_take_fn *fn, void *privdata);

/* status 0: the stored answer (len bytes, NUL-terminated, valid during the
 * call only); 1: not answered (no record, or a claim); -1: Redis failed. */
typedef void smsmo_answer_fn(int status, const char *answer, size_t len, void *privdata);

/* The answer stored for the MO id by smsmo_save. */
int smsmo_answer(store *s, const char *id, smsmo_answer_fn *fn, void *privdata);

/* The pages record of a number: the pages of its last long answer (page 1
 * was sent), the payloads of that answer's numbered buttons, the text that
 * asked for it (cmd: "TT 1.001193" pages are asked for as "TT 1.001193 2")
 * and the next page that "more" serves. */
typedef struct smsmo_pages_rec {
    const char *cmd;
    const char *const *pages;
    size_t npages;
    const char *const *buttons;
    size_t nbuttons;
    int next;
} smsmo_pages_rec;

/* status 0: rec (its strings valid during the call); 1: none (expired or
 * never written; rec NULL); -1: Redis failed (rec NULL). */
typedef void smsmo_pages_fn(int status, const smsmo_pages_rec *rec, void *privdata);

/* The pages record of msisdn (one script: store/lua/smsmo_pages.lua). */
int smsmo_pages(store *s, const char *msisdn, smsmo_pages_fn *fn, void *privdata);

/* smsmo_take_pages's answer: as smsmo_take_fn's, and with SMSMO_TAKE_CLAIMED
 * or SMSMO_TAKE_OVER the number's pages record as smsmo_pages_fn gets it
 * (pstatus 0: rec; 1: none, rec NULL); pstatus 1 and rec NULL otherwise. */
typedef void smsmo_take_pages_fn(smsmo_take_status status, const char *answer, size_t len,
                                 int pstatus, const smsmo_pages_rec *rec, void *privdata);

/* smsmo_take and smsmo_pages(msisdn) in one script call, for an MO that
 * may ask for a page or a button: the record is read only once the MO is
 * claimed (one round trip instead of two). Same rules as smsmo_take; -1
 * also for an empty msisdn. */
int smsmo_take_pages(store *s, const char *id, const char *instance, const char *msisdn,
                     unsigned wait_ms, smsmo_take_pages_fn *fn, void *privdata);

/* What happens to the pages record with an answer. */
enum smsmo_pages_op {
    SMSMO_PAGES_KEEP = 0,       /* leave it as it is */
    SMSMO_PAGES_DELETE,         /* the answer had one page and no buttons */
    SMSMO_PAGES_WRITE,          /* replace it with *pages */
    SMSMO_PAGES_NEXT,           /* a page was served: only pages->next changes */
};

/* What one answered MO leaves behind. */
typedef struct smsmo_result {
    const char *id;             /* Kannel id; NULL or "" = none: no answer is kept */
    const char *answer;         /* kept as "D{answer}" for retries of id */
    size_t len;
    int ttl_s;                  /* of the answer */
    const char *msisdn;         /* whose pages record this is */
    enum smsmo_pages_op op;
    const smsmo_pages_rec *pages; /* for WRITE and NEXT */
    int pages_ttl_s;
} smsmo_result;

/* Write the pages record and the answer in one script call
 * (store/lua/smsmo_save.lua). fn status 0 when it ran, -1 when it failed
 * (nothing was written). When there is nothing to write (no id, KEEP), fn
 * runs at once with 0. */
int smsmo_save(store *s, const smsmo_result *r, smsmo_done_fn *fn, void *privdata);

#endif
