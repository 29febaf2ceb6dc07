/* catalogue_postings.c -- the postings walks of a search (catalogue_search.c):
 * each query word adds its weight to the procedures holding it, by walking
 * its postings (which may make candidates), by a galloping search in them,
 * or by its set (cat_set_rank), whichever costs least for the candidates
 * there are; the scratch arrays are cat_data's sc_* (catalogue_index.c). */
#include "catalogue/catalogue_int.h"

#include <string.h>

/* Add word weight wt to p's procedure: a single word (own > 0) counts in the
 * match and the coverage, a pair (own < 0) in the score only. */
static void cat_post_add(cat_data *d, const cat_post *p, float wt, float cw, int own, uint64_t bit)
{
    d->sc_qbits[p->proc] |= bit;
    float src = p->src & CAT_SRC_ALIAS ? 1.0f : p->src & CAT_SRC_NAME ? 0.7f : 0.3f;
    d->sc_word[p->proc] += wt * src;
    if (own < 0)
        return;
    if (own)
        d->sc_match[p->proc] += wt;
    d->sc_slots[p->proc] |= p->slots;
    float *slot = d->sc_slot + (size_t)p->proc * CAT_NSLOTS;
    for (unsigned s = p->slots; s; s &= s - 1)
        slot[__builtin_ctz(s)] += cw;
}

/* Walk a word's postings: touch (make candidates) or only add to candidates. */
void cat_post_walk(cat_data *d, const cat_word *w, float wt, float cw, int own, uint64_t bit,
                    int touch, size_t limit, size_t *nt)
{
    for (uint32_t k = 0; k < w->npost && k < limit; k++) {
        const cat_post *p = &d->posts[w->post_off + k];
        if (touch)
            cat_touch(d, p->proc, nt);
        else if (!d->sc_mark[p->proc])
            continue;
        cat_post_add(d, p, wt, cw, own, bit);
    }
}

/* Add a common word to the candidates (sc_touched, sorted ascending) by a
 * galloping search in its postings (also sorted): each candidate costs the
 * logarithm of the distance from the previous one, not of the whole list. */
void cat_post_probe(cat_data *d, const cat_word *w, float wt, float cw, int own, uint64_t bit,
                     size_t nt)
{
    const cat_post *base = d->posts + w->post_off;
    uint32_t lo = 0, n = w->npost;
    for (size_t i = 0; i < nt && lo < n; i++) {
        uint32_t p = d->sc_touched[i], hi = lo, step = 1;
        while (hi < n && base[hi].proc < p) {   /* base[lo..hi) < p */
            lo = hi + 1;
            hi += step;
            step *= 2;
        }
        if (hi > n)
            hi = n;
        while (lo < hi) {
            uint32_t mid = lo + (hi - lo) / 2;
            if (base[mid].proc < p)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo < n && base[lo].proc == p)
            cat_post_add(d, &base[lo], wt, cw, own, bit);
    }
}

/* Add a word that has a set (cat_set_rank) to the nt candidates. */
void cat_post_lookup(cat_data *d, const cat_word *w, float wt, float cw, int own, uint64_t bit,
                      size_t nt)
{
    size_t at = (size_t)(w->set - 1) * d->set_blocks;
    const uint64_t *bits = d->set_bits + at;
    const uint32_t *rank = d->set_rank + at;
    for (size_t i = 0; i < nt; i++) {
        long k = cat_set_rank(bits, rank, d->sc_touched[i]);
        if (k >= 0)
            cat_post_add(d, &d->posts[w->post_off + (size_t)k], wt, cw, own, bit);
    }
}

/* Sort the nt candidates of sc_touched ascending (LSD radix, 8 bits a pass,
 * as many passes as the catalogue's size needs). */
void cat_sort_touched(cat_data *d, size_t nt)
{
    uint32_t *a = d->sc_touched, *b = d->sc_sort;
    for (unsigned shift = 0; shift < 32 && (d->nprocs >> shift) > 0; shift += 8) {
        size_t count[257] = {0};
        for (size_t i = 0; i < nt; i++)
            count[((a[i] >> shift) & 255) + 1]++;
        for (int k = 0; k < 256; k++)
            count[k + 1] += count[k];
        for (size_t i = 0; i < nt; i++)
            b[count[(a[i] >> shift) & 255]++] = a[i];
        uint32_t *t = a;
        a = b;
        b = t;
    }
    if (a != d->sc_touched)
        memcpy(d->sc_touched, a, nt * sizeof(*a));
}
