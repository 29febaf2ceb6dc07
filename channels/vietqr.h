/* vietqr.h -- the VietQR payload (NAPAS247 "to account" transfer, an EMVCo
 * merchant-presented QR): built from a dossier's fee and parsed back, as a
 * pure codec (no Redis, no lws, no allocation). docs/payment.md describes the
 * format; shared/notes/channels-payment.md §3.2 has the sources.
 *
 * A payload is a chain of ID(2 digits) LENGTH(2 digits) VALUE fields:
 *   00 "01"  01 "12" (one payment, with an amount) or "11" (reusable)
 *   38 { 00 "A000000727"  01 { 00 BIN (6 digits)  01 account }  02 service }
 *   53 "704"  54 amount (VND, digits)  58 "VN"
 *   62 { 01 bill number  08 purpose }   (each optional, 1..25 chars)
 *   63 CRC-16/CCITT-FALSE over everything before it including "6304",
 *      4 upper-case hex digits.
 * Amounts are integers in VND end to end. */
#ifndef DVC_CHANNELS_VIETQR_H
#define DVC_CHANNELS_VIETQR_H

#include <stddef.h>

#define VIETQR_GUID "A000000727"
#define VIETQR_TO_ACCOUNT "QRIBFTTA"
#define VIETQR_TO_CARD "QRIBFTTC"
#define VIETQR_BIN_LEN 6
#define VIETQR_ACCOUNT_MAX 19
#define VIETQR_TEXT_MAX 25            /* a 62 sub-field (bill, purpose) */
#define VIETQR_AMOUNT_MAX 9999999999999LL  /* 13 digits: the tag's width */
#define VIETQR_PAYLOAD_MAX 256        /* the longest payload vietqr_build writes, + NUL */

typedef struct vietqr {
    char bin[VIETQR_BIN_LEN + 1];         /* acquirer BIN, 6 digits */
    char account[VIETQR_ACCOUNT_MAX + 1]; /* 1..19 of [0-9A-Z] */
    char service[9];                      /* VIETQR_TO_ACCOUNT or VIETQR_TO_CARD */
    long long amount;                     /* VND; 0 = none (then the QR is reusable) */
    char bill[VIETQR_TEXT_MAX + 1];       /* 62.01; "" = none */
    char purpose[VIETQR_TEXT_MAX + 1];    /* 62.08; "" = none */
} vietqr;

/* CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF, no reflection, no xor-out)
 * of n bytes: "123456789" -> 0x29B1. */
unsigned vietqr_crc16(const char *s, size_t n);

/* 1 when s is a valid 62 sub-field: 1..VIETQR_TEXT_MAX characters of
 * A-Z a-z 0-9, space and "-._/", no space at either end (what every banking
 * app keeps in a transfer's description, unaccented). */
int vietqr_text_ok(const char *s);
/* 1 when s is a BIN (exactly 6 digits). */
int vietqr_bin_ok(const char *s);
/* 1 when s is an account number (1..19 of [0-9A-Z]). */
int vietqr_account_ok(const char *s);

/* An amount as Vietnamese write it, '.' between thousands ("50.000"), into
 * out; 0, or -1 (out "") when v < 0. */
int vietqr_format_vnd(long long v, char out[32]);

/* Write the payload of q into out (cap bytes, VIETQR_PAYLOAD_MAX is always
 * enough), NUL-terminated: 01 is "12" when q->amount > 0, else "11" without
 * tag 54; 62 only when bill or purpose is set. Returns its length, or -1
 * (out untouched beyond out[0] = '\0') when a field is invalid (see the _ok
 * checks; amount < 0 or > VIETQR_AMOUNT_MAX; service not one of the two) or
 * cap is too small. */
int vietqr_build(const vietqr *q, char *out, size_t cap);

/* Parse n bytes of a payload into q: 0, or -1 when it is not a well-formed
 * VietQR to-account/to-card payload (a field overruns, a tag repeats, 00 is
 * not first or 63 not last, the CRC does not match (either case of hex is
 * accepted), 38's GUID is not A000000727, 53 is not 704, 58 is not VN, 54 is
 * not digits, 01 is not 11/12, or a kept field fails its _ok check). Tags
 * dvcbot does not use (52, 59, 60, other 62 sub-fields...) are skipped.
 * q is zeroed first. */
int vietqr_parse(const char *s, size_t n, vietqr *q);

/* The QR code of payload (byte mode, ECC level M, libqrencode) as an SVG
 * document: one dark <path> of 1x1 modules on a white square with a
 * 4-module quiet zone, viewBox in modules, width/height px_size pixels.
 * Returns a malloc'd NUL-terminated text (caller frees; *len its length
 * when len is not NULL), or NULL when libqrencode refuses the payload
 * (empty, too long). */
char *vietqr_svg(const char *payload, int px_size, size_t *len);

#endif
