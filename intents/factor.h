/* factor.h -- private to intents/: a faster pattern with the same anchored
 * matches, for the word rules' anchored tries (rules.h, lead.h).
 *
 * A rule such as \b(?:khai sinh|ket hon|...|ho chieu)\b.* begins with a long
 * alternation of plain words; PCRE2's JIT tries its branches one after the
 * other, so an anchored try runs through kilobytes of code. factor_lead
 * rewrites that leading group as a trie of the same strings,
 * \b(?:k(?:hai sinh|et hon)|ho chieu|...), in which a try follows one branch
 * per byte. Whether the pattern matches at a given start is unchanged: the
 * group keeps its language and stays non-atomic and non-capturing, so
 * backtracking still reaches every string of it; only which string PCRE2
 * reports (and so the groups' spans) may change, which the anchored tries
 * never read. Patterns with backtracking verbs, conditionals, recursion or
 * back references are left alone. */
#ifndef DVC_INTENTS_FACTOR_H
#define DVC_INTENTS_FACTOR_H

/* The rewritten pattern (malloc'd), or NULL when pat does not begin with
 * \b(?: and at least FACTOR_MIN plain alternatives, or cannot be rewritten
 * safely. Plain: only [a-z0-9 ]. */
#define FACTOR_MIN 8
char *factor_lead(const char *pat);

#endif
