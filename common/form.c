/* form.c -- %-decoding, %-encoding and the "a=b&c=d" iterator (see form.h). */
#include "common/form.h"

#include <stdlib.h>
#include <string.h>

#include "common/xmalloc.h"

static int form_hex(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

size_t form_decode(const char *s, size_t n, int flags, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        int h, l;
        if (s[i] == '%' && i + 2 < n && (h = form_hex((unsigned char)s[i + 1])) >= 0 &&
            (l = form_hex((unsigned char)s[i + 2])) >= 0) {
            out[o++] = (char)(h * 16 + l);
            i += 2;
        } else {
            out[o++] = (flags & FORM_PLUS) && s[i] == '+' ? ' ' : s[i];
        }
    }
    out[o] = '\0';
    return o;
}

/* One non-empty pair p (n bytes) decoded into scratch (room for n + 1),
 * then handed to cb. */
static int form_pair(const char *p, size_t n, int flags, char *scratch, form_fn *cb, void *ctx)
{
    const char *eq = memchr(p, '=', n);
    size_t raw = eq ? (size_t)(eq - p) : n, nlen, vlen = 0;
    char *val = NULL;
    if (flags & FORM_RAW_NAMES) {
        memcpy(scratch, p, raw);
        scratch[raw] = '\0';
        nlen = raw;
    } else {
        nlen = form_decode(p, raw, flags, scratch);
    }
    if (eq) {
        val = scratch + nlen + 1;
        vlen = form_decode(eq + 1, n - raw - 1, flags, val);
    }
    return cb(ctx, scratch, nlen, val, vlen);
}

int form_each(const char *q, size_t len, int flags, form_fn *cb, void *ctx)
{
    char *scratch = NULL;
    size_t i = 0;
    int rc = 0;
    while (i < len && rc == 0) {
        const char *amp = memchr(q + i, '&', len - i);
        size_t end = amp ? (size_t)(amp - q) : len;
        if (end > i) {
            if (!scratch) /* a pair of n bytes needs at most n + 1 */
                scratch = xmalloc(len + 1);
            rc = form_pair(q + i, end - i, flags, scratch, cb, ctx);
        }
        i = end + 1;
    }
    free(scratch);
    return rc;
}

void form_encode(buf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '_' || c == '.' || c == '~') {
            buf_putc(b, (char)c);
        } else {
            char e[3] = {'%', (char)hex[c >> 4], (char)hex[c & 15]};
            buf_append(b, e, 3);
        }
    }
}
