/* match.c -- rules_match (see rules.h): pick the winning rule for a
 * normalised text among the prefilter's candidates, in priority order. Word
 * rules with a leading set are tried anchored at the word starts where it
 * occurs (lead.h); the others are searched for along the text. */
#include "intents/rules.h"

#include "common/xmalloc.h"

/* Is p a position the word scan visits: a run of [a-z0-9] starts there, or
 * the text ends there? */
static int rules_word_start(const char *s, size_t n, size_t p)
{
#define RULES_ALNUM(c) (((c) >= 'a' && (c) <= 'z') || ((c) >= '0' && (c) <= '9'))
    return p == n || (RULES_ALNUM(s[p]) && (p == 0 || !RULES_ALNUM(s[p - 1])));
#undef RULES_ALNUM
}

/* Word starts of s where indexed rules may begin (once per text). */
static void rules_lead_scan(intents *in, const char *s, size_t n)
{
    size_t need = n / 2 + 1, words = lead_words(in->ld);
    if (need > in->lcap) {
        in->lcap = need > INTENTS_MAX_INPUT / 2 + 1 ? need : INTENTS_MAX_INPUT / 2 + 1;
        in->lpos = xrealloc(in->lpos, in->lcap * sizeof *in->lpos);
        in->lmask = xrealloc(in->lmask, in->lcap * words * sizeof *in->lmask);
    }
    for (size_t w = 0; w < words; w++)
        in->lneed[w] = in->cand[w] & in->lidx[w];
    in->lcount = lead_scan(in->ld, s, n, in->lneed, in->lpos, in->lmask, in->lany);
    in->lscanned = 1;
    for (size_t w = 0; w < words; w++) /* indexed rules that cannot start */
        in->cand[w] &= ~in->lidx[w] | in->lany[w];
}

/* Leftmost word-start match of indexed rule k before limit: anchored tries
 * at the word starts its leading literals occur at; (size_t)-1 if none. */
static size_t rules_lead_search(intents *in, size_t k, const char *s, size_t n,
                                size_t limit)
{
    size_t words = lead_words(in->ld), w = k / 64;
    uint64_t bit = 1ull << (k % 64);
    if (!in->lscanned)
        rules_lead_scan(in, s, n);
    if (!(in->lany[w] & bit))
        return (size_t)-1;
    for (size_t e = 0; e < in->lcount && in->lpos[e] < limit; e++)
        if ((in->lmask[e * words + w] & bit) &&
            rules_exec(&in->rx, in->rules[k].acode, s, n, in->lpos[e]))
            return in->lpos[e];
    return (size_t)-1;
}

/* Leftmost word-start match of a \\b rule, or (size_t)-1. */
static size_t rules_word_search(rules_rx *rx, const pcre2_code *code, const char *s, size_t n)
{
    size_t from = 0;
    while (from <= n && rules_exec(rx, code, s, n, from)) {
        size_t at = pcre2_get_ovector_pointer(rx->md)[0];
        if (rules_word_start(s, n, at))
            return at;
        from = at + 1;
    }
    return (size_t)-1;
}

#define RULES_BIT(in, b) (((in)->cand[(b) / 64] >> ((b) % 64)) & 1u)

/* First candidate rule at or after i (in->nrules if none); a rule whose
 * second necessary set is absent is no candidate. */
static size_t rules_next(const intents *in, size_t i)
{
    size_t words = (in->nrules + 63) / 64;
    for (size_t w = i / 64; w < words; w++) {
        uint64_t m = in->cand[w];
        if (w == i / 64)
            m &= ~0ull << (i % 64);
        while (m) {
            size_t k = w * 64 + (size_t)__builtin_ctzll(m);
            if (k >= in->nrules || !in->rules[k].sbit || RULES_BIT(in, in->rules[k].sbit))
                return k < in->nrules ? k : in->nrules;
            m &= m - 1;
        }
    }
    return in->nrules;
}

/* Leftmost word-start match of word rule k before limit, or (size_t)-1. */
static size_t rules_word_at(intents *in, size_t k, const char *s, size_t n, size_t limit)
{
    if (in->ld && in->rules[k].acode)
        return rules_lead_search(in, k, s, n, limit);
    return rules_word_search(&in->rx, in->rules[k].code, s, n);
}

/* A run of equal-priority word rules from its first candidate i: the
 * candidate whose match starts first, then the first in file order; -1 if
 * none matches. */
static long rules_run(intents *in, size_t i, const char *s, size_t n)
{
    long best = -1;
    size_t best_at = (size_t)-1, end = in->rules[i].run_end;
    for (size_t k = i; k < end; k = rules_next(in, k + 1)) {
        if (n < in->rules[k].minlen)
            continue;
        size_t at = rules_word_at(in, k, s, n, best_at);
        if (at != (size_t)-1 && at < best_at) {
            best = (long)k;
            best_at = at;
            if (at == 0)
                break; /* nothing starts earlier; later rules lose ties */
        }
    }
    return best;
}

static int rules_first_ok(const rules_rule *r, const char *s, size_t n)
{
    unsigned char c = n ? (unsigned char)s[0] : 0;
    return !r->has_first || (n && ((r->first[c / 8] >> (c % 8)) & 1));
}

long rules_match(intents *in, const char *s, size_t n)
{
    pf_scan(in->pf, s, n, in->cand);
    in->lscanned = 0;
    for (size_t i = rules_next(in, 0); i < in->nrules;) {
        const rules_rule *r = &in->rules[i];
        if (r->word) {
            long w = rules_run(in, i, s, n);
            if (w >= 0)
                return w;
            i = rules_next(in, r->run_end);
            continue;
        }
        if (n >= r->minlen && rules_first_ok(r, s, n) && rules_exec(&in->rx, r->code, s, n, 0))
            return (long)i;
        i = rules_next(in, i + 1);
    }
    return -1;
}
