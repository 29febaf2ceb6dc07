/* prefilter.c -- the Aho-Corasick keyword prefilter (see prefilter.h).
 *
 * Bytes map to classes (one per byte that occurs in some literal, digits
 * sharing the class of '0', class 0 for the rest). The trie is completed into
 * a DFA whose entries hold the target state's row offset, with PF_OUT set
 * when the target (or a state on its failure chain) ends a literal; those
 * states own a rule bit mask, whose index the entry also carries when the
 * bits allow. A scan is one table look-up per byte. */
#include "intents/prefilter.h"

#include <stdlib.h>
#include <string.h>

#include "common/xmalloc.h"

#define PF_OUT 0x80000000u
#define PF_NONE 0xFFFFFFFFu
/* Literals are cut to this length (a prefix of a necessary literal is
 * necessary too): a smaller automaton stays in cache. */
#define PF_MAXLIT 8
/* Literals are cut to this length (a prefix of a necessary literal is
 * necessary too): a smaller automaton stays in cache. */


struct prefilter {
    size_t nrules, words;
    size_t ncls, nstates;
    unsigned char cls[256];
    uint32_t *delta;       /* nstates * ncls: target row offset | PF_OUT */
    uint32_t *outidx;      /* per state: index into masks */
    uint64_t *masks;       /* per state with output: words */
    uint64_t *base;        /* rules always tried */
    unsigned shift;        /* bits of a row offset in a delta entry */
    uint32_t offmask;      /* row offset bits of a delta entry */
    int inline_idx;        /* entries carry the mask index above shift */
};

static void pf_classes(prefilter *pf, const lit_set *lits, size_t nrules)
{
    pf->ncls = 1;
    for (size_t r = 0; r < nrules; r++)
        for (size_t i = 0; i < lits[r].n; i++)
            for (const unsigned char *p = (const unsigned char *)lits[r].s[i]; *p; p++)
                if (!pf->cls[*p])
                    pf->cls[*p] = (unsigned char)pf->ncls++;
    for (int d = '1'; d <= '9'; d++)
        pf->cls[d] = pf->cls['0'];
}

/* Grow the trie by one state; returns its index. */
static uint32_t pf_new_state(prefilter *pf, size_t *cap)
{
    if (pf->nstates == *cap) {
        *cap = *cap ? *cap * 2 : 256;
        pf->delta = xrealloc(pf->delta, *cap * pf->ncls * sizeof *pf->delta);
        pf->masks = xrealloc(pf->masks, *cap * pf->words * sizeof *pf->masks);
    }
    size_t s = pf->nstates++;
    for (size_t c = 0; c < pf->ncls; c++)
        pf->delta[s * pf->ncls + c] = PF_NONE;
    memset(pf->masks + s * pf->words, 0, pf->words * sizeof *pf->masks);
    return (uint32_t)s;
}

static void pf_insert(prefilter *pf, const char *lit, size_t rule, size_t *cap)
{
    uint32_t s = 0;
    const unsigned char *end = (const unsigned char *)lit + PF_MAXLIT;
    for (const unsigned char *p = (const unsigned char *)lit; *p && p < end; p++) {
        uint32_t *slot = &pf->delta[s * pf->ncls + pf->cls[*p]];
        if (*slot == PF_NONE) {
            uint32_t t = pf_new_state(pf, cap);
            slot = &pf->delta[s * pf->ncls + pf->cls[*p]]; /* delta moved */
            *slot = t;
        }
        s = *slot;
    }
    pf->masks[s * pf->words + rule / 64] |= 1ull << (rule % 64);
}

static int pf_has_out(const prefilter *pf, uint32_t s)
{
    for (size_t w = 0; w < pf->words; w++)
        if (pf->masks[s * pf->words + w])
            return 1;
    return 0;
}

/* Breadth-first: failure links, inherited outputs, missing transitions. */
static void pf_complete(prefilter *pf)
{
    uint32_t *fail = xcalloc(pf->nstates, sizeof *fail);
    uint32_t *queue = xmalloc(pf->nstates * sizeof *queue);
    size_t head = 0, tail = 0;
    queue[tail++] = 0;
    while (head < tail) {
        uint32_t s = queue[head++];
        for (size_t c = 0; c < pf->ncls; c++) {
            uint32_t *slot = &pf->delta[s * pf->ncls + c];
            uint32_t via = s ? pf->delta[fail[s] * pf->ncls + c] : 0;
            if (*slot == PF_NONE || c == 0) {
                *slot = via; /* already a completed state index */
                continue;
            }
            uint32_t t = *slot;
            fail[t] = via;
            for (size_t w = 0; w < pf->words; w++)
                pf->masks[t * pf->words + w] |= pf->masks[via * pf->words + w];
            queue[tail++] = t;
        }
    }
    free(queue);
    free(fail);
}

/* Turn state indexes into row offsets; a target with output gets PF_OUT
 * and, when it fits above the offset bits, its mask index (1-based) too. */
static void pf_finish(prefilter *pf)
{
    size_t nout = 0;
    pf->outidx = xcalloc(pf->nstates, sizeof *pf->outidx);
    for (uint32_t s = 0; s < pf->nstates; s++) {
        if (pf_has_out(pf, s)) { /* slot nout <= s was read already */
            memmove(pf->masks + nout * pf->words, pf->masks + s * pf->words,
                    pf->words * sizeof *pf->masks);
            pf->outidx[s] = (uint32_t)++nout;
        }
    }
    pf->shift = 0;
    while (((size_t)1 << pf->shift) < pf->nstates * pf->ncls)
        pf->shift++;
    int inline_idx = pf->shift < 31 && nout < ((size_t)1 << (31 - pf->shift));
    pf->offmask = inline_idx ? (1u << pf->shift) - 1 : ~PF_OUT;
    for (size_t i = 0; i < pf->nstates * pf->ncls; i++) {
        uint32_t t = pf->delta[i], v = (uint32_t)(t * pf->ncls);
        if (pf->outidx[t])
            v |= PF_OUT | (inline_idx ? pf->outidx[t] << pf->shift : 0);
        pf->delta[i] = v;
    }
    pf->inline_idx = inline_idx;
}

prefilter *pf_build(const lit_set *lits, size_t nrules)
{
    prefilter *pf = xcalloc(1, sizeof *pf);
    size_t cap = 0, chars = 0;
    pf->nrules = nrules;
    pf->words = (nrules + 63) / 64 ? (nrules + 63) / 64 : 1;
    pf->base = xcalloc(pf->words, sizeof *pf->base);
    pf_classes(pf, lits, nrules);
    for (size_t r = 0; r < nrules; r++)
        for (size_t i = 0; i < lits[r].n; i++)
            chars += strlen(lits[r].s[i]);
    int too_big = (chars + 1) * pf->ncls >= PF_OUT / 2;
    pf_new_state(pf, &cap);
    for (size_t r = 0; r < nrules; r++) {
        if (lits[r].n == 0 || too_big)
            pf->base[r / 64] |= 1ull << (r % 64);
        else
            for (size_t i = 0; i < lits[r].n; i++)
                pf_insert(pf, lits[r].s[i], r, &cap);
    }
    pf_complete(pf);
    pf_finish(pf);
    return pf;
}

void pf_free(prefilter *pf)
{
    if (!pf)
        return;
    free(pf->delta);
    free(pf->outidx);
    free(pf->masks);
    free(pf->base);
    free(pf);
}

size_t pf_words(const prefilter *pf)
{
    return pf->words;
}

size_t pf_states(const prefilter *pf)
{
    return pf->nstates;
}

/* Rule mask of the output state reached by entry v (st: its row offset). */
static const uint64_t *pf_out_mask(const prefilter *pf, uint32_t v, uint32_t st)
{
    uint32_t idx = pf->inline_idx ? (v & ~PF_OUT) >> pf->shift : pf->outidx[st / pf->ncls];
    return pf->masks + (size_t)(idx - 1) * pf->words;
}

void pf_scan(const prefilter *pf, const char *s, size_t n, uint64_t *mask)
{
    const unsigned char *p = (const unsigned char *)s, *cls = pf->cls;
    const uint32_t *delta = pf->delta;
    const uint32_t offmask = pf->offmask;
    const size_t words = pf->words;
    uint32_t st = 0;
    memcpy(mask, pf->base, words * sizeof *mask);
    if (words == 1) {
        uint64_t m = mask[0];
        for (size_t i = 0; i < n; i++) {
            uint32_t v = delta[st + cls[p[i]]];
            st = v & offmask;
            if (v & PF_OUT)
                m |= pf_out_mask(pf, v, st)[0];
        }
        mask[0] = m;
        return;
    }
    if (words == 2) {
        uint64_t m0 = mask[0], m1 = mask[1];
        for (size_t i = 0; i < n; i++) {
            uint32_t v = delta[st + cls[p[i]]];
            st = v & offmask;
            if (v & PF_OUT) {
                const uint64_t *m = pf_out_mask(pf, v, st);
                m0 |= m[0];
                m1 |= m[1];
            }
        }
        mask[0] = m0;
        mask[1] = m1;
        return;
    }
    for (size_t i = 0; i < n; i++) {
        uint32_t v = delta[st + cls[p[i]]];
        st = v & offmask;
        if (v & PF_OUT) {
            const uint64_t *m = pf_out_mask(pf, v, st);
            for (size_t w = 0; w < words; w++)
                mask[w] |= m[w];
        }
    }
}
