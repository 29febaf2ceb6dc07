/* fuzz_agency.c -- libFuzzer target: the agency API codec (channels/agency.c)
 * must take any PUT dossier body, answer body, path or list query without
 * crashing, leaking or reading out of bounds; whatever it accepts must
 * satisfy the checks the store relies on (canonical code, valid status,
 * procedure code and dates, canonical phone, note and answer within their
 * limits). */
#include "fuzz.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "channels/agency.h"
#include "channels/vietqr.h"

#define FUZZ_FEE_MAX 50000000LL

static size_t fuzz_chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

static void fuzz_dossier(const uint8_t *data, size_t size, int tz)
{
    agency_dossier d;
    const char *err;
    time_t r, due;
    if (agency_dossier_parse(&d, (const char *)data, size, tz, FUZZ_FEE_MAX, &err) == 0) {
        if (err || !ids_dossier_status_valid(d.status) ||
            !ids_procedure_code_valid(d.procedure_code) ||
            ids_parse_time(d.received_at, tz, 0, &r) < 0)
            abort();
        if (d.due_at && (ids_parse_time(d.due_at, tz, 1, &due) < 0 || due < r))
            abort();
        if (d.applicant_phone && strncmp(d.applicant_phone, "84", 2))
            abort();
        if (d.note && (!*d.note || fuzz_chars(d.note) > DOSSIERS_NOTE_MAX))
            abort();
        /* an accepted fee can always be drawn as a VietQR */
        const agency_fee *f = &d.fee;
        vietqr q = {.amount = f->amount_vnd};
        char out[VIETQR_PAYLOAD_MAX];
        if (d.has_fee && (f->amount_vnd <= 0 || f->amount_vnd > FUZZ_FEE_MAX ||
                          !f->description || !f->account_name ||
                          snprintf(q.bin, sizeof q.bin, "%s", f->bank_bin) < 0 ||
                          snprintf(q.account, sizeof q.account, "%s", f->account_number) < 0 ||
                          snprintf(q.purpose, sizeof q.purpose, "%s", f->reference) < 0 ||
                          snprintf(q.service, sizeof q.service, VIETQR_TO_ACCOUNT) < 0 ||
                          vietqr_build(&q, out, sizeof out) < 0))
            abort();
    } else if (!err) {
        abort();
    }
    agency_dossier_clear(&d);
}

static void fuzz_answer(const uint8_t *data, size_t size)
{
    agency_answer a;
    const char *err;
    if (agency_answer_parse(&a, (const char *)data, size, 200, &err) == 0) {
        if (err || !a.text || !*a.text || fuzz_chars(a.text) > 200)
            abort();
    } else if (!err) {
        abort();
    }
    agency_answer_clear(&a);
}

static void fuzz_payment(const uint8_t *data, size_t size, int tz)
{
    agency_payment p;
    const char *err;
    time_t t;
    if (agency_payment_parse(&p, (const char *)data, size, tz, FUZZ_FEE_MAX, &err) == 0) {
        if (err || !p.transaction_id || !*p.transaction_id || strlen(p.transaction_id) > AGENCY_TX_MAX ||
            ids_parse_time(p.paid_at, tz, 0, &t) < 0 || p.amount_vnd <= 0 ||
            p.amount_vnd > FUZZ_FEE_MAX || (p.status && !ids_dossier_status_valid(p.status)))
            abort();
    } else if (!err) {
        abort();
    }
    agency_payment_clear(&p);
}

/* The input as text (up to its first NUL): paths, query values, times. */
static void fuzz_text(const char *s, int tz)
{
    char code[DOSSIERS_CODE_MAX], agency[DOSSIERS_AGENCY_MAX], path[4200];
    snprintf(path, sizeof(path), AGENCY_DOSSIERS_MOUNT "/%s", s);
    if (agency_dossier_path(path, code) == 0 &&
        (!ids_dossier_code_valid(code) || ids_dossier_code_agency(code, agency) < 0 ||
         strncmp(code, agency, strlen(agency))))
        abort();
    if (agency_dossier_path(s, code) == 0 && !ids_dossier_code_valid(code))
        abort();
    if (agency_payment_path(s, code) == 0 && !ids_dossier_code_valid(code))
        abort();
    agency_dossier_path_empty(s);
    char ccode[COMPLAINT_CODE_MAX];
    if (agency_complaint_route(s, ccode) == AGENCY_ROUTE_ANSWER)
        agency_complaint_code_ok(ccode);
    char status[16];
    size_t limit;
    const char *err, *nl = strchr(s, '\n');
    char first[64];
    snprintf(first, sizeof(first), "%.*s", (int)(nl ? nl - s : 63), s);
    if (agency_list_query(first, nl ? nl + 1 : NULL, status, &limit, &err) == 0 &&
        (limit < 1 || limit > AGENCY_LIST_MAX))
        abort();
    time_t t;
    ids_parse_time(s, tz, 0, &t);
    ids_parse_time(s, tz, 1, &t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int tz = size ? (int)(data[0] % 25) * 60 - 720 : 420;
    fuzz_dossier(data, size, 420);
    fuzz_dossier(data, size, tz);
    fuzz_answer(data, size);
    fuzz_payment(data, size, tz);
    char *s = malloc(size + 1);
    memcpy(s, data, size);
    s[size] = '\0';
    fuzz_text(s, tz);
    free(s);
    return 0;
}
