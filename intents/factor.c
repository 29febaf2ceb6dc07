/* factor.c -- factor_lead (see factor.h): the leading alternation of a word
 * rule as a trie of its plain strings, followed by its other branches and
 * the rest of the pattern unchanged. */
#include "intents/factor.h"

#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/xmalloc.h"

#define FACTOR_HEAD "\\b(?:"

/* Constructs that may make a match depend on the order of the branches. */
static int factor_unsafe(const char *pat)
{
    /* ... and escapes or classes that may swallow a '|', '(' or ')' that
     * the splitter below would take for syntax: \cX, \Q..\E, comments,
     * [:posix:] */
    static const char *const bad[] = {"(*", "(?(", "(?R", "(?&", "(?P>", "(?P=", "\\g", "\\k",
                                      "(?|", "\\c", "\\Q", "(?#", "[:", "[.", "[=", NULL};
    for (int i = 0; bad[i]; i++)
        if (strstr(pat, bad[i]))
            return 1;
    for (const char *p = strstr(pat, "(?"); p; p = strstr(p + 2, "(?")) {
        char c = p[2]; /* only (?: (?= (?! (?> (?<= (?<! (?<name> */
        if (!(c == ':' || c == '=' || c == '!' || c == '>' || c == '<'))
            return 1;
    }
    return 0;
}

/* Offset of the ')' closing the group whose body starts at pat + i, with the
 * offsets of its top-level '|' in bars[] (*nbars of cap); -1 if unbalanced. */
static long factor_group(const char *pat, size_t i, size_t *bars, size_t *nbars, size_t cap)
{
    int depth = 0;
    *nbars = 0;
    for (; pat[i]; i++) {
        char c = pat[i];
        if (c == '\\') {
            if (!pat[++i])
                return -1;
        } else if (c == '[') { /* a class: ']' first is literal */
            i += pat[i + 1] == '^' ? 2 : 1;
            if (pat[i] == ']')
                i++;
            while (pat[i] && pat[i] != ']')
                i += pat[i] == '\\' && pat[i + 1] ? 2 : 1;
            if (!pat[i])
                return -1;
        } else if (c == '(') {
            depth++;
        } else if (c == ')') {
            if (depth-- == 0)
                return (long)i;
        } else if (c == '|' && depth == 0) {
            if (*nbars == cap)
                return -1;
            bars[(*nbars)++] = i;
        }
    }
    return -1;
}

static int factor_plain(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == ' '))
            return 0;
    return n > 0;
}

typedef struct factor_alt {
    const char *s;
    size_t n;
} factor_alt;

static int factor_cmp(const void *a, const void *b)
{
    const factor_alt *x = a, *y = b;
    int c = memcmp(x->s, y->s, x->n < y->n ? x->n : y->n);
    return c ? c : (x->n > y->n) - (x->n < y->n);
}

/* The trie of sorted alts[0..n) from byte depth d on (all share their first
 * d bytes): one branch per next byte, "" for a string that ends here. */
static void factor_trie(buf *b, const factor_alt *alts, size_t n, size_t d)
{
    size_t i = 0, branches = 0;
    int ends = 0;
    while (i < n && alts[i].n == d) { /* sorted: the ones ending here first */
        ends = 1;
        i++;
    }
    for (size_t j = i; j < n; branches++) {
        size_t k = j + 1;
        while (k < n && alts[k].s[d] == alts[j].s[d])
            k++;
        j = k;
    }
    if (branches == 0)
        return;
    int wrap = branches > 1 || ends;
    if (wrap)
        buf_puts(b, "(?:");
    for (size_t j = i, first = 1; j < n; first = 0) {
        size_t k = j + 1;
        while (k < n && alts[k].s[d] == alts[j].s[d])
            k++;
        if (!first)
            buf_putc(b, '|');
        /* the common run of this branch, then its sub-trie */
        size_t run = d + 1;
        for (;; run++) {
            size_t m = j;
            while (m < k && alts[m].n > run && alts[m].s[run] == alts[j].s[run])
                m++;
            if (m < k || alts[j].n <= run)
                break;
        }
        buf_append(b, alts[j].s + d, run - d);
        factor_trie(b, alts + j, k - j, run);
        j = k;
    }
    if (ends)
        buf_putc(b, '|');
    if (wrap)
        buf_putc(b, ')');
}

char *factor_lead(const char *pat)
{
    size_t head = strlen(FACTOR_HEAD), cap = strlen(pat) / 2 + 1, nbars;
    if (strncmp(pat, FACTOR_HEAD, head) != 0 || factor_unsafe(pat))
        return NULL;
    size_t *bars = xmalloc(cap * sizeof *bars);
    long close = factor_group(pat, head, bars, &nbars, cap);
    factor_alt *plain = xmalloc((nbars + 1) * sizeof *plain);
    size_t np = 0;
    buf other = {0};
    for (size_t a = 0; close >= 0 && a <= nbars; a++) {
        size_t st = a ? bars[a - 1] + 1 : head, en = a < nbars ? bars[a] : (size_t)close;
        if (factor_plain(pat + st, en - st)) {
            plain[np++] = (factor_alt){pat + st, en - st};
        } else {
            buf_putc(&other, '|');
            buf_append(&other, pat + st, en - st);
        }
    }
    char *out = NULL;
    if (close >= 0 && np >= FACTOR_MIN) {
        qsort(plain, np, sizeof *plain, factor_cmp);
        size_t u = 0; /* equal strings are one string of the language */
        for (size_t i = 0; i < np; i++)
            if (!u || factor_cmp(&plain[u - 1], &plain[i]) != 0)
                plain[u++] = plain[i];
        buf b = {0};
        buf_puts(&b, FACTOR_HEAD);
        factor_trie(&b, plain, u, 0);
        if (other.len)
            buf_append(&b, other.data, other.len);
        buf_puts(&b, pat + close);
        out = buf_detach(&b, NULL);
    }
    buf_free(&other);
    free(plain);
    free(bars);
    return out;
}
