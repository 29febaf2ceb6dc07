/* catalogue_plist.c -- a list of cat_phrase_new phrases indexed by the
 * filter bit of their first word (catalogue_int.h cat_plist): the request
 * path asks a question's text which of a few hundred aspect and question
 * phrases it may hold; with the index only the buckets of the question's
 * own words (a dozen) are looked at, not every phrase. */
#include "catalogue/catalogue_int.h"

#include <stdlib.h>
#include <string.h>

#include "common/xmalloc.h"

void cat_plist_build(cat_plist *x, char *const *list, size_t n)
{
    memset(x->start, 0, sizeof(x->start));
    x->idx = xmalloc((n + 1) * sizeof(*x->idx));
    for (size_t i = 0; i < n; i++)
        x->start[cat_phrase_bit(list[i]) + 1]++;
    for (int b = 0; b < 256; b++)
        x->start[b + 1] += x->start[b];
    uint32_t fill[256];
    memcpy(fill, x->start, sizeof(fill));
    for (size_t i = 0; i < n; i++)      /* each bucket ascending */
        x->idx[fill[cat_phrase_bit(list[i])]++] = (uint32_t)i;
}

void cat_plist_free(cat_plist *x)
{
    if (x) {
        free(x->idx);
        x->idx = NULL;
    }
}

static int cp_cmp(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

size_t cat_plist_may(const cat_plist *x, const cat_text *t, char *const *list, uint32_t *out)
{
    size_t n = 0;
    for (unsigned w = 0; x->idx && w < 4; w++)
        for (uint64_t bits = t->sig[w]; bits; bits &= bits - 1) {
            unsigned b = w * 64 + (unsigned)__builtin_ctzll(bits);
            for (uint32_t k = x->start[b]; k < x->start[b + 1]; k++)
                if (cat_text_may(t, list[x->idx[k]]))
                    out[n++] = x->idx[k];
        }
    if (n > 1)
        qsort(out, n, sizeof(*out), cp_cmp);
    return n;
}

uint64_t cat_plist_mask(const cat_plist *x, const cat_text *t, char *const *list, size_t n)
{
    if (!x->idx)
        return cat_text_mask(t, list, n);
    uint64_t m = 0;
    for (unsigned w = 0; w < 4; w++)
        for (uint64_t bits = t->sig[w]; bits; bits &= bits - 1) {
            unsigned b = w * 64 + (unsigned)__builtin_ctzll(bits);
            for (uint32_t k = x->start[b]; k < x->start[b + 1]; k++) {
                uint32_t i = x->idx[k];
                if (i < CAT_MAX_MARKS && cat_text_at(t, list[i]) >= 0)
                    m |= (uint64_t)1 << i;
            }
        }
    return m;
}
