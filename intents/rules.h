/* rules.h -- private to intents/: the compiled rule set and the regex helpers
 * shared by rules.c, entities.c and intents.c.
 *
 * Every rule is compiled alone (to report errors and to extract its named
 * groups) and all rules are joined, highest priority first, into one combined
 * JIT pattern  ^(?:.*?(?:p0)(*MARK:0)|.*?(?:p1)(*MARK:1)|...)  so a single
 * match call picks the winning rule; its (*MARK) names the rule. Rules that
 * begin with \\b are only tried at word starts, and a run of such rules with
 * the same priority shares one scan: among equal priorities the match that
 * starts first wins, then file order. */
#ifndef DVC_RULES_H
#define DVC_RULES_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stddef.h>
#include <jansson.h>

#include "intents.h"

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
    pcre2_code *code;      /* the rule alone; NULL once merged if no groups */
    unsigned groups;       /* bit set of ent_kind named in the pattern */
    int fixed_score;       /* "entities": {"score": N} of the rule, or 0 */
    const char *pattern;   /* only valid while loading */
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
    pcre2_code *combined;
    rules_rx rx;
    ent_ctx *ent;
    char *norm;            /* scratch: normalised text */
    size_t *map;           /* scratch: output -> input offsets */
    int no_extras;         /* skip query/text (intents_set_extras) */
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
void rules_free(intents *in);

/* Entity name <-> kind. */
const char *ent_kind_name(ent_kind k);
int ent_kind_from_name(const char *name, size_t len);

#endif
