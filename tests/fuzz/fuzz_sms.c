/* fuzz_sms.c -- libFuzzer target: the SMS codec must take any Kannel query
 * string without crashing, leaking or reading out of bounds; whatever it
 * parses must render into pages that each fit the segment budget (GSM-7
 * pages hold only GSM characters), and DLR / sendsms helpers must cope. */
#include "fuzz.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "channels/sms.h"

static void fuzz_render(const message *m, int unicode, int segs)
{
    reply *r = reply_new();
    reply_add_text(r, m->text ? m->text : m->payload);
    reply_add_button(r, m->user, "help");
    reply_add_button(r, m->text ? m->text : "x", "unknown");
    sms_render_opts o = {.unicode = unicode, .max_segments = segs, .more = "Soạn {cmd} {page}",
                         .cmd = m->user, .max_pages = 9};
    sms_pages p;
    sms_render(r, &o, &p);
    for (size_t i = 0; i < p.n; i++) {
        size_t n = strlen(p.page[i]);
        if (sms_segments(p.page[i], n, unicode, NULL) > segs)
            abort(); /* Kannel would cut it */
        if (!unicode) {
            size_t fl;
            char *f = sms_gsm_fold(p.page[i], n, &fl);
            if (fl != n || memcmp(f, p.page[i], n))
                abort(); /* a GSM-7 page is already folded */
            free(f);
        }
    }
    sms_pages_free(&p);
    reply_free(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sms_raw raw = {0};
    sms_query_parse(&raw, (const char *)data, size);
    const char *err;
    sms_mo mo;
    message *m = sms_parse(&raw, 1600, &mo, &err);
    if (m) {
        fuzz_render(m, size & 1, 1 + (int)(size % 3));
        buf b = {0};
        sms_sendsms_url(&b, &(sms_send){.base_url = "/cgi-bin/sendsms", .username = "u",
                                         .password = "p", .from = mo.to, .to = m->user,
                                         .text = m->text ? m->text : "", .unicode = 0,
                                         .dlr_url = mo.id});
        buf_free(&b);
        message_free(m);
    }
    sms_dlr d;
    sms_dlr_parse(&raw, &d, &err);
    sms_raw_clear(&raw);
    return 0;
}
