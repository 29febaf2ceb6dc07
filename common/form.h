/* form.h -- the one copy of form handling: %-decoding, %-encoding and the
 * "a=b&c=d" iterator of query strings and application/x-www-form-urlencoded
 * bodies (Kannel MO/DLR queries, Africa's Talking USSD forms, Kannel's SMPP
 * meta-data "?smpp?ussd_service_op=..").
 *
 * Pure, no I/O. Nothing here checks UTF-8: a decoded value is bytes
 * (common/utf8.h validates). form_each allocates one scratch buffer
 * (common/xmalloc.h, aborts on OOM) and frees it before it returns. */
#ifndef DVC_COMMON_FORM_H
#define DVC_COMMON_FORM_H

#include <stddef.h>

#include "common/buf.h"

enum {
    FORM_PLUS = 1,              /* '+' is a space (forms and query strings) */
    FORM_RAW_NAMES = 2,         /* names are passed as they are, not decoded */
};

/* %-decode n bytes of s into out (room for n + 1 bytes): "%XX" with two hex
 * digits (either case) becomes that byte, '+' a space under FORM_PLUS;
 * every other byte, also a '%' not followed by two hex digits ("%", "%4",
 * "%zz"), is copied as it is. out is NUL-terminated (a decoded "%00" ends
 * it early as a C string: use the length). Returns the length, <= n. */
size_t form_decode(const char *s, size_t n, int flags, char *out);

/* Called once per pair by form_each: name (nlen bytes) and val (vlen bytes)
 * are decoded, NUL-terminated and valid only during the call; val is NULL
 * when the pair has no '=' ("flag" rather than "flag="). Returns 0 to go
 * on; any other value stops the walk. */
typedef int form_fn(void *ctx, const char *name, size_t nlen, const char *val, size_t vlen);

/* Walk q (len bytes, need not be NUL-terminated; never read past len):
 * split at '&', then each pair at its first '=', and call cb in order,
 * repeated names included (the caller decides which wins). Empty pairs
 * ("a=1&&b=2", a leading or trailing '&') are skipped; an empty name
 * ("=v") is passed. Decoding follows flags (FORM_PLUS, FORM_RAW_NAMES).
 * Returns 0 after the last pair, or the first non-zero value of cb. */
int form_each(const char *q, size_t len, int flags, form_fn *cb, void *ctx);

/* Append n bytes of s %-encoded: unreserved characters (RFC 3986 ALPHA,
 * DIGIT, "-" "." "_" "~") as they are, every other byte as %XX (upper
 * case). form_decode with or without FORM_PLUS gives s back. */
void form_encode(buf *b, const char *s, size_t n);

#endif
