/* entities.c -- entity extraction and canonicalisation (see entities.h). */
#include "intents/entities.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/ids.h"
#include "common/xmalloc.h"

enum { ENT_RX_DOSSIER, ENT_RX_COMPLAINT, ENT_RX_PROCEDURE, ENT_RX_SCORE,
       ENT_RX_AFTER, ENT_RX_TRAIL, ENT_RX_BARE, ENT_RX__COUNT };

static const char *const ent_rx_src[ENT_RX__COUNT] = {
    /* dossier: NNN.NN.NN.Xnn or Xnn.N[.N..], then yyMMdd and NNNN */
    ("(?:(?<![0-9.])\\d{3}[-. ]{0,2}\\d{2}[-. ]{0,2}\\d{2}[-. ]{0,2}[a-z][-. ]?\\d{2}"
    "|(?<![0-9a-z.])[a-z]\\d{2}(?:[. ]{1,2}\\d{1,3})+)"
    "[-. _/]{0,3}\\d{6}[-. _/]{0,3}\\d{4}(?![0-9])"),
    "(?<![a-z0-9])pa[-. _]{0,2}\\d{6}[-. _]{0,2}\\d{4,8}(?![0-9])",
    "(?<![0-9.,])\\d[.,]\\d{6}(?![0-9]|[.,]\\d)",
    ("(?<![0-9.,/])([1-5])\\s*(?:sao|diem|stars?|\\*+|/\\s*5|tren\\s*5)(?![a-z0-9])"
    "|\\b(?:diem|so sao|muc|danh gia|dg|cham)\\s*(?:la|duoc|muc|diem|:)?\\s*([1-5])(?![0-9.,/:])"),
    "\\G\\s*[-:,.]?\\s*([1-5])(?![0-9.,/:])",
    "(?<![0-9.,/:-])([1-5])\\s*[.!]*$",
    "^\\s*([1-5])\\s*[.!]*$",
};

struct ent_ctx {
    pcre2_code *rx[ENT_RX__COUNT];
    pcre2_code **likert;  /* score_words patterns, in file order */
    int *likert_score;    /* score of each score_words entry */
    size_t nlikert;
    char **stop;          /* query_stopwords, longest first */
    size_t *stoplen;
    size_t nstop;
};

void ent_free(ent_ctx *e)
{
    if (!e)
        return;
    for (int i = 0; i < ENT_RX__COUNT; i++)
        pcre2_code_free(e->rx[i]);
    for (size_t i = 0; i < e->nlikert; i++)
        pcre2_code_free(e->likert[i]);
    free(e->likert);
    free(e->likert_score);
    for (size_t i = 0; i < e->nstop; i++)
        free(e->stop[i]);
    free(e->stop);
    free(e->stoplen);
    free(e);
}

static int ent_load_scores(ent_ctx *e, json_t *root, const char *file, char *err, size_t errlen)
{
    json_t *arr = json_object_get(root, "score_words");
    if (!arr)
        return 0;
    if (!json_is_array(arr)) {
        snprintf(err, errlen, "%s: score_words: must be an array", file);
        return -1;
    }
    size_t n = json_array_size(arr);
    e->likert = xcalloc(n ? n : 1, sizeof *e->likert);
    e->likert_score = xcalloc(n ? n : 1, sizeof *e->likert_score);
    for (size_t i = 0; i < n; i++) {
        json_t *o = json_array_get(arr, i);
        json_t *p = json_object_get(o, "pattern"), *s = json_object_get(o, "score");
        char jpath[64];
        snprintf(jpath, sizeof jpath, "score_words[%zu].pattern", i);
        if (!json_is_string(p)) {
            snprintf(err, errlen, "%s: %s: missing or not a string", file, jpath);
            return -1;
        }
        pcre2_code *c = rules_compile(json_string_value(p), file, jpath, err, errlen);
        if (!c)
            return -1;
        e->likert[e->nlikert] = c;
        e->likert_score[e->nlikert++] = json_is_integer(s) ? (int)json_integer_value(s) : 0;
        if (!json_is_integer(s) || json_integer_value(s) < 0 || json_integer_value(s) > 5) {
            snprintf(err, errlen, "%s: score_words[%zu].score: must be an integer 0-5", file, i);
            return -1;
        }
    }
    return 0;
}

static int ent_stop_cmp(const void *a, const void *b)
{
    size_t x = strlen(*(char *const *)a), y = strlen(*(char *const *)b);
    return x > y ? -1 : x < y;
}

static int ent_load_stop(ent_ctx *e, json_t *root, const char *file, char *err, size_t errlen)
{
    json_t *arr = json_object_get(root, "query_stopwords");
    if (!arr)
        return 0;
    if (!json_is_array(arr)) {
        snprintf(err, errlen, "%s: query_stopwords: must be an array", file);
        return -1;
    }
    e->stop = xcalloc(json_array_size(arr) + 1, sizeof *e->stop);
    for (size_t i = 0; i < json_array_size(arr); i++) {
        json_t *s = json_array_get(arr, i);
        if (!json_is_string(s) || json_string_length(s) == 0) {
            snprintf(err, errlen, "%s: query_stopwords[%zu]: must be a non-empty string", file, i);
            return -1;
        }
        e->stop[e->nstop++] = xstrdup(json_string_value(s));
    }
    qsort(e->stop, e->nstop, sizeof *e->stop, ent_stop_cmp);
    e->stoplen = xcalloc(e->nstop + 1, sizeof *e->stoplen);
    for (size_t i = 0; i < e->nstop; i++)
        e->stoplen[i] = strlen(e->stop[i]);
    return 0;
}

ent_ctx *ent_load(json_t *root, const char *file, char *err, size_t errlen)
{
    ent_ctx *e = xcalloc(1, sizeof *e);
    for (int i = 0; i < ENT_RX__COUNT; i++) {
        e->rx[i] = rules_compile(ent_rx_src[i], "entities.c", "builtin", err, errlen);
        if (!e->rx[i]) {
            ent_free(e);
            return NULL;
        }
    }
    if (ent_load_scores(e, root, file, err, errlen) < 0 ||
        ent_load_stop(e, root, file, err, errlen) < 0) {
        ent_free(e);
        return NULL;
    }
    return e;
}

static int ent_is_sep(char c)
{
    return c == ' ' || c == '.' || c == '-' || c == '_' || c == '/' || c == ',';
}

static int ent_is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int ent_is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int ent_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!ent_is_digit(s[i]))
            return 0;
    return 1;
}

/* yyMMdd with month 01-12 and day 01-31. */
static int ent_date_ok(const char *d)
{
    int mm = (d[2] - '0') * 10 + (d[3] - '0'), dd = (d[4] - '0') * 10 + (d[5] - '0');
    return mm >= 1 && mm <= 12 && dd >= 1 && dd <= 31;
}

/* Upper-case alphanumerics of s without separators; -1 on anything else. */
static int ent_compact(const char *s, size_t n, char *c, size_t cap, size_t *m)
{
    *m = 0;
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        if (ent_is_sep(ch))
            continue;
        if ((!ent_is_digit(ch) && !ent_is_alpha(ch)) || *m + 1 >= cap)
            return -1;
        c[(*m)++] = (ch >= 'a' && ch <= 'z') ? (char)(ch - 32) : ch;
    }
    c[*m] = '\0';
    return 0;
}

/* Short agency id "Xnn.N[.N..]" from s[0..n) (separators between groups). */
static int ent_short_agency(const char *s, size_t n, char *out, size_t cap)
{
    size_t i = 0, o = 0, groups = 0;
    while (i < n) {
        while (i < n && ent_is_sep(s[i]))
            i++;
        size_t st = i;
        while (i < n && !ent_is_sep(s[i]))
            i++;
        size_t len = i - st;
        if (len == 0)
            break;
        int ok = groups == 0 ? (len == 3 && ent_is_alpha(s[st]) && ent_digits(s + st + 1, 2))
                             : (len <= 3 && ent_digits(s + st, len));
        if (!ok || o + len + 2 >= cap)
            return -1;
        if (groups++)
            out[o++] = '.';
        for (size_t k = 0; k < len; k++) {
            char ch = s[st + k];
            out[o++] = (ch >= 'a' && ch <= 'z') ? (char)(ch - 32) : ch;
        }
    }
    out[o] = '\0';
    return groups >= 2 ? (int)o : -1;
}

/* snprintf-like appending without the format parser: *k counts the whole
 * length, out keeps what fits (NUL-terminated, cap >= 1). */
static void ent_cat(char *out, size_t cap, size_t *k, const char *s, size_t n)
{
    size_t room = *k < cap ? cap - 1 - *k : 0;
    memcpy(out + (*k < cap ? *k : cap - 1), s, n < room ? n : room);
    *k += n;
    out[*k < cap ? *k : cap - 1] = '\0';
}

/* Join parts[0..n) (NUL-terminated, each cut to lens[i]) into out, as
 * snprintf would; 0 if it all fitted, else -1. */
static int ent_join(char *out, size_t cap, const char *const *parts, const size_t *lens, size_t n)
{
    size_t k = 0;
    out[0] = '\0';
    for (size_t i = 0; i < n; i++)
        ent_cat(out, cap, &k, parts[i], strnlen(parts[i], lens[i]));
    return k > 0 && k < cap ? 0 : -1;
}

int ent_dossier_canon(const char *s, size_t n, char *out, size_t cap)
{
    char c[64], agency[40];
    size_t m;
    if (ent_compact(s, n, c, sizeof c, &m) < 0 || m < 13 || !ent_digits(c + m - 10, 10) ||
        !ent_date_ok(c + m - 10))
        return -1;
    if (m == 20 && ent_digits(c, 7) && ent_is_alpha(c[7]) && ent_digits(c + 8, 2)) {
        const char *parts[] = {c, ".", c + 3, ".", c + 5, ".", c + 7, "-", c + 10, "-", c + 16};
        static const size_t lens[] = {3, 1, 2, 1, 2, 1, 3, 1, 6, 1, 4};
        return ent_join(out, cap, parts, lens, 11);
    }
    /* short form: locate where the last ten digits start in s */
    size_t p = n, digits = 0;
    while (p > 0 && digits < 10) {
        p--;
        if (ent_is_digit(s[p]))
            digits++;
    }
    if (ent_short_agency(s, p, agency, sizeof agency) < 0)
        return -1;
    const char *parts[] = {agency, "-", c + m - 10, "-", c + m - 4};
    const size_t lens[] = {sizeof agency, 1, 6, 1, 4};
    return ent_join(out, cap, parts, lens, 5);
}

int ent_complaint_canon(const char *s, size_t n, char *out, size_t cap)
{
    char c[32];
    size_t m;
    if (ent_compact(s, n, c, sizeof c, &m) < 0 || m < 12 || m > 8 + IDS_COMPLAINT_SEQ_MAX ||
        c[0] != 'P' || c[1] != 'A' || !ent_digits(c + 2, m - 2) || !ent_date_ok(c + 2))
        return -1;
    const char *parts[] = {"PA-", c + 2, "-", c + 8};
    const size_t lens[] = {3, 6, 1, m - 8};
    return ent_join(out, cap, parts, lens, 4);
}

int ent_procedure_canon(const char *s, size_t n, char *out, size_t cap)
{
    char c[32];
    size_t m;
    if (ent_compact(s, n, c, sizeof c, &m) < 0 || m != 7 || !ent_digits(c, 7))
        return -1;
    const char *parts[] = {c, ".", c + 1};
    static const size_t lens[] = {1, 1, 6};
    return ent_join(out, cap, parts, lens, 3);
}

/* Digits in s[0..n): 8 bytes at a time (a byte of y = x without its top
 * bits is a digit when y + 0x50 reaches 0x80 and y + 0x46 does not, and x
 * had its top bit clear), then byte by byte. The flags (one bit a byte) are
 * summed by one multiplication: without -mpopcnt __builtin_popcountll is a
 * library call. */
static size_t ent_count_digits(const char *s, size_t n)
{
    const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
    size_t d = 0, i = 0;
    for (uint64_t x; i + 8 <= n; i += 8) {
        memcpy(&x, s + i, 8);
        uint64_t y = x & ~high;
        uint64_t f = ((y + 0x50 * ones) & ~(y + 0x46 * ones) & ~x & high) >> 7;
        d += (size_t)((f * ones) >> 56);
    }
    for (; i < n; i++)
        d += ent_is_digit(s[i]);
    return d;
}

typedef int ent_canon_fn(const char *s, size_t n, char *out, size_t cap);

/* First match of rx in s whose canonical form is valid. */
static int ent_find(pcre2_code *code, ent_canon_fn *canon, rules_rx *rx, const char *s,
                    size_t n, char *out, size_t cap, size_t *end)
{
    size_t start = 0;
    while (start < n && rules_exec(rx, code, s, n, start)) {
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(rx->md);
        if (canon(s + ov[0], ov[1] - ov[0], out, cap) == 0) {
            if (end)
                *end = ov[1];
            return 0;
        }
        start = ov[0] + 1;
    }
    out[0] = '\0';
    return -1;
}

int ent_find_dossier(ent_ctx *e, rules_rx *rx, const char *s, size_t n,
                     char *out, size_t cap, size_t *end)
{
    if (ent_count_digits(s, n) < 13) {
        out[0] = '\0';
        return -1;
    }
    return ent_find(e->rx[ENT_RX_DOSSIER], ent_dossier_canon, rx, s, n, out, cap, end);
}

int ent_find_complaint(ent_ctx *e, rules_rx *rx, const char *s, size_t n, char *out, size_t cap)
{
    if (ent_count_digits(s, n) < 10) {
        out[0] = '\0';
        return -1;
    }
    return ent_find(e->rx[ENT_RX_COMPLAINT], ent_complaint_canon, rx, s, n, out, cap, NULL);
}

int ent_find_procedure(ent_ctx *e, rules_rx *rx, const char *s, size_t n, char *out, size_t cap)
{
    if (ent_count_digits(s, n) < 7) {
        out[0] = '\0';
        return -1;
    }
    return ent_find(e->rx[ENT_RX_PROCEDURE], ent_procedure_canon, rx, s, n, out, cap, NULL);
}

/* Digit captured by the first set group of the last match. */
static int ent_group_digit(rules_rx *rx, const char *s)
{
    PCRE2_SIZE *ov = pcre2_get_ovector_pointer(rx->md);
    uint32_t pairs = pcre2_get_ovector_count(rx->md);
    for (uint32_t g = 1; g < pairs && g < 3; g++)
        if (ov[2 * g] != PCRE2_UNSET)
            return s[ov[2 * g]] - '0';
    return 0;
}

/* The score of the first score_words entry (file order) found anywhere in
 * s: the same answer as one combined "^(?:.*?p0(*MARK:0)|.*?p1...)" match,
 * but each pattern is searched with its own start-byte optimisations. */
static int ent_likert(ent_ctx *e, rules_rx *rx, const char *s, size_t n)
{
    for (size_t i = 0; i < e->nlikert; i++)
        if (rules_exec(rx, e->likert[i], s, n, 0))
            return e->likert_score[i];
    return 0;
}

int ent_find_score(ent_ctx *e, rules_rx *rx, const char *s, size_t n, size_t after, int bare)
{
    int v;
    size_t d = 0;
    while (d < n && (s[d] < '1' || s[d] > '5'))
        d++;
    if (d == n) /* the score patterns all need a digit 1-5 */
        return ent_likert(e, rx, s, n);
    if (rules_exec(rx, e->rx[ENT_RX_SCORE], s, n, 0) && (v = ent_group_digit(rx, s)) > 0)
        return v;
    if (after != (size_t)-1 && after <= n && rules_exec(rx, e->rx[ENT_RX_AFTER], s, n, after))
        return ent_group_digit(rx, s);
    if ((v = ent_likert(e, rx, s, n)) > 0)
        return v;
    if (rules_exec(rx, e->rx[bare ? ENT_RX_BARE : ENT_RX_TRAIL], s, n, 0))
        return ent_group_digit(rx, s);
    return 0;
}

int ent_score_canon(ent_ctx *e, rules_rx *rx, const char *s, size_t n)
{
    int v = ent_find_score(e, rx, s, n, (size_t)-1, 1);
    for (size_t i = 0; v == 0 && i < n; i++)
        if (s[i] >= '1' && s[i] <= '5' && (i + 1 == n || !ent_is_digit(s[i + 1])) &&
            (i == 0 || !ent_is_digit(s[i - 1])))
            v = s[i] - '0';
    return v;
}

/* Length of the stop phrase at w (whole words only), or 0. */
static size_t ent_stop_at(ent_ctx *e, const char *w, size_t left)
{
    for (size_t i = 0; i < e->nstop; i++) {
        size_t k = e->stoplen[i];
        if (k <= left && w[0] == e->stop[i][0] && memcmp(w, e->stop[i], k) == 0 &&
            (k == left || w[k] == ' '))
            return k;
    }
    return 0;
}

char *ent_query(ent_ctx *e, const char *s, size_t n)
{
    char *c = xmalloc(n + 1), *q = xmalloc(n + 1);
    size_t m = 0, o = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        int keep = ent_is_digit((char)ch) || (ch >= 'a' && ch <= 'z') || ch >= 0x80 ||
                   (ch == '.' && i > 0 && i + 1 < n && ent_is_digit(s[i - 1]) && ent_is_digit(s[i + 1]));
        if (keep)
            c[m++] = (char)ch;
        else if (m && c[m - 1] != ' ')
            c[m++] = ' ';
    }
    while (m && c[m - 1] == ' ')
        m--;
    for (size_t i = 0; i < m;) {
        size_t k = ent_stop_at(e, c + i, m - i);
        if (k == 0) {
            if (o)
                q[o++] = ' ';
            while (i < m && c[i] != ' ')
                q[o++] = c[i++];
        } else {
            i += k;
        }
        while (i < m && c[i] == ' ')
            i++;
    }
    free(c);
    q[o] = '\0';
    if (o == 0) {
        free(q);
        return NULL;
    }
    return q;
}
