/* ids.h -- the identifiers and dates of the agency records, pure.
 *
 * Dossier codes, statuses, procedure codes, ISO-8601 times and complaint
 * codes are checked both by store/ (before a write) and by the agency API
 * codec in channels/agency.c; store/ may not include channels/, so the pure
 * checks live here, on the ground floor both may use. The functions keep
 * the names of their records (dossiers_, complaints_): store/dossiers.h and
 * store/complaints.h include this header, so their callers did not change. */
#ifndef DVC_COMMON_IDS_H
#define DVC_COMMON_IDS_H

#include <time.h>

#define DOSSIERS_CODE_MAX 48    /* longest canonical code + NUL */
#define DOSSIERS_AGENCY_MAX 40
#define DOSSIERS_NOTE_MAX 1000  /* characters (code points) of a note */
#define COMPLAINT_CODE_MAX 24

/* 1 if code is a dossier code in canonical form (SPEC.md): {e-id}-{yyMMdd}-
 * {NNNN}, e-id NNN.NN.NN.Xnn or Xnn.N[.N..] (1-3 digit groups), upper-case,
 * month 01-12, day 01-31. Nothing else is accepted (no lower case, no
 * spaces). */
int ids_dossier_code_valid(const char *code);
/* The agency e-id prefixing a valid code into out; 0, or -1 if invalid. */
int ids_dossier_code_agency(const char *code, char out[DOSSIERS_AGENCY_MAX]);
/* received, rejected, processing, supplement_required, payment_required,
 * withdrawn, suspended, done, returned. */
int ids_dossier_status_valid(const char *status);
/* 1 for statuses after which nothing is due: done, returned, rejected,
 * withdrawn. */
int ids_dossier_status_final(const char *status);
/* d.dddddd */
int ids_procedure_code_valid(const char *s);
/* ISO-8601: YYYY-MM-DD, or YYYY-MM-DDTHH:MM[:SS[.f...]] with an optional Z,
 * +HH:MM, +HHMM or +HH offset (none = local time, tz_offset_min east of
 * UTC). A date alone means the start of that local day, or its last second
 * when end_of_day is set. Years 1970-2099. 0 and *out, or -1. */
int ids_parse_time(const char *s, int tz_offset_min, int end_of_day, time_t *out);

/* The day's sequence of a complaint code has 4 digits and more when a day
 * needs them (SPEC.md: codes never run out), up to this many. */
#define IDS_COMPLAINT_SEQ_MAX 8

/* 1 when code is PA-dddddd- and 4 to IDS_COMPLAINT_SEQ_MAX digits (upper case). */
int ids_complaint_code_ok(const char *code);

#endif
