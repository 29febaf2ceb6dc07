/* catalogue_synonyms.c -- the citizens' vocabulary of config/synonyms.json
 * (docs/catalogue.md "Synonyms"), applied to the catalogue's texts at index
 * time and to every question:
 *
 *   "same"        canonical term -> variants: every variant found as whole
 *                 words is replaced by its term, in names, aliases, fields
 *                 and questions alike (cccd, cmnd -> căn cước; bằng lái,
 *                 gplx -> giấy phép lái xe; ko -> không; bn -> bao nhiêu);
 *   "also"        a phrase (and optionally one of "with") found in a
 *                 question adds search words at a lower weight (mất ->
 *                 cấp lại; nhập khẩu + vợ -> đăng ký thường trú);
 *   "actions"     the exceptional actions (cấp lại, thu hồi, gia hạn...):
 *                 a name starting with one the question does not name ranks
 *                 lower (a question naming none means the plain procedure);
 *   "objects"     what procedures are about (căn cước, hộ chiếu): a name
 *                 with none of the question's objects ranks lower;
 *   "qualifiers"  whom or which sector a procedure is for (nước ngoài, thủy
 *                 sản): each one in the name or the question but not in
 *                 both lowers the rank;
 *   "level_marks" the "(thực hiện tại cấp tỉnh)" marks that tell level
 *                 variants of one procedure apart (catalogue_group.c);
 *   "levels"      words of a question that name a level (ở xã, cấp tỉnh);
 *   "outside"     topics whose job is not the catalogue's (ly hôn -> the
 *                 court), each a messages key procedure_info.outside.<name>.
 *
 * Everything is normalised with norm_text() at load, so phrases may be
 * written with or without diacritics. The rewriting is greedy, longest
 * phrase first, and allocation-free on the request path. */
#include "catalogue/catalogue_int.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/xmalloc.h"
#include "intents/normalize.h"

#define CSY_MAX_WORDS 12    /* longest variant phrase, in words */

static const char *const csy_levels[CAT_NLEVELS] = {"xa", "huyen", "tinh", "bo"};

int cat_level_rank(const char *level)
{
    for (int i = 0; level && i < CAT_NLEVELS; i++)
        if (!strcmp(level, csy_levels[i]))
            return i;
    return CAT_NLEVELS - 1;
}

const char *cat_level_name(int rank)
{
    return rank >= 0 && rank < CAT_NLEVELS ? csy_levels[rank] : "";
}

/* Normalised words of s joined by one space into out; 0, or -1 if empty. */
int cat_phrase_norm(const char *s, char *out, size_t cap)
{
    size_t len = strlen(s), off[CAT_MAX_TEXT_WORDS], lens[CAT_MAX_TEXT_WORDS], o = 0;
    char *tmp = xmalloc(len + 1);
    out[0] = '\0';
    if (norm_text(s, len, tmp, len + 1, NULL) < 0) {
        free(tmp);
        return -1;
    }
    size_t n = cat_tokens(tmp, off, lens, CAT_MAX_TEXT_WORDS);
    for (size_t i = 0; i < n && o + lens[i] + 2 < cap; i++) {
        if (o)
            out[o++] = ' ';
        memcpy(out + o, tmp + off[i], lens[i]);
        o += lens[i];
    }
    out[o] = '\0';
    free(tmp);
    return o ? 0 : -1;
}

static uint32_t csy_hash(const char *s, size_t n)
{
    uint32_t h = CAT_HASH_INIT;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h;
}

static long csy_find(const cat_syn *y, const char *s, size_t n)
{
    if (!y->cap)
        return -1;
    for (size_t k = csy_hash(s, n) & (y->cap - 1); y->tab[k]; k = (k + 1) & (y->cap - 1)) {
        const char *f = y->from[y->tab[k] - 1];
        if (strlen(f) == n && !memcmp(f, s, n))
            return (long)y->tab[k] - 1;
    }
    return -1;
}

static void csy_rehash(cat_syn *y, size_t cap)
{
    free(y->tab);
    y->tab = xcalloc(cap, sizeof(*y->tab));
    y->cap = cap;
    for (size_t i = 0; i < y->nsame; i++) {
        size_t k = csy_hash(y->from[i], strlen(y->from[i])) & (cap - 1);
        while (y->tab[k])
            k = (k + 1) & (cap - 1);
        y->tab[k] = (uint32_t)i + 1;
    }
}

/* The longest variant (in words) starting with word w (n bytes), or 0. */
static size_t csy_first_get(const cat_syn *y, const char *w, size_t n)
{
    if (!y->first_cap)
        return 0;
    for (size_t k = csy_hash(w, n) & (y->first_cap - 1); y->first_tab[k];
         k = (k + 1) & (y->first_cap - 1)) {
        const char *f = y->first[y->first_tab[k] - 1];
        if (strlen(f) == n && !memcmp(f, w, n))
            return y->first_max[y->first_tab[k] - 1];
    }
    return 0;
}

static void csy_first_slot(cat_syn *y, size_t i)
{
    size_t k = csy_hash(y->first[i], strlen(y->first[i])) & (y->first_cap - 1);
    while (y->first_tab[k])
        k = (k + 1) & (y->first_cap - 1);
    y->first_tab[k] = (uint32_t)i + 1;
}

/* Note that a variant of `words` words starts with the first word of v. */
static void csy_first_put(cat_syn *y, const char *v, size_t words)
{
    size_t n = strcspn(v, " ");
    for (size_t k = y->first_cap ? csy_hash(v, n) & (y->first_cap - 1) : 0;
         y->first_cap && y->first_tab[k]; k = (k + 1) & (y->first_cap - 1)) {
        size_t i = y->first_tab[k] - 1;
        if (strlen(y->first[i]) == n && !memcmp(y->first[i], v, n)) {
            if (words > y->first_max[i])
                y->first_max[i] = (uint8_t)words;
            return;
        }
    }
    y->first = xrealloc(y->first, (y->nfirst + 1) * sizeof(*y->first));
    y->first_max = xrealloc(y->first_max, y->nfirst + 1);
    y->first[y->nfirst] = xstrndup(v, n);
    y->first_max[y->nfirst++] = (uint8_t)words;
    if (y->nfirst * 2 > y->first_cap) {
        free(y->first_tab);
        y->first_cap = y->first_cap ? y->first_cap * 2 : 256;
        y->first_tab = xcalloc(y->first_cap, sizeof(*y->first_tab));
        for (size_t i = 0; i < y->nfirst; i++)
            csy_first_slot(y, i);
    } else {
        csy_first_slot(y, y->nfirst - 1);
    }
}

/* Record variant -> canon; -1 (with err) when the variant is already taken. */
static int csy_add_same(cat_syn *y, const char *variant, const char *canon, char *err, size_t errlen)
{
    long f = csy_find(y, variant, strlen(variant));
    if (f >= 0) {
        if (!strcmp(y->to[f], canon))
            return 0;
        snprintf(err, errlen, !strcmp(y->from[f], y->to[f]) ? "\"%s\" is a term of its own"
                                                             : "\"%s\" is already a variant of \"%s\"",
                 variant, y->to[f]);
        return -1;
    }
    size_t words = 1;
    for (const char *p = variant; *p; p++)
        words += *p == ' ';
    if (words > CSY_MAX_WORDS) {
        snprintf(err, errlen, "\"%s\": at most %d words", variant, CSY_MAX_WORDS);
        return -1;
    }
    y->from = xrealloc(y->from, (y->nsame + 1) * sizeof(*y->from));
    y->to = xrealloc(y->to, (y->nsame + 1) * sizeof(*y->to));
    y->from[y->nsame] = xstrdup(variant);
    y->to[y->nsame] = xstrdup(canon);
    y->nsame++;
    if (y->nsame * 2 > y->cap)
        csy_rehash(y, y->cap ? y->cap * 2 : 256);
    else {
        size_t k = csy_hash(variant, strlen(variant)) & (y->cap - 1);
        while (y->tab[k])
            k = (k + 1) & (y->cap - 1);
        y->tab[k] = (uint32_t)y->nsame;
    }
    if (words > y->maxwords)
        y->maxwords = words;
    csy_first_put(y, variant, words);
    return 0;
}

/* Join n tokens of s starting at token i into key; its length. */
static size_t csy_key(const char *s, const size_t *off, const size_t *len, size_t i, size_t n,
                      char *key, size_t cap)
{
    size_t o = 0;
    for (size_t k = i; k < i + n; k++) {
        if (o + len[k] + 2 > cap)
            return 0;
        if (o)
            key[o++] = ' ';
        memcpy(key + o, s + off[k], len[k]);
        o += len[k];
    }
    key[o] = '\0';
    return o;
}

void cat_syn_rewrite(const cat_syn *y, const char *s, char *out, size_t cap)
{
    size_t off[CAT_MAX_TEXT_WORDS], len[CAT_MAX_TEXT_WORDS], o = 0;
    size_t n = cat_tokens(s, off, len, CAT_MAX_TEXT_WORDS);
    char key[256];
    out[0] = '\0';
    for (size_t i = 0; i < n;) {
        const char *w = s + off[i];
        size_t wl = len[i], step = 1;
        size_t most = y ? csy_first_get(y, w, wl) : 0;    /* no variant starts here: 0 */
        for (size_t k = most < n - i ? most : n - i; k >= 1; k--) {
            size_t kl = csy_key(s, off, len, i, k, key, sizeof(key));
            long f = kl ? csy_find(y, key, kl) : -1;
            if (f >= 0) {
                w = y->to[f];
                wl = strlen(w);
                step = k;
                break;
            }
        }
        if (o + wl + 2 > cap)
            break;
        if (o)
            out[o++] = ' ';
        memcpy(out + o, w, wl);
        o += wl;
        out[o] = '\0';
        i += step;
    }
}

/* Offset of phrase p as whole words in s (words one space apart), or -1. */
long cat_phrase_at(const char *s, const char *p)
{
    size_t n = strlen(p), slen = strlen(s);
    for (const char *at = s; n && (at = strstr(at, p)) != NULL; at++) {
        size_t o = (size_t)(at - s);
        if ((o == 0 || s[o - 1] == ' ') && (o + n == slen || s[o + n] == ' '))
            return (long)o;
    }
    return -1;
}

/* FNV-1a of the first word of p (up to a space), or of its first two
 * words (words = 2; 256 when p has one word only). */
static unsigned csy_bit(const char *p, int words)
{
    uint32_t h = CAT_HASH_INIT;
    for (; *p && (*p != ' ' || --words > 0); p++)
        h = (h ^ (unsigned char)*p) * 16777619u;
    if (words > 1)
        return 256;
    return (h ^ (h >> 16)) & 255;
}

static unsigned csy_first_bit(const char *p)
{
    return csy_bit(p, 1);
}

static void csy_set(uint64_t *sig, unsigned b)
{
    sig[b >> 6] |= (uint64_t)1 << (b & 63);
}

void cat_text_init(cat_text *t, const char *s)
{
    t->s = s;
    memset(t->sig, 0, sizeof(t->sig));
    memset(t->sig2, 0, sizeof(t->sig2));
    for (const char *w = s; *w;) {
        csy_set(t->sig, csy_bit(w, 1));
        unsigned b2 = csy_bit(w, 2);
        if (b2 < 256)
            csy_set(t->sig2, b2);
        w = strchr(w, ' ');
        if (!w)
            break;
        w++;
    }
}

#define CSY_HDR CAT_PHRASE_HDR

char *cat_phrase_new(const char *s)
{
    size_t n = strlen(s);
    unsigned char *p = xmalloc(CSY_HDR + n + 1);
    memset(p, 0, CSY_HDR);
    unsigned b2 = csy_bit(s, 2);
    p[0] = (unsigned char)csy_first_bit(s);
    p[1] = (unsigned char)(b2 & 255);
    p[2] = b2 < 256;    /* has a second word */
    memcpy(p + CSY_HDR, s, n + 1);
    return (char *)p + CSY_HDR;
}

void cat_phrase_free(char *p)
{
    if (p)
        free(p - CSY_HDR);
}

int cat_text_any(const cat_text *t, char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (cat_text_at(t, list[i]) >= 0)
            return 1;
    return 0;
}

uint64_t cat_text_mask(const cat_text *t, char *const *list, size_t n)
{
    uint64_t m = 0;
    for (size_t i = 0; i < n && i < CAT_MAX_MARKS; i++)
        if (cat_text_at(t, list[i]) >= 0)
            m |= (uint64_t)1 << i;
    return m;
}

uint64_t cat_phrase_mask(const char *s, char *const *list, size_t n)
{
    uint64_t m = 0;
    for (size_t i = 0; i < n && i < CAT_MAX_MARKS; i++)
        if (cat_phrase_at(s, list[i]) >= 0)
            m |= (uint64_t)1 << i;
    return m;
}

int cat_phrase_any(const char *s, char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (cat_phrase_at(s, list[i]) >= 0)
            return 1;
    return 0;
}

void cat_syn_free(cat_syn *y)
{
    if (!y)
        return;
    for (size_t i = 0; i < y->nsame; i++) {
        free(y->from[i]);
        free(y->to[i]);
    }
    for (size_t i = 0; i < y->nalso; i++) {
        cat_strv_free(y->also[i].when, y->also[i].nwhen);
        cat_strv_free(y->also[i].with, y->also[i].nwith);
        cat_strv_free(y->also[i].unless, y->also[i].nunless);
        free(y->also[i].add);
    }
    for (int l = 0; l < CAT_NLEVELS; l++)
        cat_strv_free(y->level_words[l], y->nlevel_words[l]);
    for (size_t i = 0; i < y->noutside; i++) {
        free(y->outside[i].name);
        cat_strv_free(y->outside[i].when, y->outside[i].nwhen);
    }
    cat_strv_free(y->marks, y->nmarks);
    for (size_t i = 0; i < y->nfirst; i++)
        free(y->first[i]);
    free(y->first);
    free(y->first_max);
    free(y->first_tab);
    cat_strv_free(y->actions, y->nactions);
    cat_strv_free(y->objects, y->nobjects);
    cat_strv_free(y->qualifiers, y->nqualifiers);
    cat_plist_free(&y->actions_idx);
    cat_plist_free(&y->objects_idx);
    cat_plist_free(&y->qualifiers_idx);
    cat_qual_free(y);
    free(y->from);
    free(y->to);
    free(y->tab);
    free(y->also);
    free(y->outside);
    free(y);
}

/* ---- loading ---- */
void cat_strv_free(char **v, size_t n)
{
    for (size_t i = 0; v && i < n; i++)
        cat_phrase_free(v[i]);
    free(v);
}

int cat_canon(const cat_syn *y, const char *s, char *out, size_t cap)
{
    char tmp[512];
    if (cat_phrase_norm(s, tmp, sizeof(tmp)) < 0)
        return -1;
    cat_syn_rewrite(y, tmp, out, cap);
    return out[0] ? 0 : -1;
}

/* The strings of array v, normalised and rewritten by y ("same"); NULL with
 * err (naming path) when v is not an array of non-empty strings. */
char **cat_strv_load(const cat_syn *y, json_t *v, size_t *n, const char *file, const char *path,
                     char *err, size_t errlen)
{
    *n = 0;
    if (!json_is_array(v)) {
        snprintf(err, errlen, "%s: %s: expected an array of strings", file, path);
        return NULL;
    }
    char **out = xcalloc(json_array_size(v) + 1, sizeof(*out));
    for (size_t i = 0; i < json_array_size(v); i++) {
        const char *s = json_string_value(json_array_get(v, i));
        char buf[512];
        if (!s || strlen(s) >= 256 || cat_canon(y, s, buf, sizeof(buf)) < 0) {
            snprintf(err, errlen, "%s: %s[%zu]: expected a non-empty string (at most 255 bytes)",
                     file, path, i);
            cat_strv_free(out, *n);
            return NULL;
        }
        out[(*n)++] = cat_phrase_new(buf);
    }
    return out;
}

static int csy_load_same(cat_syn *y, json_t *same, const char *file, char *err, size_t errlen)
{
    const char *canon_raw;
    json_t *list;
    if (!same)
        return 0;
    if (!json_is_object(same)) {
        snprintf(err, errlen, "%s: same: expected an object (term: [variants])", file);
        return -1;
    }
    json_object_foreach(same, canon_raw, list) {
        char canon[256], v[256], why[320];
        if (cat_phrase_norm(canon_raw, canon, sizeof(canon)) < 0 || !json_is_array(list)) {
            snprintf(err, errlen, "%s: same.%s: expected a term and an array of variants", file,
                     canon_raw);
            return -1;
        }
        /* the term maps to itself, so that a longer term beats a shorter
         * variant inside it ("lý lịch tư pháp" is not "lý lịch" + "tư pháp") */
        if (csy_add_same(y, canon, canon, why, sizeof(why)) < 0) {
            snprintf(err, errlen, "%s: same.%s: %s", file, canon_raw, why);
            return -1;
        }
        for (size_t i = 0; i < json_array_size(list); i++) {
            const char *s = json_string_value(json_array_get(list, i));
            if (!s || strlen(s) >= 200 || cat_phrase_norm(s, v, sizeof(v)) < 0) {
                snprintf(err, errlen, "%s: same.%s[%zu]: expected a non-empty string", file,
                         canon_raw, i);
                return -1;
            }
            if (strcmp(v, canon) && csy_add_same(y, v, canon, why, sizeof(why)) < 0) {
                snprintf(err, errlen, "%s: same.%s[%zu]: %s", file, canon_raw, i, why);
                return -1;
            }
        }
    }
    return 0;
}

static int csy_load_also(cat_syn *y, json_t *also, const char *file, char *err, size_t errlen)
{
    if (!also)
        return 0;
    if (!json_is_array(also)) {
        snprintf(err, errlen, "%s: also: expected an array of {when, with, add}", file);
        return -1;
    }
    y->also = xcalloc(json_array_size(also) + 1, sizeof(*y->also));
    for (size_t i = 0; i < json_array_size(also); i++) {
        json_t *r = json_array_get(also, i), *with = json_object_get(r, "with");
        json_t *unless = json_object_get(r, "unless");
        json_t *w = json_object_get(r, "weight");
        cat_syn_also *a = &y->also[y->nalso++];
        char path[64], add[512];
        snprintf(path, sizeof(path), "also[%zu].when", i);
        if (!(a->when = cat_strv_load(y, json_object_get(r, "when"), &a->nwhen, file, path, err,
                                      errlen)))
            return -1;
        snprintf(path, sizeof(path), "also[%zu].with", i);
        if (with && !(a->with = cat_strv_load(y, with, &a->nwith, file, path, err, errlen)))
            return -1;
        snprintf(path, sizeof(path), "also[%zu].unless", i);
        if (unless && !(a->unless = cat_strv_load(y, unless, &a->nunless, file, path, err, errlen)))
            return -1;
        const char *s = json_string_value(json_object_get(r, "add"));
        a->weight = w ? (float)json_number_value(w) : 0.7f;
        if (!s || cat_canon(y, s, add, sizeof(add)) < 0 || a->weight <= 0 || a->weight > 1) {
            snprintf(err, errlen, "%s: also[%zu]: needs \"add\" (words) and a weight in (0, 1]",
                     file, i);
            return -1;
        }
        a->add = xstrdup(add);
        for (size_t k = 0; k < a->nwhen; k++) {  /* a question holding none of these skips the rule */
            unsigned b = ((const unsigned char *)a->when[k] - CSY_HDR)[0];
            a->wsig[b >> 6] |= (uint64_t)1 << (b & 63);
        }
    }
    return 0;
}

static int csy_load_named(cat_syn *y, json_t *root, const char *file, char *err, size_t errlen)
{
    json_t *levels = json_object_get(root, "levels"), *outside = json_object_get(root, "outside");
    json_t *marks = json_object_get(root, "level_marks");
    if (marks && !(y->marks = cat_strv_load(NULL, marks, &y->nmarks, file, "level_marks", err,
                                            errlen)))
        return -1;
    static const char *const keys[] = {"actions", "objects", "qualifiers"};
    char **(*lists[]) = {&y->actions, &y->objects, &y->qualifiers};
    size_t *counts[] = {&y->nactions, &y->nobjects, &y->nqualifiers};
    for (int k = 0; k < 3; k++) {
        json_t *v = json_object_get(root, keys[k]);
        if (v && !(*lists[k] = cat_strv_load(y, v, counts[k], file, keys[k], err, errlen)))
            return -1;
        if (*counts[k] > CAT_MAX_MARKS) {
            snprintf(err, errlen, "%s: %s: at most %d phrases", file, keys[k], CAT_MAX_MARKS);
            return -1;
        }
    }
    for (int l = 0; levels && l < CAT_NLEVELS; l++) {
        json_t *v = json_object_get(levels, csy_levels[l]);
        char path[32];
        snprintf(path, sizeof(path), "levels.%s", csy_levels[l]);
        if (v && !(y->level_words[l] = cat_strv_load(y, v, &y->nlevel_words[l], file, path, err,
                                                     errlen)))
            return -1;
    }
    const char *name;
    json_t *v;
    if (outside && !json_is_object(outside)) {
        snprintf(err, errlen, "%s: outside: expected an object (name: [phrases])", file);
        return -1;
    }
    y->outside = xcalloc(json_object_size(outside) + 1, sizeof(*y->outside));
    json_object_foreach(outside, name, v) {
        cat_syn_outside *o = &y->outside[y->noutside++];
        char path[96];
        snprintf(path, sizeof(path), "outside.%.80s", name);
        o->name = xstrdup(name);
        if (!(o->when = cat_strv_load(y, v, &o->nwhen, file, path, err, errlen)))
            return -1;
    }
    return 0;
}

cat_syn *cat_syn_load(const char *path, char *err, size_t errlen)
{
    json_error_t jerr;
    json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
    if (!root) {
        snprintf(err, errlen, "%s: line %d, column %d: %s", path, jerr.line, jerr.column, jerr.text);
        return NULL;
    }
    cat_syn *y = xcalloc(1, sizeof(*y));
    int rc = json_is_object(root) ? 0 : -1;
    if (rc < 0)
        snprintf(err, errlen, "%s: expected an object", path);
    if (rc == 0)
        rc = csy_load_same(y, json_object_get(root, "same"), path, err, errlen);
    if (rc == 0)
        rc = csy_load_also(y, json_object_get(root, "also"), path, err, errlen);
    if (rc == 0)
        rc = csy_load_named(y, root, path, err, errlen);
    if (rc == 0)
        rc = cat_qual_load(y, root, path, err, errlen);
    if (rc == 0) {
        cat_plist_build(&y->actions_idx, y->actions, y->nactions);
        cat_plist_build(&y->objects_idx, y->objects, y->nobjects);
        cat_plist_build(&y->qualifiers_idx, y->qualifiers, y->nqualifiers);
    }
    for (size_t i = 0; rc == 0 && i < y->nalso; i++) {   /* the key phrases of each addition */
        cat_syn_also *a = &y->also[i];
        a->actions = cat_phrase_mask(a->add, y->actions, y->nactions);
        a->objects = cat_phrase_mask(a->add, y->objects, y->nobjects);
        a->qualifiers = cat_qual_mask_s(y, a->add);
    }
    json_decref(root);
    if (rc < 0) {
        cat_syn_free(y);
        return NULL;
    }
    return y;
}
