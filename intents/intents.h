/* intents.h -- the intent classifier: normaliser + PCRE2-JIT rules + a
 * linear model + entities (docs/intents.md).
 *
 * Rules are data (config/intents.json): each rule has a pattern, the intent
 * it signals, a priority, and named groups that become entities. The
 * highest-priority rule that matches wins. A winner whose priority is at least
 * the file's "model.final_priority" decides alone (confidence 1); otherwise,
 * when the file names a model ("model.file", written by `dvcbot train`), the
 * model weighs the text's words, character n-grams and the winning rule's
 * intent and its most probable intent is taken, with that probability as the
 * confidence. Destructive intents (unsubscribe) are only taken when a rule of
 * that intent matched. Entities are then extracted and put in canonical form
 * (see SPEC.md).
 *
 * An intents object is immutable after load except for its private match
 * scratch space: use one object from one thread only. */
#ifndef DVC_INTENTS_INTENTS_H
#define DVC_INTENTS_INTENTS_H

#include <stddef.h>
#include <stdio.h>

typedef struct intents intents;

/* The fixed intent names of SPEC.md, in this order. */
typedef enum intent_id {
    INTENT_DOSSIER_STATUS = 0,
    INTENT_PROCEDURE_INFO,
    INTENT_COMPLAINT_NEW,
    INTENT_COMPLAINT_STATUS,
    INTENT_RATING,
    INTENT_SUBSCRIBE,
    INTENT_UNSUBSCRIBE,
    INTENT_HUMAN_AGENT,
    INTENT_HELP,
    INTENT_PAYMENT,
    INTENT_GREETING,
    INTENT_UNKNOWN,
    INTENT__COUNT
} intent_id;

/* "dossier_status", ... ; "unknown" for an out-of-range id. Static string. */
const char *intent_name(intent_id id);
/* Returns the id for a name, or -1. */
int intent_from_name(const char *name);

/* Result of one classification. Code fields are "" when absent, score is 0
 * when absent; query and text are malloc'd (or NULL) and freed by
 * intent_result_clear(). */
typedef struct intent_result {
    intent_id intent;
    char dossier_code[48];   /* canonical, e.g. 000.00.12.H18-200520-0001 */
    char procedure_code[16]; /* d.dddddd */
    char complaint_code[24]; /* PA-yyMMdd-NNNN */
    int score;               /* 1..5 */
    char *query;             /* procedure_info: normalised search words */
    char *text;              /* complaint_new: the complaint's content */
    float confidence;        /* 0..1: 1 for a deciding rule, else the model's
                                probability (0 for unknown without a model) */
    intent_id alt;           /* the runner-up intent (INTENT_UNKNOWN if none) */
    float alt_confidence;    /* its probability, 0 without a model */
} intent_result;

/* Load and JIT-compile the rules at path, and the model it names (relative
 * to path's directory). Returns NULL and writes "path: rules[i].pattern:
 * problem" (or the model file's "file:line: problem") into err on failure. */
intents *intents_load(const char *path, char *err, size_t errlen);
/* The same without the model (rules only), e.g. to train a new one. */
intents *intents_load_rules(const char *path, char *err, size_t errlen);
void intents_free(intents *in);
/* SIGHUP: load path (and its model) again and, when it loads, put its rules
 * and model in place of in's (the same object, so every borrower sees them).
 * Nothing borrows from an intents object between calls, so the old rules
 * are freed at once. Returns 0, or -1 with err set and in unchanged. */
int intents_reload(intents *in, const char *path, char *err, size_t errlen);

/* Classify len bytes of UTF-8 text. Returns 0 and fills *out (cleared first),
 * or -1 if the text is not valid UTF-8 (out->intent is then INTENT_UNKNOWN). */
int intents_classify(intents *in, const char *text, size_t len, intent_result *out);

/* Whether intents_classify computes the query and text entities (default
 * on). Turning them off saves time and allocation when only the intent and
 * the code/score entities are wanted (e.g. `dvcbot classify`). */
void intents_set_extras(intents *in, int on);

/* Free query/text and reset every field (intent = INTENT_UNKNOWN). Accepts NULL. */
void intent_result_clear(intent_result *r);

/* Extract entities alone from text (no intent), e.g. a bare dossier code sent
 * as the answer to a question. Same return convention as intents_classify. */
int intents_entities(intents *in, const char *text, size_t len, intent_result *out);

/* Training options of intents_train (docs/intents.md gives the defaults). */
typedef struct intents_train_opts {
    int epochs;      /* passes over the examples */
    float rate;      /* AdaGrad step */
    float l2;        /* L2 penalty */
    int min_count;   /* features seen in fewer examples are dropped */
} intents_train_opts;

/* Fit the model on the labelled corpora paths[] ("text<TAB>intent..." lines,
 * '#' comments) with the rules of in as a feature, and write the model file
 * to out. Deterministic. Returns 0, or -1 with err set (unreadable file,
 * unknown intent, no example). */
int intents_train(intents *in, const char *const *paths, size_t npaths,
                  const intents_train_opts *o, FILE *out, char *err, size_t errlen);

#endif
