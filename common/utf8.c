/* utf8.c -- UTF-8 decode, validate, encode, count and the Latin diacritic
 * fold (see utf8.h). The fold letters are the generated common/fold_table.h. */
#include "common/utf8.h"

#include <string.h>

#include "common/fold_table.h"

int utf8_next(const char *str, size_t len, unsigned *cp)
{
    const unsigned char *s = (const unsigned char *)str;
    unsigned c, n, min;
    if (len == 0)
        return -1;
    c = s[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2; c &= 0x1F; min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3; c &= 0x0F; min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4; c &= 0x07; min = 0x10000;
    } else {
        return -1;
    }
    if (len < n)
        return -1;
    for (unsigned k = 1; k < n; k++) {
        if ((s[k] & 0xC0) != 0x80)
            return -1;
        c = (c << 6) | (s[k] & 0x3F);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
        return -1;
    *cp = c;
    return (int)n;
}

int utf8_valid(const char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        unsigned cp;
        if ((unsigned char)s[i] < 0x80) {
            i++;
            continue;
        }
        int k = utf8_next(s + i, n - i, &cp);
        if (k < 0)
            return 0;
        i += (size_t)k;
    }
    return 1;
}

int utf8_valid_text(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
            return 0;
    }
    return utf8_valid(s, n);
}

size_t utf8_put(char *o, unsigned cp)
{
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (char)(0xC0 | cp >> 6);
        o[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (char)(0xE0 | cp >> 12);
        o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | cp >> 18);
    o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

size_t utf8_count(const char *s, size_t n)
{
    size_t count = 0;
    for (size_t i = 0; i < n; i++)
        count += ((unsigned char)s[i] & 0xC0) != 0x80;
    return count;
}

/* The Latin ranges first: they are what Vietnamese text is made of. */
utf8_fold_kind utf8_fold_cp(unsigned cp, const char **ascii)
{
    if (cp >= UTF8_FOLD_00C0_LO && cp < UTF8_FOLD_00C0_HI) {
        *ascii = utf8_fold_00c0[cp - UTF8_FOLD_00C0_LO];
        return **ascii ? UTF8_FOLD_ASCII : UTF8_FOLD_KEEP;
    }
    if (cp >= UTF8_FOLD_1E00_LO && cp < UTF8_FOLD_1E00_HI) {
        *ascii = utf8_fold_1e00[cp - UTF8_FOLD_1E00_LO];
        return **ascii ? UTF8_FOLD_ASCII : UTF8_FOLD_KEEP;
    }
    if ((cp >= 0x300 && cp <= 0x36F) || (cp >= 0x1AB0 && cp <= 0x1AFF) ||
        (cp >= 0x1DC0 && cp <= 0x1DFF) || (cp >= 0x20D0 && cp <= 0x20FF) ||
        cp == 0xAD || (cp >= 0x200B && cp <= 0x200D) || cp == 0x2060 || cp == 0xFEFF)
        return UTF8_FOLD_DROP;
    if (cp <= 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) ||
        cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000)
        return UTF8_FOLD_SPACE;
    if (cp == 0x2018 || cp == 0x2019 || cp == 0x201A || cp == 0x2032)
        *ascii = "'";
    else if (cp == 0x201C || cp == 0x201D || cp == 0x201E || cp == 0x2033)
        *ascii = "\"";
    else if ((cp >= 0x2010 && cp <= 0x2015) || cp == 0x2212)
        *ascii = "-";
    else if (cp == 0x2026)
        *ascii = "...";
    else
        return UTF8_FOLD_KEEP;
    return UTF8_FOLD_ASCII;
}

/* One character of utf8_fold at in[i] (non-ASCII): appends to out[*n..).
 * Returns its length in the input, or -1. */
static int utf8_fold_one(const char *in, size_t len, char *out, size_t *n)
{
    unsigned cp;
    const char *rep = NULL;
    int k = utf8_next(in, len, &cp);
    if (k < 0)
        return -1;
    switch (utf8_fold_cp(cp, &rep)) {
    case UTF8_FOLD_ASCII:
        for (; *rep; rep++)
            out[(*n)++] = *rep;
        break;
    case UTF8_FOLD_SPACE:
        out[(*n)++] = ' ';
        break;
    case UTF8_FOLD_KEEP:
        memcpy(out + *n, in, (size_t)k);
        *n += (size_t)k;
        break;
    case UTF8_FOLD_DROP:
        break;
    }
    return k;
}

int utf8_fold(const char *in, size_t len, char *out, size_t cap, size_t *outlen)
{
    size_t i = 0, n = 0;
    if (outlen)
        *outlen = 0;
    if (!out || cap < len + 1) {
        if (out && cap)
            out[0] = '\0';
        return -1;
    }
    while (i < len) {
        unsigned char c = (unsigned char)in[i];
        if (c < 0x80) {
            int ctl = (c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7F;
            out[n++] = ctl ? ' ' : (char)c;
            i++;
            continue;
        }
        int k = utf8_fold_one(in + i, len - i, out, &n);
        if (k < 0) {
            out[0] = '\0';
            return -1;
        }
        i += (size_t)k;
    }
    out[n] = '\0';
    if (outlen)
        *outlen = n;
    return 0;
}
