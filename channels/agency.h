/* agency.h -- the agency API codec: paths and JSON bodies of
 *   PUT  /api/v1/dossiers/{code}            a dossier's fields
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

typedef struct agency_dossier {
    json_t *body;                  /* the parsed body: owns the strings below */
    const char *procedure_code;    /* d.dddddd */
    const char *status;            /* ids_dossier_status_valid */
    const char *received_at;       /* ISO-8601 */
    const char *due_at;            /* NULL = none; not before received_at */
    const char *applicant_phone;   /* canonical 84..., in phone; NULL = none */
    const char *note;              /* NULL = none ("" and null clear it) */
    char phone[MSISDN_MAX];
} agency_dossier;

/* The PUT body: a JSON object (no duplicate keys) with string fields
 * procedure_code, status, received_at (required), due_at, applicant_phone,
 * note (optional, null = absent). Dates are read with tz_offset_min. The
 * checks run in this order, the first failing one names the error:
 * invalid_json, missing_field, invalid_status, invalid_procedure_code,
 * invalid_date, invalid_phone, invalid_note (over DOSSIERS_NOTE_MAX chars). */
int agency_dossier_parse(agency_dossier *d, const char *body, size_t len, int tz_offset_min,
                         const char **err);
void agency_dossier_clear(agency_dossier *d);

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
