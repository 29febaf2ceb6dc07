/* entities.h -- private to intents/: finding entities in normalised text and
 * putting them in the canonical form of SPEC.md.
 *
 * Codes (dossier, procedure, complaint) have a fixed syntax coded here; the
 * words that mean a score ("score_words", first match wins; score 0 marks
 * words that look like a verdict but carry none, e.g. "muc do hai long") and the filler words dropped from a
 * procedure query ("query_stopwords") are data in config/intents.json. */
#ifndef DVC_INTENTS_ENTITIES_H
#define DVC_INTENTS_ENTITIES_H

#include "intents/rules.h"

/* Compile the extractors and read score_words/query_stopwords of root. */
ent_ctx *ent_load(json_t *root, const char *file, char *err, size_t errlen);
void ent_free(ent_ctx *e);

/* Canonical form of a code found in s[0..n) (separators, case and dropped
 * dots tolerated); 0 on success, -1 if it is not a valid code. */
int ent_dossier_canon(const char *s, size_t n, char *out, size_t cap);
int ent_complaint_canon(const char *s, size_t n, char *out, size_t cap);
int ent_procedure_canon(const char *s, size_t n, char *out, size_t cap);
/* Score 1..5 meant by s[0..n) ("4", "4 sao", "rat hai long"), or 0. */
int ent_score_canon(ent_ctx *e, rules_rx *rx, const char *s, size_t n);

/* First valid code in s[0..n); 0 and *end (offset after it) or -1. */
int ent_find_dossier(ent_ctx *e, rules_rx *rx, const char *s, size_t n,
                     char *out, size_t cap, size_t *end);
int ent_find_complaint(ent_ctx *e, rules_rx *rx, const char *s, size_t n,
                       char *out, size_t cap);
int ent_find_procedure(ent_ctx *e, rules_rx *rx, const char *s, size_t n,
                       char *out, size_t cap);
/* Score in a rating message; after is the offset just after a dossier code
 * ((size_t)-1 if none). bare: the message is an answer to "what score?", so
 * a lone digit counts. Returns 1..5 or 0. */
int ent_find_score(ent_ctx *e, rules_rx *rx, const char *s, size_t n, size_t after, int bare);
/* Search words of a procedure question: s minus query_stopwords and
 * punctuation, malloc'd; NULL when nothing is left. */
char *ent_query(ent_ctx *e, const char *s, size_t n);

#endif
