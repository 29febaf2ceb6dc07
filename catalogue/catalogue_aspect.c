/* catalogue_aspect.c -- which aspect of a procedure a question asks about
 * (documents, fee, time, where, online, steps, conditions, legal basis,
 * result, forms), from keyword phrases kept as
 * data in config/procedure-aspects.json (files.procedure_aspects):
 *
 *   {"aspects": {"fee": ["le phi", "bao nhieu tien", ...], ...}}
 *
 * Phrases are normalised with norm_text() at load, so they may be written
 * with or without diacritics; they match as whole words. */
#include "catalogue/catalogue_int.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/xmalloc.h"

static const char *const ca_names[CATALOGUE_ASPECT__COUNT] = {
    "overview", "documents", "fee", "time", "where", "online", "steps", "conditions", "legal", "result",
    "forms",
};

const char *catalogue_aspect_name(catalogue_aspect a)
{
    return (unsigned)a < CATALOGUE_ASPECT__COUNT ? ca_names[a] : "overview";
}

int catalogue_aspect_from_name(const char *name)
{
    for (int i = 0; name && i < CATALOGUE_ASPECT__COUNT; i++)
        if (!strcmp(name, ca_names[i]))
            return i;
    return -1;
}

void cat_aspects_free(cat_aspects *a)
{
    if (!a)
        return;
    for (size_t i = 0; i < a->n; i++)
        cat_phrase_free(a->phrase[i]);
    free(a->phrase);
    free(a->len);
    free(a->aspect);
    cat_strv_free(a->question, a->nquestion);
    cat_plist_free(&a->phrase_idx);
    cat_plist_free(&a->question_idx);
    free(a->synonyms);
    free(a);
}

static int ca_add(cat_aspects *a, size_t *cap, json_t *v, catalogue_aspect asp, const cat_syn *y)
{
    const char *s = json_string_value(v);
    char buf[512];
    if (!s || strlen(s) >= 256 || cat_canon(y, s, buf, sizeof(buf)) < 0)
        return -1;
    size_t n = strlen(buf);
    if (a->n == *cap) {
        *cap = *cap ? *cap * 2 : 64;
        a->phrase = xrealloc(a->phrase, *cap * sizeof(*a->phrase));
        a->len = xrealloc(a->len, *cap * sizeof(*a->len));
        a->aspect = xrealloc(a->aspect, *cap * sizeof(*a->aspect));
    }
    /* keep longest first, so detection and stripping prefer long phrases */
    size_t i = a->n++;
    while (i > 0 && a->len[i - 1] < n) {
        a->phrase[i] = a->phrase[i - 1];
        a->len[i] = a->len[i - 1];
        a->aspect[i] = a->aspect[i - 1];
        i--;
    }
    a->phrase[i] = cat_phrase_new(buf);
    a->len[i] = n;
    a->aspect[i] = asp;
    return 0;
}

static int ca_longer(const void *x, const void *y)
{
    size_t a = strlen(*(char *const *)x), b = strlen(*(char *const *)y);
    return a < b ? 1 : a > b ? -1 : 0;
}

int cat_aspects_synonyms(const char *path, char **out, char *err, size_t errlen)
{
    json_error_t jerr;
    json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
    *out = NULL;
    if (!root) {
        snprintf(err, errlen, "%s: line %d, column %d: %s", path, jerr.line, jerr.column, jerr.text);
        return -1;
    }
    json_t *v = json_object_get(root, "synonyms");
    int rc = 0;
    if (v && (!json_is_string(v) || !*json_string_value(v))) {
        snprintf(err, errlen, "%s: synonyms: expected a file name", path);
        rc = -1;
    } else if (v) {
        const char *name = json_string_value(v), *slash = strrchr(path, '/');
        size_t dir = name[0] == '/' || !slash ? 0 : (size_t)(slash - path + 1);
        *out = xmalloc(dir + strlen(name) + 1);
        memcpy(*out, path, dir);
        strcpy(*out + dir, name);
    }
    json_decref(root);
    return rc;
}

cat_aspects *cat_aspects_load(const char *path, const cat_syn *y, char *err, size_t errlen)
{
    json_error_t jerr;
    json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
    if (!root) {
        snprintf(err, errlen, "%s: line %d, column %d: %s", path, jerr.line, jerr.column, jerr.text);
        return NULL;
    }
    json_t *obj = json_object_get(root, "aspects");
    cat_aspects *a = xcalloc(1, sizeof(*a));
    size_t cap = 0;
    int ok = json_is_object(obj);
    if (!ok)
        snprintf(err, errlen, "%s: aspects: expected an object of phrase lists", path);
    const char *key;
    json_t *list;
    json_object_foreach(ok ? obj : NULL, key, list) {
        int asp = catalogue_aspect_from_name(key);
        if (asp <= 0 || !json_is_array(list)) {
            snprintf(err, errlen, "%s: aspects.%s: %s", path, key,
                     asp <= 0 ? "unknown aspect (documents, fee, time, where, online, steps, conditions, legal, result, forms)"
                              : "expected an array of strings");
            ok = 0;
            break;
        }
        for (size_t i = 0; ok && i < json_array_size(list); i++)
            if (ca_add(a, &cap, json_array_get(list, i), (catalogue_aspect)asp, y) < 0) {
                snprintf(err, errlen, "%s: aspects.%s[%zu]: expected a non-empty string", path,
                         key, i);
                ok = 0;
            }
    }
    json_t *q = json_object_get(root, "question_words");
    if (ok && q && !(a->question = cat_strv_load(y, q, &a->nquestion, path, "question_words", err,
                                                 errlen)))
        ok = 0;
    if (ok && a->nquestion)     /* longest first, like the aspect phrases */
        qsort(a->question, a->nquestion, sizeof(*a->question), ca_longer);
    json_decref(root);
    if (ok) {
        cat_plist_build(&a->phrase_idx, a->phrase, a->n);
        cat_plist_build(&a->question_idx, a->question, a->nquestion);
    }
    if (!ok) {
        cat_aspects_free(a);
        return NULL;
    }
    return a;
}

/* Offset of phrase p (n bytes) as whole words in s from offset from, or -1. */
static long ca_find(const char *s, size_t slen, const char *p, size_t n, size_t from)
{
    for (const char *at = s + from; (at = strstr(at, p)) != NULL; at++) {
        size_t o = (size_t)(at - s);
        if ((o == 0 || s[o - 1] == ' ') && (o + n == slen || s[o + n] == ' '))
            return (long)o;
    }
    return -1;
}

/* The aspect of s, already rewritten with the synonyms. */
catalogue_aspect cat_aspect_of(const cat_aspects *a, const cat_text *t)
{
    const char *s = t ? t->s : NULL;
    if (!a || !s)
        return CATALOGUE_ASPECT_OVERVIEW;
    size_t slen = strlen(s), best_len = 0;
    catalogue_aspect best = CATALOGUE_ASPECT_OVERVIEW;
    uint32_t buf[256], *may = a->n <= 256 ? buf : xmalloc(a->n * sizeof(*may));
    size_t nmay = cat_plist_may(&a->phrase_idx, t, a->phrase, may);
    for (size_t k = 0; k < nmay && a->len[may[k]] >= best_len; k++) {
        size_t i = may[k];
        if (ca_find(s, slen, a->phrase[i], a->len[i], 0) < 0)
            continue;
        if (a->len[i] > best_len || a->aspect[i] < best) {
            best = a->aspect[i];
            best_len = a->len[i];
        }
    }
    if (may != buf)
        free(may);
    return best;
}

catalogue_aspect catalogue_aspect_detect(const catalogue *cat, const char *s)
{
    if (!cat || !s)
        return CATALOGUE_ASPECT_OVERVIEW;
    char canon[1024];
    cat_text t;
    cat_syn_rewrite(cat->cur->syn, s, canon, sizeof(canon));
    cat_text_init(&t, canon);
    return cat_aspect_of(cat->aspects, &t);
}

/* Blank every whole-word occurrence of phrase p (n bytes) in s. */
static void ca_blank(char *s, const char *p, size_t n)
{
    long o;
    while ((o = ca_find(s, strlen(s), p, n, 0)) >= 0)
        memset(s + o, ' ', n);
}

void cat_aspect_strip(const cat_aspects *a, char *out, int question_words)
{
    for (size_t i = 0; a && i < a->n; i++)
        ca_blank(out, a->phrase[i], a->len[i]);
    for (size_t i = 0; a && question_words && i < a->nquestion; i++)
        ca_blank(out, a->question[i], strlen(a->question[i]));
    size_t w = 0;           /* squeeze spaces */
    for (size_t r = 0; out[r]; r++)
        if (out[r] != ' ' || (w && out[w - 1] != ' '))
            out[w++] = out[r];
    while (w && out[w - 1] == ' ')
        w--;
    out[w] = '\0';
}

void catalogue_aspect_strip(const catalogue *cat, const char *s, char *out, size_t cap)
{
    if (!cap)
        return;
    if (cat && s)
        cat_syn_rewrite(cat->cur->syn, s, out, cap);
    else
        snprintf(out, cap, "%s", s ? s : "");
    cat_aspect_strip(cat ? cat->aspects : NULL, out, 1);
}
