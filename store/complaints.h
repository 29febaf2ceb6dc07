/* complaints.h -- complaints and petitions (PAKN) in Redis.
 *
 * Owner: [domain]. Keys (store/README.md, "Complaints"):
 *   dvcbot:complaint:{code}                    hash, the record (no TTL)
 *   dvcbot:seq:complaint:{yyMMdd}              string, the day's sequence
 *   dvcbot:complaints-idx:{agency}:{status}    zset code -> created epoch s
 *   dvcbot:complaints-by:{channel}:{user}      zset code -> created epoch s
 *                                              ("ussd" is indexed as "sms")
 *   dvcbot:complaint-token:{token}             string, code of a form (1 day)
 *   dvcbot:stats:complaints                    hash {agency}:received|answered
 *
 * The code is PA-{yyMMdd}-{NNNN}: the local date (tz offset from the config)
 * and the day's sequence (4 digits, more when a day needs them: codes never
 * run out), both taken inside one EVAL together with the record, the
 * indexes and the counters, so a complaint exists completely or not at all,
 * and its code is given out only after Redis confirmed it.
 *
 * Budgets (store/ratelimit.h keys dvcbot:rl:complaint:{channel}:{user} and
 * dvcbot:rl:complaint-addr:{addr}, a day each): a sender files at most
 * per_day complaints and one client address addr_per_day, checked and
 * counted in the same script (status 2, nothing written): a flood from one
 * sender or address cannot bury the portal's list.
 *
 * Every call is asynchronous; it returns -1 without calling back when the
 * store is down or an argument is invalid, else the callback runs once.
 * Strings handed to callbacks are valid during the callback only. */
#ifndef DVC_STORE_COMPLAINTS_H
#define DVC_STORE_COMPLAINTS_H

#include <stddef.h>
#include <time.h>

#include "common/ids.h"
#include "store/ratelimit.h"
#include "store/redis.h"


typedef struct complaint {
    char *code, *channel, *user, *contact, *topic, *text, *dossier_code, *agency;
    char *status;               /* "open" | "answered" */
    char *created_at, *answer, *answered_at; /* ISO 8601 local time, "" if none */
} complaint;

void complaint_free(complaint *c); /* accepts NULL */

typedef struct complaint_new {
    const char *channel;        /* "chat", "sms", ... (no ':') */
    const char *user;           /* the citizen's id on that channel */
    const char *contact;        /* optional */
    const char *topic;          /* topic id, optional */
    const char *text;           /* the content, non-empty */
    const char *dossier_code;   /* optional */
    const char *agency;         /* e-id the complaint goes to */
    const char *token;          /* optional idempotency token (a form id) */
    time_t now;
    int tz_offset_min;
    const char *addr;           /* the client address (web chat), or NULL */
    int per_day;                /* the sender's budget a day, 0 = none */
    int addr_per_day;           /* the address's budget a day, 0 = none */
    const char *portal;         /* the agency of a complaint whose dossier dvcbot
                                 * does not know (domain.complaint_agency); NULL:
                                 * agency is kept as given */
} complaint_new;

/* status 0 with the code (created 1 when new, 0 when the token had already
 * filed it); 2 (code NULL) when a budget is spent; -1 when Redis failed
 * (nothing was written). */
typedef void complaints_create_fn(int status, const char *code, int created, void *privdata);
int complaints_create(store *s, const complaint_new *c, complaints_create_fn *fn, void *privdata);

/* status 0 with the record, 1 when the code is unknown (c NULL), -1 failure. */
typedef void complaints_get_fn(int status, const complaint *c, void *privdata);
int complaints_get(store *s, const char *code, complaints_get_fn *fn, void *privdata);

/* A citizen's TTPA <code>: the same, within the citizen's miss limit
 * (store/ratelimit.h, shared with TRACUU, DK and DG): an unknown code counts
 * a miss; status 2 (c NULL) when the limit is reached (nothing read). */
int complaints_lookup(store *s, const char *code, const ratelimit_miss *miss,
                      complaints_get_fn *fn, void *privdata);

/* Newest first, at most max records. status 0 or -1. */
typedef void complaints_list_fn(int status, complaint *const *list, size_t n, void *privdata);
/* An agency's complaints with status "open" or "answered". */
int complaints_list_agency(store *s, const char *agency, const char *status, size_t max,
                           complaints_list_fn *fn, void *privdata);
/* The complaints one citizen filed on one channel. */
int complaints_list_user(store *s, const char *channel, const char *user, size_t max,
                         complaints_list_fn *fn, void *privdata);

typedef enum complaints_answer_status {
    COMPLAINT_ANSWER_FAILED = -1,
    COMPLAINT_ANSWER_OK = 0,        /* answered now, citizen notified */
    COMPLAINT_ANSWER_REPLAY = 1,    /* the same answer was already given: nothing done */
    COMPLAINT_ANSWER_NOT_FOUND = 2,
    COMPLAINT_ANSWER_FORBIDDEN = 3, /* belongs to another agency */
    COMPLAINT_ANSWER_CONFLICT = 4,  /* already answered with another text */
} complaints_answer_status;

typedef struct complaint_answer {
    const char *code;
    const char *agency;         /* the agency of the caller's key */
    const char *text;           /* the answer */
    const char *sms_text;       /* rendered notification for SMS/USSD citizens */
    const char *notice_text;    /* rendered notification for chat citizens */
    time_t now;
    int tz_offset_min;
} complaint_answer;

/* One script: checks, sets the answer, moves the code between the agency's
 * indexes, counts it, and notifies the citizen: an outbox message (kind
 * "notify", dedupe "complaint:{code}:answer") for sms/ussd citizens who did
 * not opt out, or a notice {"type":"notice","kind":"complaint_answered",
 * "code","text","answer","at"} on dvcbot:notices:{channel}:{user}.
 * The callback gets the updated record for OK and REPLAY, else NULL. */
typedef void complaints_answer_fn(complaints_answer_status st, const complaint *c, void *privdata);
int complaints_answer(store *s, const complaint_answer *a, complaints_answer_fn *fn,
                      void *privdata);

/* Helpers (pure). */
/* The agency e-id of a dossier code (the part before the first '-') into
 * out, or fallback when code is NULL/empty/malformed. */
void complaints_agency_of(const char *dossier_code, const char *fallback, char *out, size_t n);
/* "yyMMdd" of t in local time (offset in minutes). out >= 7 bytes. */
void complaints_day(time_t t, int tz_offset_min, char *out);
/* ISO 8601 local time "2024-08-23T09:15:00+07:00". out >= 32 bytes. */
void complaints_iso_time(time_t t, int tz_offset_min, char *out, size_t n);
/* ids_complaint_code_ok() and COMPLAINT_CODE_MAX: common/ids.h */

#endif
