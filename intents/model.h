/* model.h -- private to intents/: the statistical layer of the classifier, a
 * linear (multinomial logistic regression) model over features of the
 * normalised text, and its feature extraction, shared by training
 * (intents/train.c) and prediction so that both see exactly the same
 * features.
 *
 * Features (docs/intents.md). The text is first reduced to its tokens
 * (runs of [a-z0-9] and of bytes >= 0x80; every digit becomes '0') joined by
 * single spaces, "t". Each feature is a kind letter and a slice:
 *   w:TOKEN   every token            b:TOK TOK   every pair of adjacent tokens
 *   c:XYZ     every 3 bytes of " t "  d:WXYZ      every 4 bytes of " t "
 *   s:TOKEN   the first token        e:TOKEN     the last token
 *   n:K       the number of tokens, bucketed (1, 2, 3-4, 5-8, 9-16, 17-32, 33+)
 *   r:INTENT  the intent of the winning rule (or r:none)
 *   bias
 * w/b/c/d features weigh 1/sqrt(their count), the others 1.
 *
 * Model file (config/intents-model.tsv, written by `dvcbot train`): '#'
 * comment lines, then "classes<TAB>name name ...", then one line per feature,
 * "feature<TAB>weight weight ...", one weight per class in that order.
 * Features absent from the file weigh 0. The file is data: it can be read,
 * diffed and regenerated, never edited by hand. */
#ifndef DVC_INTENTS_MODEL_H
#define DVC_INTENTS_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "intents/intents.h"

typedef struct model model;

/* Called once per feature: kind letter ('w', 'b', ..., 'x' for bias), the
 * slice (len bytes, not NUL-terminated; for 'r' the intent name) and the
 * feature's value. */
typedef void model_feature_fn(char kind, const char *slice, size_t len, float value, void *ctx);

/* Enumerate the features of normalised text s[0..n) (n <= INTENTS_MAX_INPUT)
 * given the winning rule's intent (rule < 0: none). */
void model_features(const char *s, size_t n, int rule, model_feature_fn *fn, void *ctx);

/* The 64-bit key of a feature, the hash of "kind:slice" ("bias" for 'x'). */
uint64_t model_key(char kind, const char *slice, size_t len);

/* strtof(p, end) for a weight of the model file (the same float, errno
 * untouched on the fast path of short decimals such as "-0.824"). */
float model_weight(const char *p, char **end);

/* Load a model file. Returns NULL and writes "path:line: problem" into err. */
model *model_load(const char *path, char *err, size_t errlen);
void model_free(model *m);

/* Probability of every intent (p[INTENT__COUNT], summing to 1; intents the
 * model has no class for get 0) for normalised text s[0..n). */
void model_predict(const model *m, const char *s, size_t n, int rule, float *p);

#endif
