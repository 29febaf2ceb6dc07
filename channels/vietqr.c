/* vietqr.c -- the VietQR payload codec (see vietqr.h): TLV writer with the
 * CRC-16/CCITT-FALSE trailer, the strict reader the tests and the fuzz
 * target use to check every payload dvcbot draws, and its QR code as SVG
 * (libqrencode computes the modules; the SVG is written here). */
#include "channels/vietqr.h"

#include <qrencode.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"

unsigned vietqr_crc16(const char *s, size_t n)
{
    unsigned crc = 0xFFFF;
    for (size_t i = 0; i < n; i++) {
        crc ^= (unsigned)(unsigned char)s[i] << 8;
        for (int b = 0; b < 8; b++)
            crc = (crc & 0x8000) ? ((crc << 1) ^ 0x1021) & 0xFFFF : (crc << 1) & 0xFFFF;
    }
    return crc;
}

static int vietqr_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

int vietqr_text_ok(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > VIETQR_TEXT_MAX || s[0] == ' ' || s[n - 1] == ' ')
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              strchr(" -._/", c)))
            return 0;
    }
    return 1;
}

int vietqr_bin_ok(const char *s)
{
    return s && strlen(s) == VIETQR_BIN_LEN && vietqr_digits(s, VIETQR_BIN_LEN);
}

int vietqr_account_ok(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > VIETQR_ACCOUNT_MAX)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'A' && s[i] <= 'Z')))
            return 0;
    return 1;
}

static int vietqr_service_ok(const char *s)
{
    return !strcmp(s, VIETQR_TO_ACCOUNT) || !strcmp(s, VIETQR_TO_CARD);
}

int vietqr_format_vnd(long long v, char out[32])
{
    char digits[24];
    out[0] = '\0';
    if (v < 0)
        return -1;
    int n = snprintf(digits, sizeof digits, "%lld", v), o = 0;
    for (int i = 0; i < n; i++) {
        if (i && (n - i) % 3 == 0)
            out[o++] = '.';
        out[o++] = digits[i];
    }
    out[o] = '\0';
    return 0;
}

/* --- writer --- */

typedef struct vq_out {
    char *p;
    size_t cap, len;
    int bad;
} vq_out;

/* Append tag id with value v of n bytes (n <= 99). */
static void vq_put(vq_out *o, const char *id, const char *v, size_t n)
{
    if (o->bad || n > 99 || o->len + 4 + n >= o->cap) {
        o->bad = 1;
        return;
    }
    snprintf(o->p + o->len, 5, "%s%02zu", id, n);
    memcpy(o->p + o->len + 4, v, n);
    o->len += 4 + n;
    o->p[o->len] = '\0';
}

static void vq_puts(vq_out *o, const char *id, const char *v)
{
    vq_put(o, id, v, strlen(v));
}

static int vietqr_fields_ok(const vietqr *q)
{
    return q && vietqr_bin_ok(q->bin) && vietqr_account_ok(q->account) &&
           vietqr_service_ok(q->service) && q->amount >= 0 && q->amount <= VIETQR_AMOUNT_MAX &&
           (!q->bill[0] || vietqr_text_ok(q->bill)) &&
           (!q->purpose[0] || vietqr_text_ok(q->purpose));
}

int vietqr_build(const vietqr *q, char *out, size_t cap)
{
    if (!out || cap == 0)
        return -1;
    out[0] = '\0';
    if (!vietqr_fields_ok(q))
        return -1;
    char bene[64], acct[128], add[64], amount[24];
    vq_out b = {bene, sizeof bene, 0, 0}, a = {acct, sizeof acct, 0, 0};
    vq_out x = {add, sizeof add, 0, 0}, o = {out, cap, 0, 0};
    vq_puts(&b, "00", q->bin);
    vq_puts(&b, "01", q->account);
    vq_puts(&a, "00", VIETQR_GUID);
    vq_put(&a, "01", bene, b.len);
    vq_puts(&a, "02", q->service);
    if (q->bill[0])
        vq_puts(&x, "01", q->bill);
    if (q->purpose[0])
        vq_puts(&x, "08", q->purpose);
    vq_puts(&o, "00", "01");
    vq_puts(&o, "01", q->amount > 0 ? "12" : "11");
    vq_put(&o, "38", acct, a.len);
    vq_puts(&o, "53", "704");
    if (q->amount > 0) {
        snprintf(amount, sizeof amount, "%lld", q->amount);
        vq_puts(&o, "54", amount);
    }
    vq_puts(&o, "58", "VN");
    if (x.len)
        vq_put(&o, "62", add, x.len);
    if (b.bad || a.bad || x.bad || o.bad || o.len + 8 >= cap) {
        out[0] = '\0';
        return -1;
    }
    memcpy(out + o.len, "6304", 4);
    snprintf(out + o.len + 4, 5, "%04X", vietqr_crc16(out, o.len + 4));
    return (int)(o.len + 8);
}

/* --- reader --- */

/* One TLV field of a chain: 1 with *id, *v, *vn and *pos advanced; 0 at the
 * end; -1 when malformed. */
static int vq_next(const char *s, size_t n, size_t *pos, int *id, const char **v, size_t *vn)
{
    if (*pos == n)
        return 0;
    if (n - *pos < 4 || !vietqr_digits(s + *pos, 4))
        return -1;
    const char *h = s + *pos;
    *id = (h[0] - '0') * 10 + (h[1] - '0');
    *vn = (size_t)((h[2] - '0') * 10 + (h[3] - '0'));
    if (*vn == 0 || *vn > n - *pos - 4)
        return -1;
    *v = h + 4;
    *pos += 4 + *vn;
    return 1;
}

/* Copy n bytes into dst (cap bytes with the NUL); -1 when too long or a NUL inside. */
static int vq_copy(char *dst, size_t cap, const char *v, size_t n)
{
    if (n >= cap || memchr(v, '\0', n))
        return -1;
    memcpy(dst, v, n);
    dst[n] = '\0';
    return 0;
}

static int vq_is(const char *v, size_t n, const char *want)
{
    return n == strlen(want) && !memcmp(v, want, n);
}

/* 38.01: {00 BIN, 01 account}. */
static int vq_beneficiary(const char *s, size_t n, vietqr *q)
{
    size_t pos = 0, vn;
    int id, r, seen = 0;
    const char *v;
    while ((r = vq_next(s, n, &pos, &id, &v, &vn)) == 1) {
        if ((id == 0 || id == 1) && (seen & (1 << id)))
            return -1;
        if (id == 0 && vq_copy(q->bin, sizeof q->bin, v, vn) < 0)
            return -1;
        if (id == 1 && vq_copy(q->account, sizeof q->account, v, vn) < 0)
            return -1;
        seen |= id < 2 ? 1 << id : 0;
    }
    return r == 0 && seen == 3 && vietqr_bin_ok(q->bin) && vietqr_account_ok(q->account) ? 0 : -1;
}

/* 38: {00 GUID, 01 beneficiary, 02 service}. */
static int vq_account(const char *s, size_t n, vietqr *q)
{
    size_t pos = 0, vn;
    int id, r, seen = 0;
    const char *v;
    while ((r = vq_next(s, n, &pos, &id, &v, &vn)) == 1) {
        if (id < 3 && (seen & (1 << id)))
            return -1;
        if ((id == 0 && !vq_is(v, vn, VIETQR_GUID)) || (id == 1 && vq_beneficiary(v, vn, q) < 0) ||
            (id == 2 && vq_copy(q->service, sizeof q->service, v, vn) < 0))
            return -1;
        seen |= id < 3 ? 1 << id : 0;
    }
    return r == 0 && seen == 7 && vietqr_service_ok(q->service) ? 0 : -1;
}

/* 62: 01 bill, 08 purpose kept; the others skipped. */
static int vq_additional(const char *s, size_t n, vietqr *q)
{
    size_t pos = 0, vn;
    int id, r, seen = 0;
    const char *v;
    while ((r = vq_next(s, n, &pos, &id, &v, &vn)) == 1) {
        char *dst = id == 1 ? q->bill : id == 8 ? q->purpose : NULL;
        if (!dst)
            continue;
        if ((seen & (1 << id)) || vq_copy(dst, VIETQR_TEXT_MAX + 1, v, vn) < 0 ||
            !vietqr_text_ok(dst))
            return -1;
        seen |= 1 << id;
    }
    return r;
}

static int vq_amount(const char *v, size_t vn, vietqr *q)
{
    if (vn > 13 || !vietqr_digits(v, vn))
        return -1;
    q->amount = 0;
    for (size_t i = 0; i < vn; i++)
        q->amount = q->amount * 10 + (v[i] - '0');
    return q->amount > 0 ? 0 : -1;
}

static int vq_hex(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10
           : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* The CRC field v (4 hex digits) against the CRC of s[0..n). */
static int vq_crc_ok(const char *v, size_t vn, const char *s, size_t n)
{
    unsigned want = 0;
    for (size_t i = 0; i < vn; i++) {
        int d = vq_hex(v[i]);
        if (d < 0)
            return 0;
        want = want << 4 | (unsigned)d;
    }
    return vn == 4 && want == vietqr_crc16(s, n);
}

/* One top-level field; -1 when it is wrong. */
static int vq_field(int id, const char *v, size_t vn, vietqr *q)
{
    switch (id) {
    case 0: return vq_is(v, vn, "01") ? 0 : -1;
    case 1: return vq_is(v, vn, "11") || vq_is(v, vn, "12") ? 0 : -1;
    case 38: return vq_account(v, vn, q);
    case 53: return vq_is(v, vn, "704") ? 0 : -1;
    case 54: return vq_amount(v, vn, q);
    case 58: return vq_is(v, vn, "VN") ? 0 : -1;
    case 62: return vq_additional(v, vn, q);
    default: return 0;
    }
}

int vietqr_parse(const char *s, size_t n, vietqr *q)
{
    memset(q, 0, sizeof(*q));
    if (!s)
        return -1;
    size_t pos = 0, vn, start;
    int id, r, crc = 0;
    unsigned char seen[100] = {0};
    const char *v;
    for (start = pos; (r = vq_next(s, n, &pos, &id, &v, &vn)) == 1; start = pos) {
        if (seen[id]++ || (start == 0) != (id == 0) || crc)
            r = -1;
        else if (id == 63)
            crc = vq_crc_ok(v, vn, s, start + 4) ? 1 : -1;
        else if (vq_field(id, v, vn, q) < 0)
            r = -1;
        if (r < 0 || crc < 0)
            break;
    }
    int ok = r == 0 && crc == 1 && seen[1] && seen[38] && seen[53] && seen[58];
    if (!ok)
        memset(q, 0, sizeof(*q));
    return ok ? 0 : -1;
}

/* --- the QR code --- */

#define VIETQR_QUIET 4

char *vietqr_svg(const char *payload, int px_size, size_t *len)
{
    if (!payload || !*payload)
        return NULL;
    QRcode *qr = QRcode_encodeString(payload, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    if (!qr)
        return NULL;
    int w = qr->width, full = w + 2 * VIETQR_QUIET;
    buf b = {0};
    buf_printf(&b, "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" width=\"%d\" "
               "height=\"%d\" shape-rendering=\"crispEdges\"><rect width=\"%d\" height=\"%d\" "
               "fill=\"#fff\"/><path fill=\"#000\" d=\"", full, full, px_size, px_size, full, full);
    for (int y = 0; y < w; y++) {
        for (int x = 0; x < w; x++) {
            int run = 0;
            while (x + run < w && (qr->data[y * w + x + run] & 1))
                run++;
            if (run) {
                buf_printf(&b, "M%d %dh%dv1h-%dz", x + VIETQR_QUIET, y + VIETQR_QUIET, run, run);
                x += run - 1;
            }
        }
    }
    buf_puts(&b, "\"/></svg>");
    QRcode_free(qr);
    return buf_detach(&b, len);
}
