/* fuzz_ussd.c -- libFuzzer target: the USSD codecs must take any Africa's
 * Talking form, JSON adapter body or Kannel query without crashing, leaking
 * or reading out of bounds; whatever they parse has a canonical number and a
 * session id, and any text paginates and fits into pages within budget. */
#include "fuzz.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "channels/sms.h"
#include "channels/ussd.h"

static void fuzz_pages(const char *text)
{
    size_t fl;
    char *f = sms_gsm_fold(text, strlen(text), &fl);
    for (size_t budget = 2; budget <= 178; budget += 58) {
        ussd_pages p;
        ussd_paginate(f, budget, 0, 9, &p);
        for (size_t i = 0; i < p.n; i++)
            if (ussd_units(p.page[i], strlen(p.page[i]), 0) > budget)
                abort(); /* a screen over budget */
        ussd_pages_free(&p);
    }
    char *c = strdup(f);
    ussd_fit(c, 50, 0);
    if (ussd_units(c, strlen(c), 0) > 50)
        abort();
    free(c);
    free(f);
}

static void fuzz_check(int rc, ussd_req *r)
{
    if (rc == 0) {
        if (strncmp(r->msisdn, "84", 2) || !r->session || !r->text)
            abort();
        const char *in;
        ussd_at_input(r->session, r->text, &in);
        size_t n;
        char *s = ussd_render_at(r->is_new, r->text, &n);
        free(s);
        s = ussd_render_json(r->is_new, r->text, &n);
        free(s);
        fuzz_pages(r->text);
    }
    ussd_req_clear(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    ussd_req r;
    const char *e;
    fuzz_check(ussd_parse_form(s, size, &r, &e), &r);
    fuzz_check(ussd_parse_json(s, size, &r, &e), &r);
    fuzz_check(ussd_parse_kannel_query(s, size, &r, &e), &r);
    int op, sess;
    ussd_meta_parse(s, size, &op, &sess);
    char *t = malloc(size + 1);
    memcpy(t, data, size);
    t[size] = '\0';
    fuzz_pages(t);
    free(t);
    return 0;
}
