/* payproof.h -- the proof a web-chat citizen gives before the payment details
 * of a dossier are shown: the last 4 digits of its applicant phone, with the
 * wrong tries limited per dossier and per identity across sessions.
 *
 * Keys (store/README.md): dvcbot:rl-proof:dossier:{code} and
 * dvcbot:rl-proof:id:{channel}:{user}, counters of wrong tries, each with
 * the TTL window_s renewed by every wrong try. When either has reached its
 * limit no comparison is made at all, so that guessing stops for everyone on
 * that dossier and for that citizen on every dossier until the window ends.
 * One Lua script (store/lua/payproof_check.lua): read, compare and count are
 * atomic. Owner: [payment]; the caller owns every string it passes. */
#ifndef DVC_STORE_PAYPROOF_H
#define DVC_STORE_PAYPROOF_H

#include <jansson.h>

#include "store/redis.h"

typedef enum payproof_status {
    PAYPROOF_FAILED = -1,       /* Redis failed or answered something else */
    PAYPROOF_RIGHT = 0,         /* rec is the dossier */
    PAYPROOF_WRONG = 1,         /* left = tries left before the lock (0: locked now) */
    PAYPROOF_LOCKED = 2,        /* a limit was reached earlier: nothing compared */
    PAYPROOF_MISSING = 3,       /* no such dossier */
} payproof_status;

/* rec is borrowed for the call (NULL unless PAYPROOF_RIGHT). */
typedef void payproof_fn(payproof_status status, const json_t *rec, int left, void *privdata);

typedef struct payproof_req {
    const char *code;           /* dossier code, canonical */
    const char *channel;        /* "chat", "ws": [a-z0-9_-]{1,32} */
    const char *user;           /* the citizen's id on that channel, non-empty */
    const char *digits;         /* exactly 4 ASCII digits */
    int dossier_limit;          /* wrong tries per dossier, >= 1 */
    int identity_limit;         /* wrong tries per identity, >= 1 */
    int window_s;               /* TTL of the counters, >= 1 */
} payproof_req;

/* Check req's digits against the dossier's applicant_phone. Returns 0 (fn
 * is called once, later) or -1 for an invalid request or a closed store
 * (fn is not called). */
int payproof_check(store *s, const payproof_req *req, payproof_fn *fn, void *privdata);

#endif
