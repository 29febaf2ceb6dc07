/* catalogue_qualifiers.c -- the qualifiers of config/synonyms.json beyond the
 * words themselves (docs/catalogue.md "Synonyms"):
 *
 *   "qualifier_words"  {"qualifier": [phrases]}: a phrase that names the
 *                      qualifier in other words, in a question and in a
 *                      procedure's name or aliases alike ("công ty" is a
 *                      "doanh nghiệp"; "cho nhân viên" means the one who
 *                      "trả thu nhập" files);
 *   "field_qualifiers" {"field": [qualifiers]}: every procedure of that field
 *                      holds them (the police's own "Chính sách" field is for
 *                      "công an nhân dân" although its names do not say so).
 *
 * Both name qualifiers of the "qualifiers" list (an unknown one is an
 * error naming its JSON path). The masks are the bits of that list, so the
 * ranking (catalogue_search.c cs_marks) is unchanged: a qualifier on one side
 * only lowers the rank. */
#include "catalogue/catalogue_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/xmalloc.h"

/* Index of canonical qualifier s in y's list, or -1. */
static long cq_index(const cat_syn *y, const char *raw)
{
    char s[512];
    if (cat_canon(y, raw, s, sizeof(s)) < 0)
        return -1;
    for (size_t i = 0; i < y->nqualifiers && i < CAT_MAX_MARKS; i++)
        if (!strcmp(y->qualifiers[i], s))
            return (long)i;
    return -1;
}

static int cq_unknown(const char *file, const char *path, const char *q, char *err, size_t errlen)
{
    snprintf(err, errlen, "%s: %s: \"%s\" is not one of \"qualifiers\"", file, path, q);
    return -1;
}

static int cq_load_words(cat_syn *y, json_t *v, const char *file, char *err, size_t errlen)
{
    const char *q;
    json_t *list;
    if (!json_is_object(v)) {
        snprintf(err, errlen, "%s: qualifier_words: expected an object (qualifier: [phrases])", file);
        return -1;
    }
    json_object_foreach(v, q, list) {
        char path[160];
        snprintf(path, sizeof(path), "qualifier_words.%.120s", q);
        long bit = cq_index(y, q);
        if (bit < 0)
            return cq_unknown(file, path, q, err, errlen);
        size_t n;
        char **w = cat_strv_load(y, list, &n, file, path, err, errlen);
        if (!w)
            return -1;
        y->qual_words = xrealloc(y->qual_words, (y->nqual_words + n + 1) * sizeof(char *));
        y->qual_bit = xrealloc(y->qual_bit, (y->nqual_words + n + 1));
        for (size_t i = 0; i < n; i++) {
            y->qual_words[y->nqual_words] = w[i];
            y->qual_bit[y->nqual_words++] = (uint8_t)bit;
        }
        free(w);    /* the phrases now belong to qual_words */
    }
    return 0;
}

static int cq_load_fields(cat_syn *y, json_t *v, const char *file, char *err, size_t errlen)
{
    const char *field;
    json_t *list;
    if (!json_is_object(v)) {
        snprintf(err, errlen, "%s: field_qualifiers: expected an object (field: [qualifiers])", file);
        return -1;
    }
    y->qual_fields = xcalloc(json_object_size(v) + 1, sizeof(char *));
    y->qual_field_mask = xcalloc(json_object_size(v) + 1, sizeof(uint64_t));
    json_object_foreach(v, field, list) {
        char path[160], text[512];
        snprintf(path, sizeof(path), "field_qualifiers.%.120s", field);
        if (!json_is_array(list) || cat_canon(y, field, text, sizeof(text)) < 0) {
            snprintf(err, errlen, "%s: %s: expected a field and an array of qualifiers", file, path);
            return -1;
        }
        uint64_t m = 0;
        for (size_t i = 0; i < json_array_size(list); i++) {
            const char *q = json_string_value(json_array_get(list, i));
            long bit = q ? cq_index(y, q) : -1;
            if (bit < 0) {
                snprintf(path + strlen(path), sizeof(path) - strlen(path), "[%zu]", i);
                return cq_unknown(file, path, q ? q : "(not a string)", err, errlen);
            }
            m |= (uint64_t)1 << bit;
        }
        y->qual_fields[y->nqual_fields] = xstrdup(text);
        y->qual_field_mask[y->nqual_fields++] = m;
    }
    return 0;
}

int cat_qual_load(cat_syn *y, json_t *root, const char *file, char *err, size_t errlen)
{
    json_t *words = json_object_get(root, "qualifier_words");
    json_t *fields = json_object_get(root, "field_qualifiers");
    if (words && cq_load_words(y, words, file, err, errlen) < 0)
        return -1;
    if (fields && cq_load_fields(y, fields, file, err, errlen) < 0)
        return -1;
    return 0;
}

void cat_qual_free(cat_syn *y)
{
    if (!y)
        return;
    cat_strv_free(y->qual_words, y->nqual_words);
    free(y->qual_bit);
    for (size_t i = 0; i < y->nqual_fields; i++)
        free(y->qual_fields[i]);
    free(y->qual_fields);
    free(y->qual_field_mask);
}

uint64_t cat_qual_mask(const cat_syn *y, const cat_text *t)
{
    if (!y)
        return 0;
    uint64_t m = cat_plist_mask(&y->qualifiers_idx, t, y->qualifiers, y->nqualifiers);
    for (size_t i = 0; i < y->nqual_words; i++)
        if (!(m >> y->qual_bit[i] & 1) && cat_text_at(t, y->qual_words[i]) >= 0)
            m |= (uint64_t)1 << y->qual_bit[i];
    return m;
}

uint64_t cat_qual_mask_s(const cat_syn *y, const char *s)
{
    cat_text t;
    cat_text_init(&t, s);
    return cat_qual_mask(y, &t);
}

uint64_t cat_qual_field(const cat_syn *y, const char *field)
{
    for (size_t i = 0; y && i < y->nqual_fields; i++)
        if (!strcmp(y->qual_fields[i], field))
            return y->qual_field_mask[i];
    return 0;
}
