/* literals.h -- private to intents/: necessary literals of a rule pattern,
 * for the keyword prefilter (prefilter.h).
 *
 * A literal set L of a pattern P is "necessary" when every string P can match
 * contains at least one member of L as a substring. Texts and literals are
 * compared in the prefilter's alphabet, where every digit 0-9 reads as '0'
 * (lit_fold), so \d and [1-5] are literals too. Derivation understands the
 * subset of PCRE2 syntax the rules use (literals, escapes, classes,
 * non-capturing/named/atomic groups, lookarounds, quantifiers); anything else
 * (inline options, backreferences, \Q..\E, conditionals) gives up, and a rule
 * with no necessary literal is simply always tried. */
#ifndef DVC_INTENTS_LITERALS_H
#define DVC_INTENTS_LITERALS_H

#include <stddef.h>

/* Longest literal kept; longer runs are cut (a prefix of a necessary literal
 * is necessary too). */
#define LIT_MAX 48

typedef struct lit_set {
    char **s;      /* malloc'd NUL-terminated strings, already folded */
    size_t n, cap;
} lit_set;

/* Derive a necessary literal set of pat into *out (emptied first). Returns 0
 * on success (out->n >= 1), -1 when none could be found (out->n == 0). */
int lit_derive(const char *pat, lit_set *out);

/* Like lit_derive, but each top-level branch ignores its first mandatory
 * piece: a second necessary set, for rules like "A.*B" whose best set is
 * A's. Returns 0 (out->n >= 1) or -1 (out->n == 0). */
int lit_derive_rest(const char *pat, lit_set *out);

/* Derive a leading literal set of pat into *out: every match of pat begins
 * with a member (in the folded alphabet; members may be prefixes of what the
 * pattern really needs). Zero-width assertions are skipped. Returns 0
 * (out->n >= 1, no empty member) or -1 (out->n == 0). */
int lit_lead(const char *pat, lit_set *out);

/* Add a copy of s[0..n) (folded, cut to LIT_MAX) to set. */
void lit_add(lit_set *set, const char *s, size_t n);
void lit_free(lit_set *set);

/* The prefilter alphabet: digits read as '0', every other byte as itself. */
static inline unsigned char lit_fold(unsigned char c)
{
    return (c >= '0' && c <= '9') ? (unsigned char)'0' : c;
}

#endif
