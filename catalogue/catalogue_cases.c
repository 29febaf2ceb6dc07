/* catalogue_cases.c -- the documents of a procedure split by case: the real
 * records list the papers of several situations in one table ("Trường hợp
 * ủy quyền ...", "Đối với cá nhân ..."), either as a group heading in a
 * document's note or as the start of its name ("Trường hợp trẻ em bị bỏ rơi
 * thì phải có biên bản ..."). A document without such a start is needed in
 * every case. catalogue_cases() finds the cases; catalogue_case_pick() tells
 * which one a question names (docs/procedures.md "Cases"). Computed on
 * demand from the read-only procedure: nothing is stored at load. Most
 * names and notes open no case: a look at their first letters and the
 * normalised form of their first (or, for a heading, last) few words tells
 * them apart before anything longer is normalised (cc_opening,
 * cc_may_end_gom; the same cases as normalising every text, checked on the
 * 2,614 real, the sample and 20,000 generated procedures). */
#include "catalogue/catalogue_int.h"

#include <ctype.h>
#include <math.h>
#include <string.h>

/* Case openings, normalised (no diacritics), longest first. */
static const char *const cc_open[] = {"doi voi truong hop ", "trong truong hop ", "truong hop ",
                                      "doi voi "};
/* Where a case label ends (normalised, with the spaces around). */
static const char *const cc_end[] = {" thi ", " phai ", " ho so ", " can ", " nop ", " gom ",
                                     " mau "};

#define CC_HEAD 48      /* bytes normalised to tell whether a text may open a case */

/* Whether the word at s may normalise to one starting with c ('t', 'd' or
 * 'g', lower case): its first letter is c either case, or, for 'd', "đ",
 * "Đ" or the look-alike "ð", "Ð". A quick test before normalising. */
static int cc_letter(const char *s, char c)
{
    const unsigned char *u = (const unsigned char *)s;
    while (*u && *u < 0x80 && !isalnum(*u))
        u++;
    if ((*u | 0x20) == (unsigned char)c)
        return 1;
    return c == 'd' && ((u[0] == 0xC4 && (u[1] == 0x90 || u[1] == 0x91)) ||
                        (u[0] == 0xC3 && (u[1] == 0x90 || u[1] == 0xB0)));
}

/* Byte offset in raw s just past the n-th word (words split at spaces). */
static size_t cc_raw_words(const char *s, size_t n)
{
    size_t i = 0, w = 0;
    while (s[i] == ' ')
        i++;
    while (s[i] && w < n) {
        while (s[i] && s[i] != ' ')
            i++;
        w++;
        while (w < n && s[i] == ' ')
            i++;
    }
    return i;
}

static size_t cc_count_words(const char *s, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        n += s[i] != ' ' && (i == 0 || s[i - 1] == ' ');
    return n;
}

/* Copy raw s[0..n) into label (cap bytes), trailing commas and spaces off,
 * cut at the last word that fits (with "…"); 0 when nothing is left. */
static int cc_copy(const char *s, size_t n, char *label, size_t cap)
{
    while (n > 0 && (s[n - 1] == ',' || s[n - 1] == ' '))
        n--;
    if (n >= cap) {
        n = cap - 4;
        while (n > 0 && s[n] != ' ')
            n--;
        while (n > 0 && (s[n - 1] == ',' || s[n - 1] == ' '))
            n--;
        if (n == 0)
            return 0;
        memcpy(label, s, n);
        memcpy(label + n, "\xe2\x80\xa6", 4);
        return 1;
    }
    memcpy(label, s, n);
    label[n] = '\0';
    return n > 0;
}

/* A note that heads a group of documents: "Đăng ký tạm trú theo danh sách,
 * hồ sơ gồm" (up to ";" or ":"): the words before "hồ sơ gồm" / "gồm" are
 * the case, unless they start with "hồ sơ", "thành phần" or "giấy tờ" (the
 * documents of everyone). */
/* Whether raw s[0..n) may end with "gồm" (its last word, normalised, is
 * "gom"): normalising the last CC_HEAD bytes, from a word's start, tells
 * most notes apart without normalising all of them. */
static int cc_may_end_gom(const char *s, size_t n)
{
    while (n > 0 && (unsigned char)s[n - 1] < 0x80 && !isalnum((unsigned char)s[n - 1]))
        n--;
    size_t from = n > CC_HEAD ? n - CC_HEAD : 0;
    while (from > 0 && from < n && s[from - 1] != ' ')
        from++;     /* to a word's start (or into the last word: still a filter) */
    size_t last = n;
    while (last > from && s[last - 1] != ' ')
        last--;
    if (!cc_letter(s + last, 'g'))
        return 0;
    char tail[CC_HEAD + 1], norm[CC_HEAD + 16];
    memcpy(tail, s + from, n - from);
    tail[n - from] = '\0';
    if (cat_phrase_norm(tail, norm, sizeof(norm)) < 0)
        return 0;
    size_t len = strlen(norm);
    return len >= 3 && !strcmp(norm + len - 3, "gom") && (len == 3 || norm[len - 4] == ' ');
}

static int cc_heading(const char *s, char *label, size_t cap)
{
    size_t to = strcspn(s, ";:");
    char raw[512], norm[520] = " ";
    size_t n = to < sizeof(raw) - 1 ? to : sizeof(raw) - 1;
    memcpy(raw, s, n);
    raw[n] = '\0';
    if (!cc_may_end_gom(raw, n) || cat_phrase_norm(raw, norm + 1, sizeof(norm) - 2) < 0)
        return 0;
    size_t len = strlen(norm);
    static const char *const ends[] = {" ho so gom", " gom"};
    for (size_t i = 0; i < sizeof(ends) / sizeof(ends[0]); i++) {
        size_t el = strlen(ends[i]);
        if (len < el || strcmp(norm + len - el, ends[i]))
            continue;
        size_t words = cc_count_words(norm, len - el);
        if (!words || !strncmp(norm, " ho so ", 7) || !strncmp(norm, " thanh phan ", 12) ||
            !strncmp(norm, " giay to ", 9))
            return 0;
        return cc_copy(raw, cc_raw_words(raw, words), label, cap);
    }
    return 0;
}

/* Whether s starts like an opening's first word: "tr" ("trong", "trường")
 * or "d"/"đ" and a vowel that may be an "o" ("đối"); any other letter after
 * "d" is ASCII and not "o". */
static int cc_opening_start(const char *s)
{
    const unsigned char *u = (const unsigned char *)s;
    while (*u && *u < 0x80 && !isalnum(*u))
        u++;
    if ((u[0] | 0x20) == 't')
        return (u[1] | 0x20) == 'r';
    if (!cc_letter((const char *)u, 'd'))
        return 0;
    unsigned char next = u[0] < 0x80 ? u[1] : u[2];
    return (next | 0x20) == 'o' || next >= 0xC0;
}

/* The words of the opening s starts with (cc_open), or 0: decided on its
 * first CC_HEAD bytes, cut after a word (normalising is per word, so the
 * head's words normalise as the whole text's do), with a space after them
 * when the text goes on, as the whole text's normalised form would have.
 * Most names and notes are told apart without normalising all of them. */
static size_t cc_opening(const char *s)
{
    if (!cc_opening_start(s))
        return 0;
    char head[CC_HEAD + 1], norm[CC_HEAD + 16];
    size_t n = strnlen(s, CC_HEAD + 1), more = n > CC_HEAD;
    if (more) {
        n = CC_HEAD;
        while (n > 0 && s[n] != ' ')
            n--;    /* after a whole word */
    }
    memcpy(head, s, n);
    head[n] = '\0';
    if (cat_phrase_norm(head, norm, sizeof(norm) - 1) < 0)
        return 0;
    if (more)
        strcat(norm, " ");
    for (size_t i = 0; i < sizeof(cc_open) / sizeof(cc_open[0]); i++)
        if (!strncmp(norm, cc_open[i], strlen(cc_open[i])))
            return cc_count_words(cc_open[i], strlen(cc_open[i]));
    return 0;
}

/* The case label of raw text s into label (raw words, cut at a word and at
 * punctuation), or 0 when s does not open a case. The label keeps the
 * diacritics of s: it is shown. Commas stay ("cấp, cấp đổi, cấp lại thẻ
 * căn cước"), a trailing one goes. */
static int cc_label(const char *s, char *label, size_t cap)
{
    while (*s == '(' || *s == '*' || *s == '-' || *s == ' ')
        s++;
    /* words of the normalised text match the raw words one for one as long
     * as the raw text has no punctuation-only words; labels stop at the
     * first comma, so the opening and the label are plain words */
    size_t open = cc_opening(s);
    if (!open)
        return 0;
    size_t from = cc_raw_words(s, open);
    while (s[from] == ' ')
        from++;
    size_t to = from;
    while (s[to] && !strchr(";:.()", s[to]))
        to++;
    /* cut at an end word ("thì", "phải", "hồ sơ") of the normalised label */
    char lab[512];
    size_t n = to - from < sizeof(lab) - 1 ? to - from : sizeof(lab) - 1;
    memcpy(lab, s + from, n);
    lab[n] = '\0';
    char ln[520] = " ";
    if (cat_phrase_norm(lab, ln + 1, sizeof(ln) - 2) < 0)
        return 0;
    strcat(ln, " ");
    size_t words = cc_count_words(ln, strlen(ln));
    for (size_t i = 0; i < sizeof(cc_end) / sizeof(cc_end[0]); i++) {
        const char *e = strstr(ln, cc_end[i]);
        if (e && cc_count_words(ln, (size_t)(e - ln)) < words)
            words = cc_count_words(ln, (size_t)(e - ln));
    }
    if (words == 0)
        return 0;
    return cc_copy(lab, cc_raw_words(lab, words), label, cap);
}

size_t catalogue_cases(const catalogue_proc *p, catalogue_cases_t *out)
{
    memset(out, 0, sizeof(*out));
    char keys[CATALOGUE_CASES_MAX][CATALOGUE_CASE_LABEL * 2];   /* the labels normalised */
    for (size_t i = 0; p && i < p->ndocs && i < CATALOGUE_CASES_DOCS; i++) {
        char label[CATALOGUE_CASE_LABEL];
        const catalogue_doc *d = &p->docs[i];
        if (!(d->note && (cc_label(d->note, label, sizeof(label)) ||
                          cc_heading(d->note, label, sizeof(label)))) &&
            !cc_label(d->name, label, sizeof(label)))
            continue;
        char key[CATALOGUE_CASE_LABEL * 2];
        if (cat_phrase_norm(label, key, sizeof(key)) < 0)
            continue;
        size_t k = 0;
        while (k < out->n && strcmp(keys[k], key))
            k++;
        if (k == out->n) {
            if (out->n == CATALOGUE_CASES_MAX)
                continue;           /* past the last case: shown with every case */
            memcpy(keys[out->n], key, sizeof(key));
            memcpy(out->label[out->n++], label, sizeof(label));
        }
        out->doc_case[i] = (uint8_t)(k + 1);
    }
    return out->n;
}

/* IDF weight of the label's words that are in question q (both rewritten),
 * leaving out the words of the procedure's name; *all: of every such word. */
static float cc_overlap(const cat_data *d, const char *label, const char *q, const char *name,
                        float *all)
{
    size_t off[CAT_MAX_TEXT_WORDS], len[CAT_MAX_TEXT_WORDS];
    size_t n = cat_tokens(label, off, len, CAT_MAX_TEXT_WORDS);
    float got = 0;
    *all = 0;
    for (size_t i = 0; i < n; i++) {
        char w[64];
        if (len[i] >= sizeof(w))
            continue;
        memcpy(w, label + off[i], len[i]);
        w[len[i]] = '\0';
        if (cat_phrase_at(name, w) >= 0)
            continue;
        long id = cat_word_find(d, w, len[i]);
        /* a word no procedure's text holds is as rare as can be */
        float idf = id >= 0 ? d->words[id].idf : logf(1.0f + (float)d->nprocs);
        *all += idf;
        got += cat_phrase_at(q, w) >= 0 ? idf : 0;
    }
    return got;
}

int catalogue_case_pick(const catalogue *cat, const catalogue_proc *p, const catalogue_cases_t *c,
                        const char *normalised)
{
    if (!cat || !p || !c || !normalised || !c->n)
        return -1;
    const cat_data *d = cat->cur;
    char q[1024], name[1024], label[CATALOGUE_CASE_LABEL * 2];
    if (cat_canon(d->syn, normalised, q, sizeof(q)) < 0 ||
        cat_name_text(d, p, name, sizeof(name)) < 0)
        return -1;
    int best = -1, ties = 0;
    float best_got = 0;
    for (size_t k = 0; k < c->n; k++) {
        float all;
        if (cat_canon(d->syn, c->label[k], label, sizeof(label)) < 0)
            continue;
        float got = cc_overlap(d, label, q, name, &all);
        /* a distinctive word of the case, or half of its words */
        if (got < CATALOGUE_CASE_MIN_IDF && (all <= 0 || got < 0.5f * all))
            continue;
        if (got > best_got + 0.01f) {
            best = (int)k;
            best_got = got;
            ties = 0;
        } else if (got > best_got - 0.01f) {
            ties++;
        }
    }
    return ties ? -1 : best;
}
