/* fuzz_vietqr.c -- libFuzzer target: the VietQR codec (channels/vietqr.c).
 * Any input given to vietqr_parse must not crash or read out of bounds;
 * whatever it accepts must carry valid fields, a CRC that verifies, and
 * round-trip: build(parse(x)) parses back to the same fields. The input's
 * bytes also drive a field set through build: whatever build accepts must
 * be at most VIETQR_PAYLOAD_MAX - 1 bytes and parse back to those fields. */
#include "fuzz.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "channels/vietqr.h"

static int fuzz_same(const vietqr *a, const vietqr *b)
{
    return !strcmp(a->bin, b->bin) && !strcmp(a->account, b->account) &&
           !strcmp(a->service, b->service) && a->amount == b->amount &&
           !strcmp(a->bill, b->bill) && !strcmp(a->purpose, b->purpose);
}

/* Build q, then parse it back: must agree (when build accepts). */
static void fuzz_round_trip(const vietqr *q, int must_build)
{
    char out[VIETQR_PAYLOAD_MAX];
    vietqr back;
    int n = vietqr_build(q, out, sizeof out);
    if (n < 0) {
        if (must_build)
            abort();
        return;
    }
    if ((size_t)n != strlen(out) || n >= VIETQR_PAYLOAD_MAX ||
        vietqr_crc16(out, (size_t)n - 4) != strtoul(out + n - 4, NULL, 16) ||
        vietqr_parse(out, (size_t)n, &back) < 0 || !fuzz_same(q, &back))
        abort();
}

/* Fields cut out of the input: bin | account | amount | bill | purpose, '|'-separated. */
static void fuzz_fields(const uint8_t *data, size_t size)
{
    char buf[256];
    size_t n = size < sizeof buf - 1 ? size : sizeof buf - 1;
    memcpy(buf, data, n);
    buf[n] = '\0';
    vietqr q = {0};
    char *parts[5] = {0}, *save = NULL, *p = buf;
    for (int i = 0; i < 5; i++, p = NULL)
        parts[i] = strtok_r(p, "|", &save);
    snprintf(q.bin, sizeof q.bin, "%s", parts[0] ? parts[0] : "");
    snprintf(q.account, sizeof q.account, "%s", parts[1] ? parts[1] : "");
    snprintf(q.service, sizeof q.service, "%s", n && (data[0] & 1) ? VIETQR_TO_CARD
                                                                : VIETQR_TO_ACCOUNT);
    q.amount = parts[2] ? strtoll(parts[2], NULL, 10) : 0;
    snprintf(q.bill, sizeof q.bill, "%s", parts[3] ? parts[3] : "");
    snprintf(q.purpose, sizeof q.purpose, "%s", parts[4] ? parts[4] : "");
    fuzz_round_trip(&q, 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    vietqr q;
    if (vietqr_parse((const char *)data, size, &q) == 0) {
        if (size < 8 || !vietqr_bin_ok(q.bin) || !vietqr_account_ok(q.account) ||
            q.amount < 0 || (q.bill[0] && !vietqr_text_ok(q.bill)) ||
            (q.purpose[0] && !vietqr_text_ok(q.purpose)))
            abort();
        char crc[5];
        memcpy(crc, data + size - 4, 4);
        crc[4] = '\0';
        if (strtoul(crc, NULL, 16) != vietqr_crc16((const char *)data, size - 4))
            abort();
        fuzz_round_trip(&q, 1);
    } else if (q.bin[0] || q.account[0] || q.amount) {
        abort();                    /* a refused payload leaves q zeroed */
    }
    fuzz_fields(data, size);
    return 0;
}
