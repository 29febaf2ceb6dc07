/* test_sms_codec.c -- the SMS codec: Kannel fields, charsets, GSM-7 folding
 * and counting, segment budgets, paging, buttons, DLRs and sendsms URLs. */
#include <stdlib.h>
#include <string.h>

#include "channels/sms.h"
#include "t.h"

static message *parse_q(const char *q, sms_mo *mo, const char **err)
{
    sms_raw raw = {0};
    sms_query_parse(&raw, q, strlen(q));
    message *m = sms_parse(&raw, 2000, mo, err);
    sms_raw_clear(&raw);
    return m;
}

static void test_parse(void)
{
    const char *err = NULL;
    sms_mo mo;
    message *m = parse_q("from=%2B84901234567&to=1900&text=Xin+ch%C3%A0o%26b%3D1&id=abc-1"
                         "&coding=0&charset=UTF-8&smsc=FAKE", &mo, &err);
    T_OK(m && !strcmp(m->user, "84901234567") && m->channel == CHANNEL_SMS, "+84 sender normalised");
    T_STREQ(m ? m->text : NULL, "Xin chào&b=1", "text decoded (%%XX, +, & and = inside)");
    T_OK(!strcmp(mo.id, "abc-1") && !strcmp(mo.to, "1900") && mo.coding == 0, "id, to, coding");
    message_free(m);
    m = parse_q("from=0901234567&text=a", NULL, &err);
    T_OK(m && !strcmp(m->user, "84901234567"), "0... sender normalised");
    message_free(m);
    m = parse_q("from=84901234567&text=", NULL, &err);
    T_OK(m && !m->text && m->payload && !strcmp(m->payload, "help"), "empty text -> help payload");
    message_free(m);
    m = parse_q("from=84901234567&text=+%0D%0A+%01+", NULL, &err);
    T_OK(m && !m->text && !strcmp(m->payload, "help"), "blank and control text -> help");
    message_free(m);
    m = parse_q("text=hi", NULL, &err);
    T_OK(!m && !strcmp(err, "invalid_sender"), "missing sender -> invalid_sender");
    m = parse_q("from=abc&text=hi", NULL, &err);
    T_OK(!m && !strcmp(err, "invalid_sender"), "junk sender -> invalid_sender");
    m = parse_q("from=84901234567&text=hi&id=a%20b", NULL, &err);
    T_OK(!m && !strcmp(err, "invalid_id"), "id with a space -> invalid_id");
    m = parse_q("from=84901234567&text=%064%00a&charset=UTF-16BE&coding=2", NULL, &err);
    T_STREQ(m ? m->text : NULL, "\xd8\xb4" "a", "UTF-16BE text converted to UTF-8");
    message_free(m);
    m = parse_q("from=84901234567&text=caf%E9&charset=ISO-8859-1", NULL, &err);
    T_STREQ(m ? m->text : NULL, "caf\xc3\xa9", "Latin-1 text converted to UTF-8");
    message_free(m);
    m = parse_q("from=84901234567&text=%FF%FE&coding=1", NULL, &err);
    T_OK(m && !m->text && !strcmp(m->payload, "help"), "8-bit binary MO -> help");
    message_free(m);
    sms_raw raw = {0};
    sms_raw_set(&raw, "X-Kannel-From", 13, "+84 90 123 4567", 15);
    sms_raw_set(&raw, "X-KANNEL-TO", 11, "1900", 4);
    sms_raw_set(&raw, "text", 4, "tiếng Việt", strlen("tiếng Việt"));
    m = sms_parse(&raw, 8, &mo, &err);
    T_OK(m && !strcmp(m->user, "84901234567") && !strcmp(mo.to, "1900"), "X-Kannel headers");
    T_STREQ(m ? m->text : NULL, "tiếng", "text cut at max_text on a character boundary");
    message_free(m);
    sms_raw_clear(&raw);
    sms_raw_clear(NULL);
    /* short fields are copied inline, a long one to the heap; both read the same */
    char big[700];
    memset(big, 'a', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    sms_raw_set(&raw, "from", 4, "84901234567", 11);
    sms_raw_set(&raw, "text", 4, big, strlen(big));
    sms_raw_set(&raw, "id", 2, "k-1", 3);
    sms_raw_set(&raw, "from", 4, "84900000000", 11);
    T_OK(raw.text.n == 699 && !strcmp(raw.text.p, big) && !strcmp(raw.id.p, "k-1") &&
             !strcmp(raw.from.p, "84901234567"),
         "a 699-byte text beside short fields: each kept whole, the first value wins");
    sms_raw_clear(&raw);
    T_OK(!raw.text.p && !raw.from.p && !raw.id.p && !raw.used, "cleared: every field absent");
    sms_raw_set(&raw, "id", 2, "k-2", 3);
    T_OK(raw.id.p && !strcmp(raw.id.p, "k-2"), "reusable after a clear");
    sms_raw_clear(&raw);
}

static void test_gsm(void)
{
    size_t n, u;
    char *f = sms_gsm_fold("Hồ sơ đã có kết quả `€[x]`\t", strlen("Hồ sơ đã có kết quả `€[x]`\t"), &n);
    T_STREQ(f, "Ho so da co ket qua '€[x]' ", "Vietnamese folded, backtick, extension chars kept");
    T_OK(sms_segments(f, n, 0, &u) == 1 && u == 30, "extension chars count 2 septets (%zu)", u);
    free(f);
    f = sms_gsm_fold("日本 ok", strlen("日本 ok"), &n);
    T_STREQ(f, "?? ok", "non-GSM characters become ?");
    free(f);
    f = sms_gsm_fold("Đ\r\nx", strlen("Đ\r\nx"), NULL);
    T_STREQ(f, "D\nx", "no length asked for (outlen NULL): folded all the same, \\r dropped");
    free(f);
    char big[400];
    memset(big, 'a', sizeof(big));
    T_OK(sms_segments(big, 160, 0, NULL) == 1 && sms_segments(big, 161, 0, NULL) == 2 &&
         sms_segments(big, 306, 0, NULL) == 2 && sms_segments(big, 307, 0, NULL) == 3,
         "GSM-7 160 / 153 per segment");
    T_OK(sms_segments(big, 70, 1, NULL) == 1 && sms_segments(big, 71, 1, NULL) == 2 &&
         sms_segments(big, 134, 1, NULL) == 2 && sms_segments(big, 135, 1, NULL) == 3,
         "UCS-2 70 / 67 per segment");
    memset(big, 'a', 152);
    memcpy(big + 152, "{", 1);
    memset(big + 153, 'a', 10);
    T_OK(sms_segments(big, 163, 0, NULL) == 2, "an escape pair does not straddle segments");
    T_OK(sms_segments("", 0, 0, NULL) == 0, "empty text: no segment");
}

static reply *long_reply(int n)
{
    reply *r = reply_new();
    buf b = {0};
    for (int i = 0; i < n; i++)
        buf_printf(&b, "Giấy tờ số %d cần nộp; ", i);
    reply_add_text(r, b.data);
    buf_free(&b);
    return r;
}

static void test_render(void)
{
    sms_render_opts o = {.unicode = 0, .max_segments = 2, .more = "Soạn {cmd} {page} để xem tiếp",
                         .cmd = "TT 1.001193", .max_pages = 9};
    sms_pages p;
    reply *r = reply_new();
    reply_add_text(r, "Xin chào! Bạn cần gì?");
    reply_add_button(r, "Tra cứu hồ sơ", "dossier_status");
    reply_add_button(r, "Hướng dẫn thủ tục", "procedure_info");
    sms_render(r, &o, &p);
    T_STREQ(p.n ? p.page[0] : NULL, "Xin chao! Ban can gi?\n1. Tra cuu ho so\n2. Huong dan thu tuc",
            "short reply folded, buttons as numbered lines");
    T_OK(p.n == 1 && p.nbuttons == 2 && !p.truncated, "one page, two buttons");
    sms_pages_free(&p);
    o.unicode = 1;
    sms_render(r, &o, &p);
    T_OK(p.n == 1 && strstr(p.page[0], "Bạn cần gì?") && p.nbuttons == 2, "unicode keeps diacritics");
    sms_pages_free(&p);
    reply_free(r);

    r = long_reply(60);
    for (int uni = 0; uni < 2; uni++) {
        o.unicode = uni;
        sms_render(r, &o, &p);
        int ok = p.n >= 2;
        for (size_t i = 0; i < p.n; i++) {
            ok &= sms_segments(p.page[i], strlen(p.page[i]), uni, NULL) <= 2;
            if (i + 1 < p.n) {
                char want[64];
                snprintf(want, sizeof(want), uni ? "Soạn TT 1.001193 %zu để xem tiếp" :
                         "Soan TT 1.001193 %zu de xem tiep", i + 2);
                ok &= strstr(p.page[i], want) != NULL;
            }
        }
        T_OK(ok, "%s long reply: %zu pages, each <= 2 segments, each ends with the hint",
             uni ? "UCS-2" : "GSM-7", p.n);
        sms_pages_free(&p);
    }
    o.unicode = 0;
    o.max_pages = 2;
    sms_render(r, &o, &p);
    T_OK(p.n == 2 && p.truncated && strstr(p.page[1], "...") &&
         sms_segments(p.page[1], strlen(p.page[1]), 0, NULL) <= 2, "max_pages reached: cut with ...");
    sms_pages_free(&p);
    o.max_segments = 1;
    o.more = NULL;
    sms_render(r, &o, &p);
    T_OK(p.n == 1 && p.truncated && strlen(p.page[0]) <= 160, "no hint: one page of 160");
    sms_pages_free(&p);
    reply_free(r);

    r = reply_new();
    reply_add_text(r, "Đánh giá từ 1 đến 5?");
    reply_add_button(r, "5", "rating:5");
    reply_add_button(r, "4", "rating:4");
    o.max_segments = 2;
    sms_render(r, &o, &p);
    T_OK(p.n == 1 && p.nbuttons == 0 && !strcmp(p.page[0], "Danh gia tu 1 den 5?"),
         "numeric button titles are not listed");
    sms_pages_free(&p);
    reply_free(r);
    sms_render(NULL, &o, &p);
    T_OK(p.n == 1 && !strcmp(p.page[0], ""), "NULL reply: one empty page");
    sms_pages_free(&p);
    sms_pages_free(NULL);
}

static void test_dlr_url(void)
{
    sms_raw raw = {0};
    sms_dlr d;
    const char *err;
    sms_query_parse(&raw, "id=42&status=8", 14);
    T_OK(sms_dlr_parse(&raw, &d, &err) == 0 && !strcmp(d.id, "42") && d.status == 8, "DLR parsed");
    sms_raw_clear(&raw);
    sms_query_parse(&raw, "id=42&status=3", 14);
    T_OK(sms_dlr_parse(&raw, &d, &err) < 0 && !strcmp(err, "invalid_dlr"), "unknown DLR type refused");
    sms_raw_clear(&raw);
    sms_query_parse(&raw, "status=1", 8);
    T_OK(sms_dlr_parse(&raw, &d, &err) < 0, "DLR without id refused");
    sms_raw_clear(&raw);
    T_OK(sms_state_rank("delivered") > sms_state_rank("submitted") &&
         sms_state_rank("submitted") > sms_state_rank("sent") &&
         sms_state_rank("sent") > sms_state_rank("sending") && sms_state_rank("x") == 0,
         "states ordered");
    buf b = {0};
    sms_sendsms_url(&b, &(sms_send){.base_url = "http://127.0.0.1:13013/cgi-bin/sendsms",
                                     .username = "bot", .password = "p&w", .from = "1900",
                                     .to = "84901234567", .text = "Hồ sơ 1+1", .unicode = 1,
                                     .dlr_url = "http://x/sms/kannel/dlr?id=7&status=%d"});
    T_STREQ(b.data, "http://127.0.0.1:13013/cgi-bin/sendsms?username=bot&password=p%26w&from=1900"
            "&to=84901234567&text=H%E1%BB%93%20s%C6%A1%201%2B1&coding=2&charset=UTF-8&dlr-mask=31"
            "&dlr-url=http%3A%2F%2Fx%2Fsms%2Fkannel%2Fdlr%3Fid%3D7%26status%3D%25d", "sendsms URL");
    buf_free(&b);
}

int main(void)
{
    test_parse();
    test_gsm();
    test_render();
    test_dlr_url();
    return t_done();
}
