/* lead.c -- the leading-literal trie of the word rules (see lead.h).
 *
 * Bytes map to classes (one per byte that occurs in some literal, digits
 * sharing the class of '0', class 0 for the rest); each trie state has a row
 * of child states (0: none) and the rule mask of the literals ending there.
 * Literals are cut to LEAD_MAXLIT bytes: a prefix of a leading literal is a
 * leading literal too, and a shallow trie stays in cache. */
#include "intents/lead.h"

#include <stdlib.h>
#include <string.h>

#include "common/xmalloc.h"

#define LEAD_MAXLIT 8
#define LEAD_MAXSTATES 65535

struct lead {
    size_t words, ncls, nstates, cap;
    unsigned char cls[256];
    uint16_t *next;        /* nstates * ncls */
    uint64_t *masks;       /* nstates * words: rules of the literals ending at the
                              state or at one of its ancestors (lead_close) */
    uint64_t *sub;         /* nstates * words: masks of the state's subtree */
    uint64_t *indexed;     /* rules with a leading set */
};

static void lead_classes(lead *ld, const lit_set *lits, size_t nrules)
{
    ld->ncls = 1;
    for (size_t r = 0; r < nrules; r++)
        for (size_t i = 0; i < lits[r].n; i++)
            for (const unsigned char *p = (const unsigned char *)lits[r].s[i]; *p; p++)
                if (!ld->cls[*p])
                    ld->cls[*p] = (unsigned char)ld->ncls++;
    for (int d = '1'; d <= '9'; d++)
        ld->cls[d] = ld->cls['0'];
}

/* A new empty state, or 0 when there are too many. */
static size_t lead_new_state(lead *ld)
{
    if (ld->nstates == LEAD_MAXSTATES)
        return 0;
    if (ld->nstates == ld->cap) {
        ld->cap = ld->cap ? ld->cap * 2 : 256;
        ld->next = xrealloc(ld->next, ld->cap * ld->ncls * sizeof *ld->next);
        ld->masks = xrealloc(ld->masks, ld->cap * ld->words * sizeof *ld->masks);
        ld->sub = xrealloc(ld->sub, ld->cap * ld->words * sizeof *ld->sub);
    }
    size_t s = ld->nstates++;
    memset(ld->next + s * ld->ncls, 0, ld->ncls * sizeof *ld->next);
    memset(ld->masks + s * ld->words, 0, ld->words * sizeof *ld->masks);
    memset(ld->sub + s * ld->words, 0, ld->words * sizeof *ld->sub);
    return s;
}

static int lead_insert(lead *ld, const char *lit, size_t rule)
{
    size_t s = 0, w = rule / 64;
    uint64_t bit = 1ull << (rule % 64);
    const unsigned char *p = (const unsigned char *)lit;
    ld->sub[w] |= bit;
    for (size_t k = 0; k < LEAD_MAXLIT && p[k]; k++) {
        size_t slot = s * ld->ncls + ld->cls[p[k]];
        if (!ld->next[slot]) {
            size_t t = lead_new_state(ld);
            if (!t)
                return -1;
            ld->next[slot] = (uint16_t)t;
        }
        s = ld->next[slot];
        ld->sub[s * ld->words + w] |= bit;
    }
    ld->masks[s * ld->words + w] |= bit;
    return 0;
}

/* OR every state's mask into its descendants' (a child is always created
 * after its parent, so one pass in state order sees each parent final), so
 * that a walk needs only the mask of the last state it reaches. */
static void lead_close(lead *ld)
{
    memset(ld->masks, 0, ld->words * sizeof *ld->masks); /* a walk takes one byte or more */
    for (size_t s = 0; s < ld->nstates; s++)
        for (size_t c = 1; c < ld->ncls; c++) {
            size_t t = ld->next[s * ld->ncls + c];
            for (size_t w = 0; t && w < ld->words; w++)
                ld->masks[t * ld->words + w] |= ld->masks[s * ld->words + w];
        }
}

lead *lead_build(const lit_set *lits, size_t nrules)
{
    lead *ld = xcalloc(1, sizeof *ld);
    ld->words = nrules ? (nrules + 63) / 64 : 1;
    ld->indexed = xcalloc(ld->words, sizeof *ld->indexed);
    lead_classes(ld, lits, nrules);
    lead_new_state(ld);
    for (size_t r = 0; r < nrules; r++) {
        for (size_t i = 0; i < lits[r].n; i++)
            if (lead_insert(ld, lits[r].s[i], r) < 0) {
                lead_free(ld);
                return NULL;
            }
        if (lits[r].n)
            ld->indexed[r / 64] |= 1ull << (r % 64);
    }
    lead_close(ld);
    return ld;
}

void lead_free(lead *ld)
{
    if (!ld)
        return;
    free(ld->next);
    free(ld->masks);
    free(ld->sub);
    free(ld->indexed);
    free(ld);
}

size_t lead_words(const lead *ld)
{
    return ld->words;
}

int lead_indexed(const lead *ld, size_t i)
{
    return (int)((ld->indexed[i / 64] >> (i % 64)) & 1u);
}

/* 1 for the bytes of a word ([a-z0-9]). */
static const unsigned char lead_alnum[256] = {
    ['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1, ['6'] = 1,
    ['7'] = 1, ['8'] = 1, ['9'] = 1, ['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1,
    ['e'] = 1, ['f'] = 1, ['g'] = 1, ['h'] = 1, ['i'] = 1, ['j'] = 1, ['k'] = 1,
    ['l'] = 1, ['m'] = 1, ['n'] = 1, ['o'] = 1, ['p'] = 1, ['q'] = 1, ['r'] = 1,
    ['s'] = 1, ['t'] = 1, ['u'] = 1, ['v'] = 1, ['w'] = 1, ['x'] = 1, ['y'] = 1,
    ['z'] = 1,
};

/* Word starts of u[0..n) with their rule masks cut to need (words words):
 * a walk stops as soon as no rule of need lies below its state. Inlined
 * with words constant for the common sizes. */
static inline __attribute__((always_inline)) size_t
lead_scanw(const lead *ld, const unsigned char *u, size_t n, const uint64_t *need,
           uint32_t *pos, uint64_t *masks, uint64_t *any, const size_t words)
{
    const size_t ncls = ld->ncls;
    const uint16_t *next = ld->next;
    const uint64_t *sm = ld->masks, *sub = ld->sub;
    size_t count = 0;
    for (size_t w = 0; w < words; w++)
        any[w] = 0;
    int prev = 0;
    for (size_t p = 0; p < n; p++) {
        int cur = lead_alnum[u[p]];
        if (!cur || prev) {
            prev = cur;
            continue;
        }
        prev = 1;
        uint64_t *m = masks + count * words, hit = 0;
        size_t st = 0, last = 0;
        for (size_t i = p; i < n; i++) {
            unsigned c = ld->cls[u[i]];
            if (!c || !(st = next[st * ncls + c]))
                break;
            last = st;
            uint64_t live = 0;
            for (size_t w = 0; w < words; w++)
                live |= sub[st * words + w] & need[w];
            if (!live)
                break;
        }
        for (size_t w = 0; w < words; w++) {
            m[w] = sm[last * words + w] & need[w];
            any[w] |= m[w];
            hit |= m[w];
        }
        if (hit)
            pos[count++] = (uint32_t)p;
    }
    return count;
}

size_t lead_scan(const lead *ld, const char *s, size_t n, const uint64_t *need,
                 uint32_t *pos, uint64_t *masks, uint64_t *any)
{
    const unsigned char *u = (const unsigned char *)s;
    if (ld->words == 1)
        return lead_scanw(ld, u, n, need, pos, masks, any, 1);
    if (ld->words == 2)
        return lead_scanw(ld, u, n, need, pos, masks, any, 2);
    return lead_scanw(ld, u, n, need, pos, masks, any, ld->words);
}
