/* agency.h -- the agency API codec: paths and JSON bodies of
 *   PUT  /api/v1/dossiers/{code}            a dossier's fields (and its fee)
 *   POST /api/v1/dossiers/{code}/payment    a payment of the fee
 *   POST /api/v1/complaints/{code}/answer   {"text": "..."}
 *   GET  /api/v1/complaints?status=&limit=  the list's query
 * parsed and validated into plain structs, with the error key the API
 * answers (docs/api.md). Pure: no Redis, no lws. The endpoints
 * (bot/ep_dossiers.c, bot/ep_complaints.c) authenticate, store and respond.
 *
 * Each parser returns 0, or -1 with *err set to a static error key
 * ("invalid_json", "missing_field", ...). The structs own what they point
 * to; clear them with the matching _clear() (also after a failure). */
#ifndef DVC_CHANNELS_AGENCY_H
#define DVC_CHANNELS_AGENCY_H

#include <stddef.h>
#include <jansson.h>

#include "channels/msisdn.h"
#include "common/ids.h"

#define AGENCY_DOSSIERS_MOUNT "/api/v1/dossiers"
#define AGENCY_LIST_DEFAULT 100
#define AGENCY_LIST_MAX 500

/* --- dossiers --- */

/* The canonical code of the path "/api/v1/dossiers/{code}" (the whole
 * path, no query) into code; 0, or -1 when the path has no valid code. */
int agency_dossier_path(const char *path, char code[DOSSIERS_CODE_MAX]);
/* 1 when the path names no dossier at all ("/api/v1/dossiers[/]"). */
int agency_dossier_path_empty(const char *path);

/* A dossier's fee (SPEC.md "fee"): amount in VND, what it is for, the
 * account it is paid into and the reference the payer types (or the
 * VietQR carries, channels/vietqr.h). Strings point into the body. */
#define AGENCY_FEE_DESC_MAX 200        /* characters of the description */
#define AGENCY_FEE_NAME_MAX 70         /* characters of the account name */
typedef struct agency_fee {
    long long amount_vnd;          /* 1..the configured cap, an integer in the JSON */
    const char *description;       /* 1..AGENCY_FEE_DESC_MAX characters, no control char */
    const char *bank_bin;          /* account.bank_bin: 6 digits (vietqr_bin_ok) */
    const char *account_number;    /* account.number: vietqr_account_ok */
    const char *account_name;      /* account.name: 1..AGENCY_FEE_NAME_MAX characters */
    const char *reference;         /* vietqr_text_ok: <= 25 of A-Za-z0-9 space -._/ */
    const char *due_at;            /* ISO-8601, NULL = none */
} agency_fee;

typedef struct agency_dossier {
    json_t *body;                  /* the parsed body: owns the strings below */
    const char *procedure_code;    /* d.dddddd */
    const char *status;            /* ids_dossier_status_valid */
    const char *received_at;       /* ISO-8601 */
    const char *due_at;            /* NULL = none; not before received_at */
    const char *applicant_phone;   /* canonical 84..., in phone; NULL = none */
    const char *note;              /* NULL = none ("" and null clear it) */
    int has_fee;                   /* a "fee" object was given (null = none) */
    agency_fee fee;
    char phone[MSISDN_MAX];
} agency_dossier;

/* The PUT body: a JSON object (no duplicate keys) with string fields
 * procedure_code, status, received_at (required), due_at, applicant_phone,
 * note (optional, null = absent), and an optional "fee" object
 * {amount_vnd, description, account: {bank_bin, number, name}, reference,
 * due_at?}. Dates are read with tz_offset_min. The checks run in this
 * order, the first failing one names the error: invalid_json,
 * missing_field, invalid_status, invalid_procedure_code, invalid_date,
 * invalid_phone, invalid_note (over DOSSIERS_NOTE_MAX chars), then the fee:
 * invalid_fee (not an object, a field missing or of the wrong type, a bad
 * description or due date), invalid_fee_amount (not an integer > 0),
 * fee_too_large (over fee_max_vnd), invalid_fee_account (BIN, number or
 * name), invalid_fee_reference. */
int agency_dossier_parse(agency_dossier *d, const char *body, size_t len, int tz_offset_min,
                         long long fee_max_vnd, const char **err);
void agency_dossier_clear(agency_dossier *d);

/* --- payments --- */

#define AGENCY_TX_MAX 64               /* characters of a transaction id */

/* The canonical code of "/api/v1/dossiers/{code}/payment" into code; 0, or
 * -1 when the path is not that or the code is invalid. */
int agency_payment_path(const char *path, char code[DOSSIERS_CODE_MAX]);

typedef struct agency_payment {
    json_t *body;                  /* the parsed body: owns the strings below */
    const char *transaction_id;    /* 1..AGENCY_TX_MAX of A-Za-z0-9 and "-._:/" */
    const char *paid_at;           /* ISO-8601 */
    long long amount_vnd;          /* 1..fee_max_vnd */
    const char *status;            /* the dossier's status afterwards, NULL = unchanged */
    const char *note;              /* with status: the history note, NULL = none */
} agency_payment;

/* The payment body {"transaction_id", "paid_at", "amount_vnd", "status"?,
 * "note"?}: invalid_json, missing_payment_field, invalid_transaction_id,
 * invalid_date, invalid_amount (not an integer > 0), amount_too_large
 * (over fee_max_vnd), invalid_status, invalid_note. */
int agency_payment_parse(agency_payment *p, const char *body, size_t len, int tz_offset_min,
                         long long fee_max_vnd, const char **err);
void agency_payment_clear(agency_payment *p);

/* --- complaints --- */

enum { AGENCY_ROUTE_NONE = 0, AGENCY_ROUTE_LIST, AGENCY_ROUTE_ANSWER };

/* The path after "/api/v1/complaints": "" or "/" -> AGENCY_ROUTE_LIST;
 * "/{code}/answer" -> AGENCY_ROUTE_ANSWER with the code upper-cased into
 * code (not yet checked: see agency_complaint_code_ok); else
 * AGENCY_ROUTE_NONE. */
int agency_complaint_route(const char *rest, char code[COMPLAINT_CODE_MAX]);
/* 1 when code is a complaint code (PA-dddddd-dddd). */
int agency_complaint_code_ok(const char *code);

typedef struct agency_answer {
    json_t *body;                  /* the parsed body: owns text */
    const char *text;              /* leading white space skipped, not empty */
} agency_answer;

/* The answer body {"text": "..."}: invalid_json, invalid_answer (not a
 * string, a NUL inside, or only white space), answer_too_long (more than
 * max_chars characters). */
int agency_answer_parse(agency_answer *a, const char *body, size_t len, int max_chars,
                        const char **err);
void agency_answer_clear(agency_answer *a);

/* The list's query values (NULL when absent): status "open" (default) or
 * "answered" into status (>= 16 bytes), limit 1..AGENCY_LIST_MAX (default
 * AGENCY_LIST_DEFAULT). Errors invalid_status, invalid_limit. */
int agency_list_query(const char *status_arg, const char *limit_arg, char status[16],
                      size_t *limit, const char **err);

#endif
