/* rules.h -- private to intents/: the compiled rule set and the regex helpers
 * shared by rules.c, entities.c and intents.c.
 *
 * Winning rule. Rules are sorted by priority (highest first), then file
 * order; the first rule that matches anywhere in the normalised text wins.
 * Rules that begin with \\b are only tried at word starts (the start of a
 * run of [a-z0-9], or the end of the text), and among a run of consecutive
 * such rules with the same priority the match that starts first wins, then
 * file order.
 *
 * Prefilter. Each rule has trigger literals: its "keywords" in the JSON, or,
 * without that key, a necessary literal set derived from its pattern
 * (literals.h); "keywords": [] or an underivable pattern means "always try".
 * One Aho-Corasick scan of the text (prefilter.h) yields the candidate rules;
 * only those are run, each with its own JIT-compiled pattern, in the order
 * above. Declared keywords are trusted: a rule whose keywords are all absent
 * is skipped even if its pattern would match, so keywords must be necessary
 * (every text the pattern matches contains one of them; digits compare as
 * '0', so "0" stands for any digit). A rule may have a second necessary set
 * derived from its pattern (lit_derive_rest: for "A.*B", B's), scanned the
 * same way; both must be present.
 *
 * Leading sets. A \\b rule whose leading literals can be derived (lit_lead)
 * is tried, compiled PCRE2_ANCHORED, only at the word starts where one of
 * them occurs (lead.h), in ascending order: the first success is the same
 * leftmost word-start match the unanchored search finds (match.c). The
 * anchored code may be built from a rewrite of the pattern whose long
 * leading alternation is factored into a trie (factor.h): the same starts
 * match, with less code run per try.
 *
 * Reference. rules_match_ref() keeps the original single combined pattern
 *   ^(?:.*?(?:p0)(*MARK:0)|.*?(?:p1)(*MARK:1)|...)
 * (compiled on first use) to check that the prefiltered engine agrees with it
 * (tests/unit/test_intents.c). The two differ only when a backtracking limit
 * is hit: the combined pattern shares one budget among all rules, while each
 * rule (each start position, for a rule with a leading set) now gets its
 * own, so a pathological text can still match a later rule instead of
 * coming out unknown. */
#ifndef DVC_INTENTS_RULES_H
#define DVC_INTENTS_RULES_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stddef.h>
#include <jansson.h>

#include "intents/intents.h"
#include "intents/lead.h"
#include "intents/prefilter.h"

/* Longest input classified; the rest of a longer text is only validated. */
#define INTENTS_MAX_INPUT 2000
/* Backtracking budget for one match call (pcre2_set_match_limit). */
#define RULES_MATCH_LIMIT 200000
#define RULES_DEPTH_LIMIT 5000

/* Entity group names rules may use (also the JSON output keys). */
typedef enum ent_kind {
    ENT_DOSSIER, ENT_PROCEDURE, ENT_COMPLAINT, ENT_SCORE, ENT_QUERY, ENT_TEXT, ENT__COUNT
} ent_kind;

typedef struct rules_rule {
    intent_id intent;
    long priority;
    size_t order;          /* index in the JSON array, for errors and ties */
    pcre2_code *code;      /* the rule alone (JIT) */
    unsigned groups;       /* bit set of ent_kind named in the pattern */
    int fixed_score;       /* "entities": {"score": N} of the rule, or 0 */
    int word;              /* pattern begins with \\b: tried at word starts */
    size_t run_end;        /* word rules: one past the last rule of the run */
    char *pattern;         /* copy, for the reference matcher */
    uint32_t minlen;       /* PCRE2_INFO_MINLENGTH */
    int anchored;          /* pattern can only match at offset 0 */
    int has_first;         /* anchored and first[] known */
    uint8_t first[32];     /* bytes an anchored match can start with */
    lit_set keywords;      /* trigger literals; n == 0: always tried */
    int declared;          /* keywords came from the JSON */
    lit_set lead;          /* word rules: leading literals (lead.h), or none */
    lit_set second;        /* a second necessary set (lit_derive_rest), or none */
    size_t sbit;           /* with second: its candidate bit (>= nrules), else 0 */
    pcre2_code *acode;     /* with lead: the rule compiled PCRE2_ANCHORED */
} rules_rule;

/* A compiled matcher shared by the rules and the entity extractors. */
typedef struct rules_rx {
    pcre2_match_context *mctx;
    pcre2_jit_stack *jstack;
    pcre2_match_data *md;  /* big enough for any pattern here */
} rules_rx;

typedef struct ent_ctx ent_ctx;

struct intents {
    rules_rule *rules;     /* sorted: priority desc, then file order */
    size_t nrules;
    pcre2_code *combined;  /* reference matcher, compiled on first use */
    prefilter *pf;
    uint64_t *cand;        /* scratch: candidate rules of the current text; bit
                              nrules + j is second[] set j of the rule sec[j] */
    size_t *sec, nsec;     /* rules with a second necessary set */
    lead *ld;              /* word starts of the word rules with a lead set */
    uint32_t *lpos;        /* scratch: lead_scan() of the current text */
    uint64_t *lmask, *lany;
    uint64_t *lidx;        /* rules tried through ld (they have acode) */
    uint64_t *lneed;       /* scratch: indexed candidates when scanned */
    size_t lcap, lcount;   /* entries allocated / found */
    int lscanned;          /* lpos.. hold the current text */
    rules_rx rx;
    ent_ctx *ent;
    char *norm;            /* scratch: normalised text */
    size_t *map;           /* scratch: output -> input offsets */
    int no_extras;         /* skip query/text (intents_set_extras) */
    struct model *model;   /* the statistical layer (model.h), or NULL */
    long final_priority;   /* a rule at least this high decides alone */
};

/* Compile pat (ASCII, no backtracking-control verbs) with JIT. On error
 * writes "file: jpath: problem" to err and returns NULL. */
pcre2_code *rules_compile(const char *pat, const char *file, const char *jpath,
                          char *err, size_t errlen);
/* Join patterns into the combined (*MARK) matcher, in the given order;
 * prio (may be NULL: no sharing) lets equal-priority \\b rules share a scan.
 * Returns NULL (and err) if PCRE2 refuses the combination. */
pcre2_code *rules_combine(const char *const *pats, const long *prio, size_t n,
                          const char *file, const char *jpath, char *err, size_t errlen);
/* Match code against s[0..n) from offset start. Returns 1 on match (ovector
 * in rx->md), 0 on no match or when a limit was hit. */
int rules_exec(rules_rx *rx, const pcre2_code *code, const char *s, size_t n, size_t start);
/* After rules_exec on a combined pattern: the winning index, or -1. */
long rules_mark(rules_rx *rx);

int rules_rx_init(rules_rx *rx);
void rules_rx_free(rules_rx *rx);

/* Load rules[] of root into in (in->rx must be initialised). */
int rules_load(intents *in, json_t *root, const char *file, char *err, size_t errlen);
/* Index of the winning rule for normalised text s, or -1. */
long rules_match(intents *in, const char *s, size_t n);
/* The same decision made by the single combined pattern (slow; for tests). */
long rules_match_ref(intents *in, const char *s, size_t n);
void rules_free(intents *in);

/* Entity name <-> kind. */
const char *ent_kind_name(ent_kind k);
int ent_kind_from_name(const char *name, size_t len);

#endif
