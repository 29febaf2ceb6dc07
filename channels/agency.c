/* agency.c -- the agency API codec: dossier, payment and complaint paths,
 * the PUT dossier body and its fee, the payment body, the answer body and
 * the list query (see agency.h). The
 * field checks themselves (codes, statuses, dates) are in common/ids.c,
 * shared with store/. */
#include "channels/agency.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "channels/vietqr.h"
#include "common/utf8.h"

/* --- dossiers --- */

int agency_dossier_path(const char *path, char code[DOSSIERS_CODE_MAX])
{
    size_t m = strlen(AGENCY_DOSSIERS_MOUNT);
    if (!path || strncmp(path, AGENCY_DOSSIERS_MOUNT, m) || path[m] != '/' ||
        strlen(path + m + 1) >= DOSSIERS_CODE_MAX)
        return -1;
    strcpy(code, path + m + 1);
    return ids_dossier_code_valid(code) ? 0 : -1;
}

int agency_dossier_path_empty(const char *path)
{
    return path && (!strcmp(path, AGENCY_DOSSIERS_MOUNT) ||
                     !strcmp(path, AGENCY_DOSSIERS_MOUNT "/"));
}

/* Field of the body: NULL when absent or null; *bad set when present with
 * another type than string. */
static const char *agency_str(json_t *body, const char *field, int *bad)
{
    json_t *v = json_object_get(body, field);
    if (!v || json_is_null(v))
        return NULL;
    if (!json_is_string(v)) {
        *bad = 1;
        return NULL;
    }
    return json_string_value(v);
}

/* The dates: valid ISO-8601, and the due date not before the reception. */
static int agency_dates_ok(const agency_dossier *d, int tz)
{
    time_t r, due;
    if (ids_parse_time(d->received_at, tz, 0, &r) < 0)
        return 0;
    if (!d->due_at)
        return 1;
    return ids_parse_time(d->due_at, tz, 1, &due) == 0 && due >= r;
}

/* 1 when s has 1..max characters and no control character. */
static int agency_text_ok(const char *s, size_t max)
{
    if (!s || !*s)
        return 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20 || *p == 0x7F)
            return 0;
    return utf8_count(s, strlen(s)) <= max;
}

/* An integer amount in 1..max, else 0 (*bad when not an integer > 0). */
static long long agency_amount(json_t *v, long long max, int *bad, int *big)
{
    *bad = !json_is_integer(v) || json_integer_value(v) <= 0;
    *big = !*bad && json_integer_value(v) > max;
    return *bad || *big ? 0 : (long long)json_integer_value(v);
}

/* The "fee" object into f; NULL, or the error key. */
static const char *agency_fee_fields(json_t *o, agency_fee *f, long long max, int tz)
{
    int bad[7] = {0}, big;
    json_t *acct = json_object_get(o, "account");
    f->description = agency_str(o, "description", &bad[0]);
    f->reference = agency_str(o, "reference", &bad[1]);
    f->due_at = agency_str(o, "due_at", &bad[2]);
    f->bank_bin = agency_str(acct, "bank_bin", &bad[3]);
    f->account_number = agency_str(acct, "number", &bad[4]);
    f->account_name = agency_str(acct, "name", &bad[5]);
    time_t t;
    if (!json_is_object(o) || !json_is_object(acct) || !json_object_get(o, "amount_vnd") ||
        !f->description || !f->reference || !f->bank_bin || !f->account_number ||
        !f->account_name || bad[2] || !agency_text_ok(f->description, AGENCY_FEE_DESC_MAX) ||
        (f->due_at && ids_parse_time(f->due_at, tz, 1, &t) < 0))
        return "invalid_fee";
    f->amount_vnd = agency_amount(json_object_get(o, "amount_vnd"), max, &bad[6], &big);
    if (bad[6])
        return "invalid_fee_amount";
    if (big)
        return "fee_too_large";
    if (!vietqr_bin_ok(f->bank_bin) || !vietqr_account_ok(f->account_number) ||
        !agency_text_ok(f->account_name, AGENCY_FEE_NAME_MAX))
        return "invalid_fee_account";
    return vietqr_text_ok(f->reference) ? NULL : "invalid_fee_reference";
}

/* Check the fields of d->body into d; NULL, or the error key. */
static const char *agency_dossier_fields(agency_dossier *d, int tz)
{
    int bad[6] = {0};
    d->procedure_code = agency_str(d->body, "procedure_code", &bad[0]);
    d->status = agency_str(d->body, "status", &bad[1]);
    d->received_at = agency_str(d->body, "received_at", &bad[2]);
    d->due_at = agency_str(d->body, "due_at", &bad[3]);
    const char *phone = agency_str(d->body, "applicant_phone", &bad[4]);
    d->note = agency_str(d->body, "note", &bad[5]);
    if ((!d->procedure_code && !bad[0]) || (!d->status && !bad[1]) ||
        (!d->received_at && !bad[2]))
        return "missing_field";
    if (bad[1] || !ids_dossier_status_valid(d->status))
        return "invalid_status";
    if (bad[0] || !ids_procedure_code_valid(d->procedure_code))
        return "invalid_procedure_code";
    if (bad[2] || bad[3] || !agency_dates_ok(d, tz))
        return "invalid_date";
    if (bad[4] || (phone && msisdn_normalize(phone, d->phone) < 0))
        return "invalid_phone";
    d->applicant_phone = phone ? d->phone : NULL;
    if (bad[5] || (d->note && utf8_count(d->note, strlen(d->note)) > DOSSIERS_NOTE_MAX))
        return "invalid_note";
    if (d->note && !*d->note)
        d->note = NULL;             /* "" clears the note like null */
    return NULL;
}

int agency_dossier_parse(agency_dossier *d, const char *body, size_t len, int tz_offset_min,
                         long long fee_max_vnd, const char **err)
{
    memset(d, 0, sizeof(*d));
    d->body = json_loadb(body ? body : "", body ? len : 0, JSON_REJECT_DUPLICATES, NULL);
    *err = json_is_object(d->body) ? agency_dossier_fields(d, tz_offset_min) : "invalid_json";
    json_t *fee = *err ? NULL : json_object_get(d->body, "fee");
    if (fee && !json_is_null(fee)) {
        d->has_fee = 1;
        *err = agency_fee_fields(fee, &d->fee, fee_max_vnd, tz_offset_min);
    }
    return *err ? -1 : 0;
}

void agency_dossier_clear(agency_dossier *d)
{
    if (!d)
        return;
    json_decref(d->body);
    memset(d, 0, sizeof(*d));
}

/* --- payments --- */

int agency_payment_path(const char *path, char code[DOSSIERS_CODE_MAX])
{
    static const char tail[] = "/payment";
    size_t m = strlen(AGENCY_DOSSIERS_MOUNT), n = path ? strlen(path) : 0;
    if (n < m + 1 + sizeof(tail) - 1 || strncmp(path, AGENCY_DOSSIERS_MOUNT "/", m + 1) ||
        strcmp(path + n - (sizeof(tail) - 1), tail))
        return -1;
    size_t cn = n - m - 1 - (sizeof(tail) - 1);
    if (cn == 0 || cn >= DOSSIERS_CODE_MAX)
        return -1;
    memcpy(code, path + m + 1, cn);
    code[cn] = '\0';
    return ids_dossier_code_valid(code) ? 0 : -1;
}

static int agency_tx_ok(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > AGENCY_TX_MAX)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              strchr("-._:/", c)))
            return 0;
    }
    return 1;
}

/* Check the fields of p->body into p; NULL, or the error key. */
static const char *agency_payment_fields(agency_payment *p, int tz, long long max)
{
    int bad[4] = {0}, big;
    time_t t;
    json_t *amount = json_object_get(p->body, "amount_vnd");
    p->transaction_id = agency_str(p->body, "transaction_id", &bad[0]);
    p->paid_at = agency_str(p->body, "paid_at", &bad[1]);
    p->status = agency_str(p->body, "status", &bad[2]);
    p->note = agency_str(p->body, "note", &bad[3]);
    if ((!p->transaction_id && !bad[0]) || (!p->paid_at && !bad[1]) || !amount)
        return "missing_payment_field";
    if (bad[0] || !agency_tx_ok(p->transaction_id))
        return "invalid_transaction_id";
    if (bad[1] || ids_parse_time(p->paid_at, tz, 0, &t) < 0)
        return "invalid_date";
    p->amount_vnd = agency_amount(amount, max, &bad[0], &big);
    if (bad[0])
        return "invalid_amount";
    if (big)
        return "amount_too_large";
    if (bad[2] || (p->status && !ids_dossier_status_valid(p->status)))
        return "invalid_status";
    if (bad[3] || (p->note && utf8_count(p->note, strlen(p->note)) > DOSSIERS_NOTE_MAX))
        return "invalid_note";
    if (p->note && !*p->note)
        p->note = NULL;
    return NULL;
}

int agency_payment_parse(agency_payment *p, const char *body, size_t len, int tz_offset_min,
                         long long fee_max_vnd, const char **err)
{
    memset(p, 0, sizeof(*p));
    p->body = json_loadb(body ? body : "", body ? len : 0, JSON_REJECT_DUPLICATES, NULL);
    *err = json_is_object(p->body) ? agency_payment_fields(p, tz_offset_min, fee_max_vnd)
                                   : "invalid_json";
    return *err ? -1 : 0;
}

void agency_payment_clear(agency_payment *p)
{
    if (!p)
        return;
    json_decref(p->body);
    memset(p, 0, sizeof(*p));
}

/* --- complaints --- */

int agency_complaint_route(const char *rest, char code[COMPLAINT_CODE_MAX])
{
    if (!rest || !*rest || !strcmp(rest, "/"))
        return AGENCY_ROUTE_LIST;
    const char *end = rest[0] == '/' ? strchr(rest + 1, '/') : NULL;
    size_t n = end ? (size_t)(end - rest - 1) : 0;
    if (!end || n == 0 || n >= COMPLAINT_CODE_MAX || strcmp(end, "/answer"))
        return AGENCY_ROUTE_NONE;
    for (size_t i = 0; i < n; i++) {
        char ch = rest[1 + i];
        code[i] = (char)(ch >= 'a' && ch <= 'z' ? ch - 32 : ch);
    }
    code[n] = '\0';
    return AGENCY_ROUTE_ANSWER;
}

int agency_complaint_code_ok(const char *code)
{
    return ids_complaint_code_ok(code);
}

int agency_answer_parse(agency_answer *a, const char *body, size_t len, int max_chars,
                        const char **err)
{
    memset(a, 0, sizeof(*a));
    a->body = json_loadb(body ? body : "", body ? len : 0, JSON_REJECT_DUPLICATES, NULL);
    *err = "invalid_json";
    if (!json_is_object(a->body))
        return -1;
    json_t *t = json_object_get(a->body, "text");
    *err = "invalid_answer";
    if (!json_is_string(t) || json_string_length(t) != strlen(json_string_value(t)))
        return -1;
    const char *s = json_string_value(t);
    while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
        s++;
    if (!*s)
        return -1;
    *err = "answer_too_long";
    if (utf8_count(s, strlen(s)) > (size_t)(max_chars < 0 ? 0 : max_chars))
        return -1;
    a->text = s;
    *err = NULL;
    return 0;
}

void agency_answer_clear(agency_answer *a)
{
    if (!a)
        return;
    json_decref(a->body);
    memset(a, 0, sizeof(*a));
}

int agency_list_query(const char *status_arg, const char *limit_arg, char status[16],
                      size_t *limit, const char **err)
{
    *err = NULL;
    if (status_arg && strcmp(status_arg, "open") && strcmp(status_arg, "answered")) {
        *err = "invalid_status";
        return -1;
    }
    strcpy(status, status_arg ? status_arg : "open");
    *limit = AGENCY_LIST_DEFAULT;
    if (!limit_arg)
        return 0;
    char *e;
    long n = strtol(limit_arg, &e, 10);
    if (*e || n < 1 || n > AGENCY_LIST_MAX) {
        *err = "invalid_limit";
        return -1;
    }
    *limit = (size_t)n;
    return 0;
}
