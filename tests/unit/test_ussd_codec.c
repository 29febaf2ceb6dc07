/* test_ussd_codec.c -- channels/ussd.c: the Africa's Talking form, the JSON
 * adapter, Kannel SMPP meta-data, AT path arithmetic, rendering, counting,
 * cutting and pagination of screens. */
#include <stdlib.h>
#include <string.h>

#include "channels/sms.h"
#include "channels/ussd.h"
#include "t.h"

static void test_form(void)
{
    ussd_req r;
    const char *e = NULL;
    const char *b = "sessionId=ATUid_1&serviceCode=%2A384%23&phoneNumber=%2B84912345678"
                    "&networkCode=45204&text=1%2A2%2A0001";
    T_OK(ussd_parse_form(b, strlen(b), &r, &e) == 0, "AT form parses");
    T_STREQ(r.msisdn, "84912345678", "phone normalised");
    T_STREQ(r.session, "ATUid_1", "session id");
    T_STREQ(r.service_code, "*384#", "service code decoded");
    T_STREQ(r.text, "1*2*0001", "text path decoded");
    T_OK(!r.is_new && r.proto == USSD_PROTO_AT, "not new, AT");
    ussd_req_clear(&r);
    b = "sessionId=a&phoneNumber=0912345678&text=";
    T_OK(ussd_parse_form(b, strlen(b), &r, &e) == 0 && r.is_new && !strcmp(r.text, ""),
         "empty text: new session");
    ussd_req_clear(&r);
    b = "sessionId=a&phoneNumber=0912345678";
    T_OK(ussd_parse_form(b, strlen(b), &r, &e) == 0 && r.is_new, "absent text: new session");
    ussd_req_clear(&r);
    b = "phoneNumber=0912345678&text=1";
    T_OK(ussd_parse_form(b, strlen(b), &r, &e) < 0 && !strcmp(e, "invalid_session"),
         "missing sessionId refused");
    b = "sessionId=a%20b&phoneNumber=0912345678";
    T_OK(ussd_parse_form(b, strlen(b), &r, &e) < 0 && !strcmp(e, "invalid_session"),
         "session id with a space refused");
    b = "sessionId=a&phoneNumber=12345";
    T_OK(ussd_parse_form(b, strlen(b), &r, &e) < 0 && !strcmp(e, "invalid_sender"),
         "bad phone refused");
    b = "sessionId=a&phoneNumber=0912345678&text=%FF%FE";
    T_OK(ussd_parse_form(b, strlen(b), &r, &e) < 0 && !strcmp(e, "invalid_ussd"),
         "invalid UTF-8 refused");
    b = "sessionId=a&sessionId=b&phoneNumber=0912345678";
    T_OK(ussd_parse_form(b, strlen(b), &r, &e) < 0 && !strcmp(e, "invalid_ussd"),
         "a field repeated with another value refused");
    b = "sessionId=a&phoneNumber=0912345678&text=a%0Ab";
    T_OK(ussd_parse_form(b, strlen(b), &r, &e) == 0 && !strcmp(r.text, "a b"),
         "control characters become spaces");
    ussd_req_clear(&r);
}

static void test_json(void)
{
    ussd_req r;
    const char *e = NULL;
    const char *b = "{\"sessionId\":\"s1\",\"msisdn\":\"84912345678\",\"input\":\"2\","
                    "\"newSession\":false}";
    T_OK(ussd_parse_json(b, strlen(b), &r, &e) == 0 && !strcmp(r.text, "2") && !r.is_new,
         "JSON adapter parses");
    ussd_req_clear(&r);
    b = "{\"sessionID\":12345,\"msisdn\":\"0912345678\",\"userData\":\"*384#\",\"newSession\":true}";
    T_OK(ussd_parse_json(b, strlen(b), &r, &e) == 0 && r.is_new && !strcmp(r.session, "12345"),
         "Arkesel names and a numeric session id");
    ussd_req_clear(&r);
    T_OK(ussd_parse_json("[1]", 3, &r, &e) < 0 && !strcmp(e, "invalid_json"), "array refused");
    T_OK(ussd_parse_json("{", 1, &r, &e) < 0 && !strcmp(e, "invalid_json"), "broken JSON refused");
    b = "{\"sessionId\":\"s\",\"msisdn\":\"0912345678\",\"input\":5}";
    T_OK(ussd_parse_json(b, strlen(b), &r, &e) < 0 && !strcmp(e, "invalid_ussd"),
         "non-string input refused");
    b = "{\"sessionId\":\"s\",\"msisdn\":\"0912345678\",\"newSession\":\"yes\"}";
    T_OK(ussd_parse_json(b, strlen(b), &r, &e) < 0 && !strcmp(e, "invalid_ussd"),
         "non-boolean newSession refused");
    b = "{\"msisdn\":\"0912345678\"}";
    T_OK(ussd_parse_json(b, strlen(b), &r, &e) < 0 && !strcmp(e, "invalid_session"),
         "missing session refused");
}

static void test_meta(void)
{
    int op, sess;
    const char *m = "?smpp?ussd_service_op=%01&its_session_info=%00%05";
    T_OK(ussd_meta_parse(m, strlen(m), &op, &sess) == 0 && op == 1 && sess == 5,
         "raw-byte meta-data");
    m = "?smpp?ussd_service_op=18&its_session_info=300";
    T_OK(ussd_meta_parse(m, strlen(m), &op, &sess) == 0 && op == 18 && sess == 300,
         "decimal meta-data");
    m = "?smpp?ussd_service_op=0x12";
    T_OK(ussd_meta_parse(m, strlen(m), &op, &sess) == 0 && op == 18 && sess == -1, "hex op");
    m = "?smpp?ussd_service_op=abc";
    T_OK(ussd_meta_parse(m, strlen(m), &op, &sess) < 0, "unreadable op refused");
    T_STREQ(ussd_meta_render(1), "?smpp?ussd_service_op=17", "end renders PSSR response");
    T_STREQ(ussd_meta_render(0), "?smpp?ussd_service_op=2", "continue renders USSR request");
    ussd_req r;
    const char *e;
    const char *q = "from=%2B84912345678&to=1900&text=2&meta=%3Fsmpp%3Fussd_service_op%3D18"
                    "%26its_session_info%3D7";
    T_OK(ussd_parse_kannel_query(q, strlen(q), &r, &e) == 0 && !r.is_new &&
         !strcmp(r.session, "smpp7") && !strcmp(r.text, "2"), "Kannel query with meta-data");
    ussd_req_clear(&r);
    q = "from=0912345678&text=%2A384%23&meta=%3Fsmpp%3Fussd_service_op%3D1";
    T_OK(ussd_parse_kannel_query(q, strlen(q), &r, &e) == 0 && r.is_new, "op 1 is new");
    ussd_req_clear(&r);
    q = "from=0912345678&text=1&meta=%3Fsmpp%3Fussd_service_op%3D17";
    T_OK(ussd_parse_kannel_query(q, strlen(q), &r, &e) < 0 && !strcmp(e, "invalid_ussd"),
         "op 17 from the network refused");
}

static void test_at_input(void)
{
    const char *in;
    T_OK(ussd_at_input("", "1", &in) == 0 && !strcmp(in, "1"), "first input");
    T_OK(ussd_at_input("1*2", "1*2*0001", &in) == 0 && !strcmp(in, "0001"), "next input");
    T_OK(ussd_at_input("1*2", "1*2", &in) == 1, "same path: a retry");
    T_OK(ussd_at_input("1*2", "1*3*4", &in) < 0, "other path: mismatch");
    T_OK(ussd_at_input("1", "1*", &in) == 0 && !strcmp(in, ""), "empty input");
    T_OK(ussd_at_input("1", "12", &in) < 0, "a path that only starts alike");
}

static void test_render(void)
{
    size_t n;
    char *s = ussd_render_at(0, "Menu", &n);
    T_STREQ(s, "CON Menu", "CON");
    free(s);
    s = ussd_render_at(1, "Bye", &n);
    T_OK(n == 7 && !strcmp(s, "END Bye"), "END");
    free(s);
    s = ussd_render_json(1, "a\"b", &n);
    T_STREQ(s, "{\"message\":\"a\\\"b\",\"continue\":false}", "JSON answer");
    free(s);
}

static void test_count_fit(void)
{
    T_OK(ussd_units("abc", 3, 0) == 3, "GSM-7 units");
    T_OK(ussd_units("a{b", 3, 0) == 4, "extension character counts 2");
    T_OK(ussd_units("\xc4\x91", 2, 1) == 1, "UCS-2 unit");
    char s[] = "xin chao \xc4\x91\xc3\xa2y";
    size_t n = ussd_fit(s, 10, 1);
    T_OK(n == 11 && ussd_units(s, n, 1) == 10, "fit cuts on a character boundary");
    char t[] = "abc";
    T_OK(ussd_fit(t, 5, 0) == 3, "fit keeps a short text");
}

static void test_paginate(void)
{
    char text[2000];
    size_t o = 0;
    for (int i = 0; i < 40; i++)
        o += (size_t)snprintf(text + o, sizeof(text) - o, "%d. giay to so %d {ban sao}\n", i, i);
    ussd_pages p;
    ussd_paginate(text, 120, 0, 20, &p);
    int fits = 1;
    size_t total = 0, want = 0;
    for (size_t i = 0; i < p.n; i++) {
        fits &= ussd_units(p.page[i], strlen(p.page[i]), 0) <= 120;
        for (const char *c = p.page[i]; *c; c++)
            total += *c != ' ' && *c != '\n';
    }
    for (size_t i = 0; i < o; i++)
        want += text[i] != ' ' && text[i] != '\n';
    T_OK(p.n > 5 && fits, "every page within the budget (%zu pages)", p.n);
    T_OK(total == want, "nothing lost but the separators");
    ussd_pages_free(&p);
    ussd_paginate(text, 120, 0, 3, &p);
    T_OK(p.n == 3 && ussd_units(p.page[2], strlen(p.page[2]), 0) <= 120, "max pages, last cut");
    ussd_pages_free(&p);
    ussd_paginate("", 120, 0, 3, &p);
    T_OK(p.n == 1 && !strcmp(p.page[0], ""), "empty text: one empty page");
    ussd_pages_free(&p);
    char word[600];
    memset(word, 'x', sizeof(word) - 1);
    word[sizeof(word) - 1] = '\0';
    ussd_paginate(word, 100, 0, 20, &p);
    T_OK(p.n == 6 && strlen(p.page[0]) == 100, "a word longer than a page is cut");
    ussd_pages_free(&p);
    ussd_pages_free(NULL);
    ussd_req_clear(NULL);
    T_OK(1, "free functions accept NULL");
}

int main(void)
{
    test_form();
    test_json();
    test_meta();
    test_at_input();
    test_render();
    test_count_fit();
    test_paginate();
    return t_done();
}
