/* normalize.c -- UTF-8 validation, Latin diacritic folding, lower-casing,
 * Telex residue decoding and white-space squeezing (see normalize.h).
 *
 * One pass decodes and folds into the output buffer; a second, in-place pass
 * decodes Telex residue word by word (syllable.c). The output only ever shrinks, so both passes work in the
 * caller's buffer without allocation. */
#include "intents/normalize.h"

#include <string.h>

#include "intents/fold_table.h"
#include "intents/syllable.h"

enum { NORM_LOWER = 1, NORM_TELEX = 2, NORM_SQUEEZE = 4 };

int norm_utf8_next(const char *str, size_t len, unsigned *cp)
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

/* What a non-ASCII code point becomes. */
typedef enum { NK_KEEP, NK_DROP, NK_SPACE, NK_ASCII } norm_kind;

static norm_kind norm_classify_cp(unsigned cp, const char **rep)
{
    if (cp >= NORM_FOLD_00C0_LO && cp < NORM_FOLD_00C0_HI) {
        *rep = norm_fold_00c0[cp - NORM_FOLD_00C0_LO];
        return **rep ? NK_ASCII : NK_KEEP;
    }
    if (cp >= NORM_FOLD_1E00_LO && cp < NORM_FOLD_1E00_HI) {
        *rep = norm_fold_1e00[cp - NORM_FOLD_1E00_LO];
        return **rep ? NK_ASCII : NK_KEEP;
    }
    if ((cp >= 0x300 && cp <= 0x36F) || (cp >= 0x1AB0 && cp <= 0x1AFF) ||
        (cp >= 0x1DC0 && cp <= 0x1DFF) || (cp >= 0x20D0 && cp <= 0x20FF) ||
        cp == 0xAD || (cp >= 0x200B && cp <= 0x200D) || cp == 0x2060 || cp == 0xFEFF)
        return NK_DROP;
    if (cp <= 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) ||
        cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000)
        return NK_SPACE;
    if (cp == 0x2018 || cp == 0x2019 || cp == 0x201A || cp == 0x2032)
        *rep = "'";
    else if (cp == 0x201C || cp == 0x201D || cp == 0x201E || cp == 0x2033)
        *rep = "\"";
    else if ((cp >= 0x2010 && cp <= 0x2015) || cp == 0x2212)
        *rep = "-";
    else if (cp == 0x2026)
        *rep = "...";
    else
        return NK_KEEP;
    return NK_ASCII;
}

/* Simple lower-casing of Greek and Cyrillic capitals (same UTF-8 length). */
static unsigned norm_lower_cp(unsigned cp)
{
    if ((cp >= 0x391 && cp <= 0x3A9 && cp != 0x3A2) || (cp >= 0x410 && cp <= 0x42F))
        return cp + 0x20;
    if (cp >= 0x400 && cp <= 0x40F)
        return cp + 0x50;
    if (cp >= 0xFF21 && cp <= 0xFF3A)
        return cp + 0x20;
    return cp;
}

static size_t norm_put_cp(char *o, unsigned cp)
{
    if (cp < 0x800) {
        o[0] = (char)(0xC0 | (cp >> 6));
        o[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    o[0] = (char)(0xE0 | (cp >> 12));
    o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
    o[2] = (char)(0x80 | (cp & 0x3F));
    return 3;
}

/* Output state of the folding pass. */
typedef struct norm_out {
    char *o;
    size_t n;
    size_t *map;
    int flags;
    int pending_space;
} norm_out;

static void norm_emit(norm_out *st, const char *s, size_t k, size_t src)
{
    if (st->pending_space) {
        st->pending_space = 0;
        if (st->n > 0) {
            if (st->map)
                st->map[st->n] = src;
            st->o[st->n++] = ' ';
        }
    }
    for (size_t j = 0; j < k; j++) {
        char c = s[j];
        if ((st->flags & NORM_LOWER) && c >= 'A' && c <= 'Z')
            c = (char)(c + 32);
        if (st->map)
            st->map[st->n] = src;
        st->o[st->n++] = c;
    }
}

static void norm_space(norm_out *st, char c, size_t src)
{
    if (st->flags & NORM_SQUEEZE)
        st->pending_space = 1;
    else if (c == '\n' || c == '\t' || c == ' ')
        norm_emit(st, &c, 1, src);
    else if (c != '\r')
        norm_emit(st, " ", 1, src);
    else
        norm_emit(st, &c, 1, src);
}

static int norm_fold_pass(const char *in, size_t len, norm_out *st)
{
    size_t i = 0;
    while (i < len) {
        unsigned char c = (unsigned char)in[i];
        if (c > 0x20 && c < 0x7F && !st->pending_space && !st->map) {
            /* fast path: plain ASCII, nothing pending */
            if ((st->flags & NORM_LOWER) && c >= 'A' && c <= 'Z')
                c = (unsigned char)(c + 32);
            st->o[st->n++] = (char)c;
            i++;
            continue;
        }
        if (c < 0x80) {
            if (c <= 0x20 || c == 0x7F)
                norm_space(st, (char)c, i);
            else
                norm_emit(st, (const char *)&in[i], 1, i);
            i++;
            continue;
        }
        unsigned cp;
        int k = norm_utf8_next(in + i, len - i, &cp);
        if (k < 0)
            return -1;
        const char *rep = NULL;
        norm_kind kind = norm_classify_cp(cp, &rep);
        if (kind == NK_ASCII) {
            norm_emit(st, rep, strlen(rep), i);
        } else if (kind == NK_SPACE) {
            norm_space(st, ' ', i);
        } else if (kind == NK_KEEP) {
            unsigned lc = (st->flags & NORM_LOWER) ? norm_lower_cp(cp) : cp;
            char tmp[4];
            if (lc != cp)
                norm_emit(st, tmp, norm_put_cp(tmp, lc), i);
            else
                norm_emit(st, in + i, (size_t)k, i);
        }
        i += (size_t)k;
    }
    return 0;
}

/* Append the lower-cased ASCII of the NUL-terminated rep to o[n..). */
static size_t norm_put_lower(char *o, size_t n, const char *rep)
{
    for (; *rep; rep++)
        o[n++] = (char)(*rep >= 'A' && *rep <= 'Z' ? *rep + 32 : *rep);
    return n;
}

/* norm_fold_pass for norm_text without a map (lower-case, squeeze): the
 * same output from a tighter loop. Returns the length or -1. */
static long norm_fold_text(const char *in, size_t len, char *o)
{
    size_t i = 0, n = 0;
    int pend = 0;
    while (i < len) {
        unsigned char c = (unsigned char)in[i];
        if (c < 0x80) {
            i++;
            if (c <= 0x20 || c == 0x7F) {
                pend = 1;
                continue;
            }
            if (pend && n)
                o[n++] = ' ';
            pend = 0;
            o[n++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
            continue;
        }
        unsigned cp;
        int k = norm_utf8_next(in + i, len - i, &cp);
        if (k < 0)
            return -1;
        const char *rep = NULL;
        norm_kind kind = norm_classify_cp(cp, &rep);
        if (kind == NK_SPACE)
            pend = 1;
        if (kind == NK_ASCII || kind == NK_KEEP) {
            if (pend && n)
                o[n++] = ' ';
            pend = 0;
        }
        if (kind == NK_ASCII) {
            n = norm_put_lower(o, n, rep);
        } else if (kind == NK_KEEP) {
            unsigned lc = norm_lower_cp(cp);
            if (lc != cp) {
                n += norm_put_cp(o + n, lc);
            } else {
                memcpy(o + n, in + i, (size_t)k);
                n += (size_t)k;
            }
        }
        i += (size_t)k;
    }
    return (long)n;
}

static int norm_run(const char *in, size_t len, char *out, size_t cap,
                    size_t *outlen, size_t *map, int flags)
{
    norm_out st = {out, 0, map, flags, 0};
    if (outlen)
        *outlen = 0;
    if (!out || cap < len + 1) {
        if (out && cap)
            out[0] = '\0';
        return -1;
    }
    if (!map && flags == (NORM_LOWER | NORM_TELEX | NORM_SQUEEZE)) {
        long n = norm_fold_text(in, len, out);
        if (n < 0) {
            out[0] = '\0';
            return -1;
        }
        st.n = (size_t)n;
    } else if (norm_fold_pass(in, len, &st) < 0) {
        out[0] = '\0';
        return -1;
    }
    if (flags & NORM_TELEX)
        st.n = norm_telex_pass(out, st.n, map);
    out[st.n] = '\0';
    if (map)
        map[st.n] = len;
    if (outlen)
        *outlen = st.n;
    return 0;
}

int norm_text(const char *in, size_t len, char *out, size_t cap, size_t *outlen)
{
    return norm_run(in, len, out, cap, outlen, NULL,
                    NORM_LOWER | NORM_TELEX | NORM_SQUEEZE);
}

int norm_text_map(const char *in, size_t len, char *out, size_t cap,
                  size_t *outlen, size_t *map)
{
    return norm_run(in, len, out, cap, outlen, map,
                    NORM_LOWER | NORM_TELEX | NORM_SQUEEZE);
}

int norm_fold(const char *in, size_t len, char *out, size_t cap, size_t *outlen)
{
    return norm_run(in, len, out, cap, outlen, NULL, 0);
}
