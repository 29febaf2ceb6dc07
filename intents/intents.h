/* intents.h -- the intent classifier: normaliser + PCRE2-JIT rules + entities.
 *
 * Rules are data (config/intents.json, documented in docs/architecture.md):
 * each rule has a pattern, the intent it signals, a priority, and named groups
 * that become entities. The highest-priority rule that matches wins; entities
 * are then extracted and put in canonical form (see SPEC.md).
 *
 * An intents object is immutable after load except for its private match
 * scratch space: use one object from one thread only. */
#ifndef DVC_INTENTS_H
#define DVC_INTENTS_H

#include <stddef.h>

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
} intent_result;

/* Load and JIT-compile the rules at path. Returns NULL and writes
 * "path: rules[i].pattern: problem" into err on failure. */
intents *intents_load(const char *path, char *err, size_t errlen);
void intents_free(intents *in);

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

#endif
