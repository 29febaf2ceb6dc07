/* test_agency_codec.c -- the agency API codec (channels/agency.c): dossier
 * and complaint paths, the PUT dossier body, the answer body and the list
 * query, with the error key of each failure. */
#include <stdlib.h>
#include <string.h>

#include "channels/agency.h"
#include "t.h"

#define FEE_MAX 50000000LL
#define BASE "\"procedure_code\": \"1.001193\", \"status\": \"received\", " \
             "\"received_at\": \"2024-05-20T08:00:00+07:00\""

/* The error key of a PUT body ("ok" when it parses). */
static const char *put_err(const char *body)
{
    agency_dossier d;
    const char *err;
    int rc = agency_dossier_parse(&d, body, body ? strlen(body) : 0, 420, FEE_MAX, &err);
    agency_dossier_clear(&d);
    return rc == 0 ? "ok" : err;
}

static const char *answer_err(const char *body, int max)
{
    agency_answer a;
    const char *err;
    int rc = agency_answer_parse(&a, body, strlen(body), max, &err);
    agency_answer_clear(&a);
    return rc == 0 ? "ok" : err;
}

static void test_dossier_body(void)
{
    agency_dossier d;
    const char *err;
    const char *b = "{" BASE ", \"due_at\": \"2024-06-03\", \"applicant_phone\": \"0912 345 678\","
                    " \"note\": \"Thiếu bản sao\"}";
    T_OK(agency_dossier_parse(&d, b, strlen(b), 420, FEE_MAX, &err) == 0 && !err, "full body parses");
    T_STREQ(d.procedure_code, "1.001193", "procedure code");
    T_STREQ(d.status, "received", "status");
    T_STREQ(d.due_at, "2024-06-03", "due date kept as sent");
    T_STREQ(d.applicant_phone, "84912345678", "phone canonical");
    T_STREQ(d.note, "Thiếu bản sao", "note");
    agency_dossier_clear(&d);
    b = "{" BASE ", \"due_at\": null, \"applicant_phone\": null, \"note\": \"\"}";
    T_OK(agency_dossier_parse(&d, b, strlen(b), 420, FEE_MAX, &err) == 0 && !d.due_at &&
         !d.applicant_phone && !d.note, "nulls and an empty note mean absent");
    agency_dossier_clear(&d);
    agency_dossier_clear(NULL);
}

static void test_dossier_errors(void)
{
    static const char *const cases[][3] = {
        {"{\"status\": \"received\"", "invalid_json", "truncated JSON"},
        {"[1, 2]", "invalid_json", "JSON array"},
        {"{\"status\": \"received\", \"status\": \"done\"}", "invalid_json", "duplicate keys"},
        {"", "invalid_json", "empty body"},
        {"{\"status\": \"received\"}", "missing_field", "only a status"},
        {"{" BASE ", \"status\": 3}", "invalid_json", "duplicate status"},
        {"{\"procedure_code\": \"1.001193\", \"status\": 3, \"received_at\": \"2024-05-20\"}",
         "invalid_status", "status not a string"},
        {"{\"procedure_code\": \"1.001193\", \"status\": \"finished\", \"received_at\": \"2024-05-20\"}",
         "invalid_status", "unknown status"},
        {"{\"procedure_code\": \"1001193\", \"status\": \"done\", \"received_at\": \"2024-05-20\"}",
         "invalid_procedure_code", "procedure code"},
        {"{\"procedure_code\": \"1.001193\", \"status\": \"done\", \"received_at\": \"2023-02-29\"}",
         "invalid_date", "29 February 2023"},
        {"{" BASE ", \"due_at\": \"2024-05-20T25:00:00Z\"}", "invalid_date", "hour 25"},
        {"{" BASE ", \"due_at\": \"2024-05-21T08:00:00+07:00junk\"}", "invalid_date", "junk"},
        {"{" BASE ", \"due_at\": \"2024-05-01\"}", "invalid_date", "due before received"},
        {"{" BASE ", \"due_at\": 5}", "invalid_date", "due date not a string"},
        {"{" BASE ", \"applicant_phone\": \"12345\"}", "invalid_phone", "short phone"},
        {"{" BASE ", \"applicant_phone\": 912345678}", "invalid_phone", "phone as a number"},
        {"{" BASE ", \"note\": [\"x\"]}", "invalid_note", "note not a string"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        T_STREQ(put_err(cases[i][0]), cases[i][1], "PUT body: %s", cases[i][2]);
    T_STREQ(put_err(NULL), "invalid_json", "no body at all");
    char *big = malloc(4200);
    size_t n = (size_t)snprintf(big, 4200, "{" BASE ", \"note\": \"");
    for (int i = 0; i < 1001; i++)
        n += (size_t)snprintf(big + n, 4200 - n, "ă");
    snprintf(big + n, 4200 - n, "\"}");
    T_STREQ(put_err(big), "invalid_note", "note of 1001 characters");
    big[n - 2] = '"';       /* drop the last "ă": 1000 characters */
    big[n - 1] = '}';
    big[n] = '\0';
    T_STREQ(put_err(big), "ok", "note of 1000 characters");
    free(big);
}

static void test_dossier_path(void)
{
    char code[DOSSIERS_CODE_MAX];
    T_OK(agency_dossier_path("/api/v1/dossiers/000.00.00.H29-240823-0001", code) == 0 &&
         !strcmp(code, "000.00.00.H29-240823-0001"), "long e-id code");
    T_OK(agency_dossier_path("/api/v1/dossiers/H29.1.12-240823-0001", code) == 0,
         "short e-id code");
    T_OK(agency_dossier_path("/api/v1/dossiers/h29.1.12-240823-0001", code) < 0, "lower case");
    T_OK(agency_dossier_path("/api/v1/dossiers/H29.1-241301-0001", code) < 0, "month 13");
    T_OK(agency_dossier_path("/api/v1/dossiers", code) < 0, "no code");
    T_OK(agency_dossier_path("/api/v1/dossiersX/H29.1-240823-0001", code) < 0, "other mount");
    T_OK(agency_dossier_path(NULL, code) < 0, "NULL path");
    char longp[200];
    snprintf(longp, sizeof(longp), "/api/v1/dossiers/%0120d", 0);
    T_OK(agency_dossier_path(longp, code) < 0, "code longer than the buffer");
    T_OK(agency_dossier_path_empty("/api/v1/dossiers") &&
         agency_dossier_path_empty("/api/v1/dossiers/") &&
         !agency_dossier_path_empty("/api/v1/dossiers/x") && !agency_dossier_path_empty(NULL),
         "empty paths");
}

static void test_complaints(void)
{
    char code[COMPLAINT_CODE_MAX];
    T_OK(agency_complaint_route("", code) == AGENCY_ROUTE_LIST &&
         agency_complaint_route("/", code) == AGENCY_ROUTE_LIST &&
         agency_complaint_route(NULL, code) == AGENCY_ROUTE_LIST, "list routes");
    T_OK(agency_complaint_route("/pa-240823-0001/answer", code) == AGENCY_ROUTE_ANSWER &&
         !strcmp(code, "PA-240823-0001") && agency_complaint_code_ok(code),
         "answer route, code upper-cased");
    T_OK(agency_complaint_route("/PA-240823-0001/answerx", code) == AGENCY_ROUTE_NONE &&
         agency_complaint_route("//answer", code) == AGENCY_ROUTE_NONE &&
         agency_complaint_route("/PA-240823-0001-0000000000/answer", code) == AGENCY_ROUTE_NONE &&
         agency_complaint_route("x", code) == AGENCY_ROUTE_NONE, "other paths: none");
    T_OK(agency_complaint_route("/PA-2408-0001/answer", code) == AGENCY_ROUTE_ANSWER &&
         !agency_complaint_code_ok(code), "malformed code routes but is not ok");
    T_STREQ(answer_err("{\"text\": \"  Đã giải quyết\"}", 20), "ok", "answer parses");
    agency_answer a;
    const char *err;
    const char *b = "{\"text\": \"\\n Đã\"}";
    T_OK(agency_answer_parse(&a, b, strlen(b), 20, &err) == 0 && !strcmp(a.text, "Đã"),
         "leading white space skipped");
    agency_answer_clear(&a);
    T_STREQ(answer_err("{\"text\": \" \\t\\r\\n\"}", 20), "invalid_answer", "blank answer");
    /* jansson refuses \u0000 without JSON_ALLOW_NUL: as before the codec */
    T_STREQ(answer_err("{\"text\": \"a\\u0000b\"}", 20), "invalid_json", "NUL in answer");
    T_STREQ(answer_err("{\"text\": 5}", 20), "invalid_answer", "answer not a string");
    T_STREQ(answer_err("{\"txt\": \"x\"}", 20), "invalid_answer", "no text");
    T_STREQ(answer_err("{\"text\": \"x\", \"text\": \"y\"}", 20), "invalid_json", "dup keys");
    T_STREQ(answer_err("\"x\"", 20), "invalid_json", "not an object");
    T_STREQ(answer_err("{\"text\": \"ăăă\"}", 3), "ok", "3 characters within 3");
    T_STREQ(answer_err("{\"text\": \"ăăăă\"}", 3), "answer_too_long", "4 characters over 3");
}

static void test_list_query(void)
{
    char st[16];
    size_t lim;
    const char *err;
    T_OK(agency_list_query(NULL, NULL, st, &lim, &err) == 0 && !strcmp(st, "open") &&
         lim == AGENCY_LIST_DEFAULT, "defaults");
    T_OK(agency_list_query("answered", "500", st, &lim, &err) == 0 &&
         !strcmp(st, "answered") && lim == 500, "answered, 500");
    T_OK(agency_list_query("closed", "5", st, &lim, &err) < 0 && !strcmp(err, "invalid_status"),
         "unknown status");
    static const char *const bad[] = {"0", "501", "5x", "", "-1", "99999999999999999999"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        T_OK(agency_list_query("open", bad[i], st, &lim, &err) < 0 &&
             !strcmp(err, "invalid_limit"), "limit '%s' refused", bad[i]);
}

#define FEE "\"fee\": {\"amount_vnd\": 50000, \"description\": \"Lệ phí\", " \
            "\"account\": {\"bank_bin\": \"970415\", \"number\": \"113366668888\", " \
            "\"name\": \"UBND PHUONG 1\"}, \"reference\": \"H18-240601-0001\""

static void test_fee(void)
{
    agency_dossier d;
    const char *err;
    const char *b = "{" BASE ", " FEE ", \"due_at\": \"2099-06-10\"}}";
    T_OK(agency_dossier_parse(&d, b, strlen(b), 420, FEE_MAX, &err) == 0 && d.has_fee,
         "a body with a fee parses");
    T_OK(d.fee.amount_vnd == 50000, "fee amount");
    T_STREQ(d.fee.bank_bin, "970415", "fee BIN");
    T_STREQ(d.fee.reference, "H18-240601-0001", "fee reference");
    T_STREQ(d.fee.due_at, "2099-06-10", "fee due date");
    agency_dossier_clear(&d);
    b = "{" BASE ", " FEE "}}";
    T_OK(agency_dossier_parse(&d, b, strlen(b), 420, 49999, &err) == -1 &&
         !strcmp(err, "fee_too_large"), "the cap is the caller's: 50000 > 49999");
    agency_dossier_clear(&d);
    b = "{" BASE ", \"fee\": null}";
    T_OK(agency_dossier_parse(&d, b, strlen(b), 420, FEE_MAX, &err) == 0 && !d.has_fee,
         "fee null means none");
    agency_dossier_clear(&d);
}

static const char *pay_err(const char *body)
{
    agency_payment p;
    const char *err;
    int rc = agency_payment_parse(&p, body, strlen(body), 420, FEE_MAX, &err);
    agency_payment_clear(&p);
    return rc == 0 ? "ok" : err;
}

static void test_payment(void)
{
    char code[DOSSIERS_CODE_MAX];
    T_OK(agency_payment_path("/api/v1/dossiers/H56.14-240823-0001/payment", code) == 0 &&
         !strcmp(code, "H56.14-240823-0001"), "payment path gives the code");
    T_OK(agency_payment_path("/api/v1/dossiers/H56.14-240823-0001", code) == -1,
         "the dossier path is not a payment path");
    T_OK(agency_payment_path("/api/v1/dossiers//payment", code) == -1, "no code: refused");
    T_OK(agency_payment_path("/api/v1/dossiers/x/payment", code) == -1, "bad code: refused");
    T_STREQ(pay_err("{\"transaction_id\": \"FT1\", \"paid_at\": \"2024-06-02\", "
                    "\"amount_vnd\": 50000, \"status\": \"processing\"}"), "ok",
            "a payment with a status parses");
    T_STREQ(pay_err("{\"transaction_id\": \"FT1\", \"paid_at\": \"2024-06-02\", "
                    "\"amount_vnd\": 5e4}"), "invalid_amount", "a real amount is refused");
    T_STREQ(pay_err("{\"transaction_id\": \"FT 1\", \"paid_at\": \"2024-06-02\", "
                    "\"amount_vnd\": 1}"), "invalid_transaction_id", "a space in the id");
    T_STREQ(pay_err("{\"paid_at\": \"2024-06-02\", \"amount_vnd\": 1}"),
            "missing_payment_field", "no transaction id");
}

int main(void)
{
    test_fee();
    test_payment();
    test_dossier_body();
    test_dossier_errors();
    test_dossier_path();
    test_complaints();
    test_list_query();
    return t_done();
}
