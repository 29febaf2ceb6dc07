/* normalize.c -- the normaliser of the intent engine (see normalize.h).
 *
 * One pass decodes UTF-8 and folds Latin diacritics (utf8_next and
 * utf8_fold_cp of common/utf8.h, the one copy of both), lower-cases and
 * squeezes white space into the output buffer; a second, in-place pass
 * decodes Telex residue word by word (syllable.c). The output only ever
 * shrinks, so both passes work in the caller's buffer without allocation.
 * Plain ASCII stays inline in both fold loops: only non-ASCII characters
 * cost a call. */
#include "intents/normalize.h"

#include <string.h>

#include "common/utf8.h"
#include "intents/syllable.h"

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

/* Output state of the mapped pass. */
typedef struct norm_out {
    char *o;
    size_t n;
    size_t *map;                /* map[k]: input offset of o[k] */
    int pending_space;
} norm_out;

/* Append k bytes of s (lower-cased) produced by the input at src, after
 * the pending space if there is output before it. */
static void norm_emit(norm_out *st, const char *s, size_t k, size_t src)
{
    if (st->pending_space) {
        st->pending_space = 0;
        if (st->n > 0) {
            st->map[st->n] = src;
            st->o[st->n++] = ' ';
        }
    }
    for (size_t j = 0; j < k; j++) {
        char c = s[j];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c + 32);
        st->map[st->n] = src;
        st->o[st->n++] = c;
    }
}

/* The fold pass of norm_text_map: lower-case, squeeze, and record in
 * st->map where each output byte came from. Returns 0 or -1. */
static int norm_fold_map(const char *in, size_t len, norm_out *st)
{
    size_t i = 0;
    while (i < len) {
        unsigned char c = (unsigned char)in[i];
        if (c < 0x80) {
            if (c <= 0x20 || c == 0x7F)
                st->pending_space = 1;
            else
                norm_emit(st, (const char *)&in[i], 1, i);
            i++;
            continue;
        }
        unsigned cp;
        int k = utf8_next(in + i, len - i, &cp);
        if (k < 0)
            return -1;
        const char *rep = NULL;
        utf8_fold_kind kind = utf8_fold_cp(cp, &rep);
        if (kind == UTF8_FOLD_ASCII) {
            norm_emit(st, rep, strlen(rep), i);
        } else if (kind == UTF8_FOLD_SPACE) {
            st->pending_space = 1;
        } else if (kind == UTF8_FOLD_KEEP) {
            unsigned lc = norm_lower_cp(cp);
            char tmp[4];
            size_t tk = lc != cp ? utf8_put(tmp, lc) : 0;
            if (tk)
                norm_emit(st, tmp, tk, i);
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

/* norm_fold_map without a map, for norm_text: the same output from a
 * tighter loop (a duplicate by design, for speed; tests/fuzz/fuzz_normalize.c
 * checks that norm_text and norm_text_map agree). Returns the length or -1. */
static long norm_fold_text(const char *in, size_t len, char *o)
{
    size_t i = 0, n = 0;
    int pend = 0;
    while (i < len) {
        unsigned char c = (unsigned char)in[i];
        if (c < 0x80) {
            if (c <= 0x20 || c == 0x7F) {
                i++;
                pend = 1;
                continue;
            }
            if (pend && n)
                o[n++] = ' ';
            pend = 0;
            do { /* a run of printable ASCII in one tight loop */
                o[n++] = (char)((unsigned)c - 'A' < 26u ? c + 32 : c);
            } while (++i < len && (unsigned char)((c = (unsigned char)in[i]) - 0x21) < 0x5Eu);
            continue;
        }
        unsigned cp;
        int k = utf8_next(in + i, len - i, &cp);
        if (k < 0)
            return -1;
        const char *rep = NULL;
        utf8_fold_kind kind = utf8_fold_cp(cp, &rep);
        if (kind == UTF8_FOLD_SPACE)
            pend = 1;
        if (kind == UTF8_FOLD_ASCII || kind == UTF8_FOLD_KEEP) {
            if (pend && n)
                o[n++] = ' ';
            pend = 0;
        }
        if (kind == UTF8_FOLD_ASCII) {
            n = norm_put_lower(o, n, rep);
        } else if (kind == UTF8_FOLD_KEEP) {
            unsigned lc = norm_lower_cp(cp);
            if (lc != cp) {
                n += utf8_put(o + n, lc);
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
                    size_t *outlen, size_t *map)
{
    long n;
    if (outlen)
        *outlen = 0;
    if (!out || cap < len + 1) {
        if (out && cap)
            out[0] = '\0';
        return -1;
    }
    if (map) {
        norm_out st = {out, 0, map, 0};
        n = norm_fold_map(in, len, &st) < 0 ? -1 : (long)st.n;
    } else {
        n = norm_fold_text(in, len, out);
    }
    if (n < 0) {
        out[0] = '\0';
        return -1;
    }
    size_t m = norm_telex_pass(out, (size_t)n, map);
    out[m] = '\0';
    if (map)
        map[m] = len;
    if (outlen)
        *outlen = m;
    return 0;
}

int norm_text(const char *in, size_t len, char *out, size_t cap, size_t *outlen)
{
    return norm_run(in, len, out, cap, outlen, NULL);
}

int norm_text_map(const char *in, size_t len, char *out, size_t cap,
                  size_t *outlen, size_t *map)
{
    return norm_run(in, len, out, cap, outlen, map);
}
