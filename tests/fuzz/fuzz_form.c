/* fuzz_form.c -- libFuzzer target for common/form.c. The first byte picks
 * the flags (FORM_PLUS, FORM_RAW_NAMES), the rest is a query string.
 * Properties: no crash, leak or out-of-bounds read (the walk runs over an
 * exact-size copy, and over a prefix whose following bytes it must not
 * see); a decoded text is never longer than its input; every pair fits in
 * the query, and the pairs do not add up to more than it; re-encoding the
 * pairs with form_encode and walking again gives the same pairs. */
#include "fuzz.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/form.h"

typedef struct fz_walk {
    size_t len;                 /* of the query */
    size_t total;               /* sum of nlen + vlen + '=' + '&' */
    int flags;
    buf pairs;                  /* name \0 has-val val \0, one after the other */
    buf again;                  /* the pairs re-encoded as a query */
} fz_walk;

static int fz_pair(void *ctx, const char *name, size_t nlen, const char *val, size_t vlen)
{
    fz_walk *w = ctx;
    if (nlen > w->len || vlen > w->len || strlen(name) > nlen || (val && strlen(val) > vlen) ||
        (!val && vlen) || (!nlen && !val))
        abort();
    w->total += nlen + vlen + (val != NULL) + 1;
    if (w->total > w->len + 1) /* the last pair has no '&' */
        abort();
    buf_append(&w->pairs, name, nlen);
    buf_append(&w->pairs, val ? "\0=" : "\0-", 2);
    buf_append(&w->pairs, val ? val : "", vlen);
    buf_putc(&w->pairs, '\0');
    if (w->again.len)
        buf_putc(&w->again, '&');
    if (w->flags & FORM_RAW_NAMES)
        buf_append(&w->again, name, nlen);
    else
        form_encode(&w->again, name, nlen);
    if (val) {
        buf_putc(&w->again, '=');
        form_encode(&w->again, val, vlen);
    }
    return 0;
}

static void fz_walk_free(fz_walk *w)
{
    buf_free(&w->pairs);
    buf_free(&w->again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    int flags = data[0] & (FORM_PLUS | FORM_RAW_NAMES);
    size_t len = size - 1;
    char *q = malloc(len ? len : 1), *out = malloc(len + 1);
    memcpy(q, data + 1, len);
    if (form_decode(q, len, flags, out) > len)
        abort();
    fz_walk a = {.len = len, .flags = flags}, b = {.len = len, .flags = flags};
    if (form_each(q, len, flags, fz_pair, &a) != 0)
        abort();
    /* the same pairs again from their re-encoding */
    b.len = a.again.len;
    if (form_each(a.again.data ? a.again.data : "", a.again.len, flags, fz_pair, &b) != 0 ||
        b.pairs.len != a.pairs.len || (a.pairs.len && memcmp(a.pairs.data, b.pairs.data, a.pairs.len)))
        abort();
    fz_walk_free(&b);
    /* a prefix: the bytes after it must not count */
    size_t cut = len / 2;
    fz_walk c = {.len = cut, .flags = flags}, d = {.len = cut, .flags = flags};
    char *p = malloc(cut ? cut : 1);
    memcpy(p, q, cut);
    form_each(q, cut, flags, fz_pair, &c);
    form_each(p, cut, flags, fz_pair, &d);
    if (c.pairs.len != d.pairs.len || (c.pairs.len && memcmp(c.pairs.data, d.pairs.data, c.pairs.len)))
        abort();
    fz_walk_free(&a);
    fz_walk_free(&c);
    fz_walk_free(&d);
    free(p);
    free(q);
    free(out);
    return 0;
}
