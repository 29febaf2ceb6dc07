/* test_vietqr.c -- the VietQR codec (channels/vietqr.c) on published worked
 * payloads: NAPAS's "Quy định định dạng mã VietQR" v1.0 examples, the test
 * vectors of subiz/vietqr and of the npm package vietnam-qr-pay (MIT), and a
 * dossier-fee payload computed for shared/notes/channels-payment.md. Each is
 * built from its fields and must equal the published string byte for byte
 * (CRC included), and parses back to the same fields.
 *
 * `test_vietqr --emit N` prints N random field sets (fixed seed) and the
 * payloads vietqr_build makes of them, "bin<TAB>account<TAB>amount<TAB>
 * purpose<TAB>payload" lines, for the cross-check against the independent
 * parser and builder of the npm package vietnam-qr-pay
 * (tests/integration/test_vietqr_npm.py). */
#include "tests/unit/t.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "channels/vietqr.h"

typedef struct vector {
    const char *source, *bin, *account;
    long long amount;
    const char *bill, *purpose, *payload;
} vector;

static const vector vectors[] = {
    {"NAPAS spec: dynamic, 180,000 VND, bill + purpose", "970403", "0011012345678", 180000,
     "NPS6869", "thanh toan don hang",
     "00020101021238570010A00000072701270006970403011300110123456780208QRIBFTTA"
     "530370454061800005802VN62340107NPS68690819thanh toan don hang63042E2E"},
    {"subiz/vietqr: static to account", "970423", "0099999999", 0, "", "",
     "00020101021138540010A00000072701240006970423011000999999990208QRIBFTTA"
     "53037045802VN6304CBB4"},
    {"subiz/vietqr: dynamic with purpose", "970422", "0023457923442", 40123, "",
     "test text string",
     "00020101021238570010A00000072701270006970422011300234579234420208QRIBFTTA"
     "53037045405401235802VN62200816test text string6304D9C6"},
    {"subiz/vietqr: 19-character account, 25-character purpose", "970422",
     "0023457923442ASDFLJ", 40123, "", "chuyen khoan alsdkf laksj",
     "00020101021238630010A0000007270133000697042201190023457923442ASDFLJ0208QRIBFTTA"
     "53037045405401235802VN62290825chuyen khoan alsdkf laksj6304E5DB"},
    {"vietnam-qr-pay: 1,000 VND 'Chuyen tien'", "970416", "257678859", 1000, "",
     "Chuyen tien",
     "00020101021238530010A0000007270123000697041601092576788590208QRIBFTTA"
     "5303704540410005802VN62150811Chuyen tien6304BBB8"},
    {"notes: dossier fee 50,000 VND, bill = dossier code", "970415", "113366668888", 50000,
     "H56-231027-0361", "LE PHI HO SO",
     "00020101021238560010A0000007270126000697041501121133666688880208QRIBFTTA"
     "53037045405500005802VN62350115H56-231027-03610812LE PHI HO SO630495FC"},
};

static vietqr vq_of(const vector *v)
{
    vietqr q = {0};
    snprintf(q.bin, sizeof q.bin, "%s", v->bin);
    snprintf(q.account, sizeof q.account, "%s", v->account);
    snprintf(q.service, sizeof q.service, "%s", VIETQR_TO_ACCOUNT);
    q.amount = v->amount;
    snprintf(q.bill, sizeof q.bill, "%s", v->bill);
    snprintf(q.purpose, sizeof q.purpose, "%s", v->purpose);
    return q;
}

static int vq_same(const vietqr *a, const vietqr *b)
{
    return !strcmp(a->bin, b->bin) && !strcmp(a->account, b->account) &&
           !strcmp(a->service, b->service) && a->amount == b->amount &&
           !strcmp(a->bill, b->bill) && !strcmp(a->purpose, b->purpose);
}

static void test_vectors(void)
{
    for (size_t i = 0; i < sizeof vectors / sizeof vectors[0]; i++) {
        const vector *v = &vectors[i];
        vietqr q = vq_of(v), back;
        char out[VIETQR_PAYLOAD_MAX];
        int n = vietqr_build(&q, out, sizeof out);
        T_STREQ(out, v->payload, "build: %s", v->source);
        T_OK(n == (int)strlen(v->payload), "build returns the length: %s", v->source);
        T_OK(vietqr_parse(v->payload, strlen(v->payload), &back) == 0 && vq_same(&q, &back),
             "parse gives the fields back: %s", v->source);
    }
}

static void test_crc(void)
{
    T_OK(vietqr_crc16("123456789", 9) == 0x29B1, "CRC-16/CCITT-FALSE check value 29B1");
    T_OK(vietqr_crc16("", 0) == 0xFFFF, "CRC of nothing is the init value");
    /* a CRC below 0x1000 is written with its leading zero */
    vietqr q = vq_of(&vectors[5]), back;
    char out[VIETQR_PAYLOAD_MAX];
    int found = 0;
    for (q.amount = 1000; q.amount < 200000 && !found; q.amount += 1000) {
        int n = vietqr_build(&q, out, sizeof out);
        found = n > 4 && out[n - 4] == '0';
    }
    T_OK(found && vietqr_parse(out, strlen(out), &back) == 0,
         "a CRC with a leading zero is 4 digits and parses (%s)", out);
    /* lower-case hex is accepted on parse (an MBBank QR has one) */
    char low[VIETQR_PAYLOAD_MAX];
    snprintf(low, sizeof low, "%s", vectors[0].payload);
    for (char *p = low + strlen(low) - 4; *p; p++)
        *p = (char)(*p >= 'A' && *p <= 'F' ? *p + 32 : *p);
    T_OK(vietqr_parse(low, strlen(low), &back) == 0, "lower-case CRC accepted");
}

/* n-th variant of a valid payload must be refused */
static void refuse(const char *s, const char *what)
{
    vietqr q;
    T_OK(vietqr_parse(s, strlen(s), &q) == -1 && q.bin[0] == '\0', "parse refuses %s", what);
}

static void test_parse_refuses(void)
{
    const char *good = vectors[0].payload;
    char bad[VIETQR_PAYLOAD_MAX];
    size_t n = strlen(good);
    snprintf(bad, sizeof bad, "%s", good);
    bad[n - 1] = bad[n - 1] == 'E' ? 'F' : 'E';
    refuse(bad, "a wrong CRC");
    snprintf(bad, sizeof bad, "%.*s", (int)(n - 3), good);
    refuse(bad, "a truncated CRC");
    snprintf(bad, sizeof bad, "%s", good);
    bad[strstr(bad, "180000") - bad] = '2';
    refuse(bad, "a changed amount (CRC no longer matches)");
    refuse("", "the empty string");
    refuse("000201", "a payload without 38/53/58/63");
    /* NAPAS's own static example declares a 12-digit account (0112) for 13
     * digits: its CRC is right, its TLV is not */
    refuse("00020101021138570010A00000072701270006970403011200110123456780208QRIBFTTA"
           "53037045802VN6304F4E5", "the spec's static example (inner length 12 for 13 digits)");
    /* VNPAY-QR (GUID A000000775 in tag 26) is not a VietQR transfer */
    refuse("00020101021126280010A0000007750110010531131453037045802VN6304399A",
           "a VNPAY-QR merchant payload");
}

static void test_build_refuses(void)
{
    char out[VIETQR_PAYLOAD_MAX];
    vietqr q = vq_of(&vectors[5]);
    vietqr b = q;
    snprintf(b.bin, sizeof b.bin, "97041");
    T_OK(vietqr_build(&b, out, sizeof out) == -1 && !out[0], "build refuses a 5-digit BIN");
    b = q;
    snprintf(b.account, sizeof b.account, "1133-6666");
    T_OK(vietqr_build(&b, out, sizeof out) == -1, "build refuses a dash in the account");
    b = q;
    snprintf(b.purpose, sizeof b.purpose, "Lệ phí");
    T_OK(vietqr_build(&b, out, sizeof out) == -1, "build refuses an accented purpose");
    b = q;
    snprintf(b.purpose, sizeof b.purpose, " LE PHI");
    T_OK(vietqr_build(&b, out, sizeof out) == -1, "build refuses a leading space");
    b = q;
    b.amount = -1;
    T_OK(vietqr_build(&b, out, sizeof out) == -1, "build refuses a negative amount");
    b = q;
    b.amount = VIETQR_AMOUNT_MAX + 1;
    T_OK(vietqr_build(&b, out, sizeof out) == -1, "build refuses a 14-digit amount");
    T_OK(vietqr_build(&q, out, 40) == -1 && !out[0], "build refuses a too small buffer");
    T_OK(vietqr_text_ok("000.00.12.H18-200520-0001"), "a 25-char dossier code is a valid text");
    T_OK(!vietqr_text_ok("000.00.12.H18-200520-00012"), "26 chars are not");
}

static void test_format(void)
{
    char out[32];
    vietqr_format_vnd(50000, out);
    T_STREQ(out, "50.000", "50000 -> 50.000");
    vietqr_format_vnd(1234567, out);
    T_STREQ(out, "1.234.567", "1234567 -> 1.234.567");
    vietqr_format_vnd(999, out);
    T_STREQ(out, "999", "999 has no separator");
    T_OK(vietqr_format_vnd(-1, out) == -1 && !out[0], "a negative amount is refused");
}

static void test_svg(void)
{
    size_t n = 0;
    char *svg = vietqr_svg(vectors[5].payload, 240, &n);
    /* 142 bytes at ECC M: version 5, 37 x 37 modules + 2 x 4 of quiet zone */
    T_OK(svg && n == strlen(svg) && !strncmp(svg, "<svg", 4) &&
         strstr(svg, "viewBox=\"0 0 45 45\"") && strstr(svg, "width=\"240\""),
         "the dossier payload draws a 45-module SVG, 240 px");
    T_OK(svg && strstr(svg, "M4 4h7v1h-7z"), "the finder pattern's top row starts inside the quiet zone");
    T_OK(svg && !strstr(svg, "M3 ") && !strstr(svg, " 3h"), "nothing is drawn in the quiet zone");
    free(svg);
    T_OK(vietqr_svg("", 240, NULL) == NULL && vietqr_svg(NULL, 240, NULL) == NULL,
         "no SVG for an empty payload");
}

/* A deterministic LCG: the same N lines on every run. */
static unsigned long long emit_state = 20261202;
static unsigned emit_rand(unsigned n)
{
    emit_state = emit_state * 6364136223846793005ull + 1442695040888963407ull;
    return (unsigned)((emit_state >> 33) % n);
}

/* N random valid field sets and their payloads, one TSV line each. */
static int emit(long n)
{
    static const char text[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 -._/";
    for (long i = 0; i < n; i++) {
        vietqr q = {0};
        for (int k = 0; k < VIETQR_BIN_LEN; k++)
            q.bin[k] = (char)('0' + (k < 2 ? "97"[k] - '0' : (int)emit_rand(10)));
        int al = 1 + (int)emit_rand(19);
        for (int k = 0; k < al; k++)
            q.account[k] = (char)('0' + emit_rand(10));
        snprintf(q.service, sizeof q.service, "%s", VIETQR_TO_ACCOUNT);
        q.amount = emit_rand(4) ? 1 + (long long)emit_rand(1000) * 499999 + emit_rand(500000) : 0;
        if (q.amount > VIETQR_AMOUNT_MAX)
            q.amount = VIETQR_AMOUNT_MAX;
        int pl = 1 + (int)emit_rand(25);
        for (int k = 0; k < pl; k++)
            q.purpose[k] = text[emit_rand(sizeof text - 1)];
        if (q.purpose[0] == ' ')
            q.purpose[0] = 'X';
        if (q.purpose[pl - 1] == ' ')
            q.purpose[pl - 1] = 'Y';
        char payload[VIETQR_PAYLOAD_MAX];
        if (vietqr_build(&q, payload, sizeof payload) < 0) {
            fprintf(stderr, "test_vietqr --emit: cannot build line %ld\n", i);
            return 1;
        }
        printf("%s\t%s\t%lld\t%s\t%s\n", q.bin, q.account, q.amount, q.purpose, payload);
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 3 && !strcmp(argv[1], "--emit"))
        return emit(strtol(argv[2], NULL, 10));
    test_svg();
    test_format();
    test_vectors();
    test_crc();
    test_parse_refuses();
    test_build_refuses();
    return t_done();
}
