/* train.c -- `dvcbot train` (see intents.h, intents_train): fit the linear
 * intent model of model.h on labelled corpora, deterministically, and write
 * the weight file.
 *
 * Each example is normalised and run through the rules (the winning rule's
 * intent is a feature); features seen in fewer than min_count examples are
 * dropped; the weights are fitted by AdaGrad on the softmax cross-entropy
 * with an L2 penalty, visiting the examples in an order drawn from a fixed
 * seed, so that the same corpora and options give the same file, byte for
 * byte. */
#include "intents/intents.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/xmalloc.h"
#include "intents/model.h"
#include "intents/normalize.h"
#include "intents/rules.h"

typedef struct train_feat {
    uint64_t key;
    char *name;      /* "kind:slice" */
    size_t count;    /* examples that have it */
    long index;      /* row in the weight matrix, or -1 when dropped */
    size_t seen;     /* last example counted, + 1 */
} train_feat;

typedef struct train_set {
    train_feat *feat;   /* open addressing on key */
    size_t mask, nfeat;
    size_t *fidx;       /* per example: feature slots, then values */
    float *fval;
    size_t nval, capval;
    size_t *start;      /* example i: fidx[start[i] .. start[i + 1]) */
    int *label;
    size_t n, cap;
} train_set;

static size_t train_slot(train_set *t, uint64_t key)
{
    size_t i = (size_t)((key * 0x9e3779b97f4a7c15ull) >> 32) & t->mask;
    while (t->feat[i].key && t->feat[i].key != key)
        i = (i + 1) & t->mask;
    return i;
}

static void train_grow(train_set *t)
{
    train_feat *old = t->feat;
    size_t oldsize = t->mask + 1;
    t->mask = oldsize * 2 - 1;
    t->feat = xcalloc(t->mask + 1, sizeof *t->feat);
    for (size_t i = 0; i < oldsize; i++)
        if (old[i].key)
            t->feat[train_slot(t, old[i].key)] = old[i];
    free(old);
    /* slots moved: the examples' feature slots are remapped by key below */
}

typedef struct train_add_ctx {
    train_set *t;
    uint64_t *keys;     /* this example's keys, resolved to slots at the end */
    float *vals;
    size_t n, cap;
} train_add_ctx;

static void train_add(char kind, const char *slice, size_t len, float value, void *vctx)
{
    train_add_ctx *c = vctx;
    train_set *t = c->t;
    uint64_t key = model_key(kind, slice, len);
    if ((t->nfeat + 1) * 2 > t->mask + 1)
        train_grow(t);
    size_t i = train_slot(t, key);
    train_feat *f = &t->feat[i];
    if (!f->key) {
        f->key = key;
        f->name = xmalloc(len + 5); /* "k:" + slice + NUL, or "bias" */
        if (kind == 'x')
            strcpy(f->name, "bias");
        else
            snprintf(f->name, len + 5, "%c:%.*s", kind, (int)len, slice);
        t->nfeat++;
    }
    if (f->seen != t->n + 1) {
        f->seen = t->n + 1;
        f->count++;
    }
    if (c->n == c->cap) {
        c->cap = c->cap ? 2 * c->cap : 256;
        c->keys = xrealloc(c->keys, c->cap * sizeof *c->keys);
        c->vals = xrealloc(c->vals, c->cap * sizeof *c->vals);
    }
    c->keys[c->n] = key;
    c->vals[c->n++] = value;
}

/* Add one labelled text. */
static void train_example(intents *in, train_set *t, train_add_ctx *c, const char *text, int label)
{
    size_t n;
    if (norm_text(text, strlen(text) > INTENTS_MAX_INPUT ? INTENTS_MAX_INPUT : strlen(text),
                  in->norm, INTENTS_MAX_INPUT + 1, &n) < 0)
        return;
    long idx = rules_match(in, in->norm, n);
    c->n = 0;
    model_features(in->norm, n, idx >= 0 ? (int)in->rules[idx].intent : -1, train_add, c);
    if (t->n + 1 >= t->cap) {
        t->cap = t->cap ? 2 * t->cap : 1024;
        t->start = xrealloc(t->start, (t->cap + 1) * sizeof *t->start);
        t->label = xrealloc(t->label, t->cap * sizeof *t->label);
    }
    if (t->nval + c->n > t->capval) {
        t->capval = 2 * (t->nval + c->n);
        t->fidx = xrealloc(t->fidx, t->capval * sizeof *t->fidx);
        t->fval = xrealloc(t->fval, t->capval * sizeof *t->fval);
    }
    t->start[t->n] = t->nval;
    for (size_t i = 0; i < c->n; i++) {
        t->fidx[t->nval] = (size_t)c->keys[i]; /* a key for now: see train_resolve */
        t->fval[t->nval++] = c->vals[i];
    }
    t->label[t->n++] = label;
    t->start[t->n] = t->nval;
}

/* Read "text<TAB>intent" lines of path into t. */
static int train_file(intents *in, train_set *t, train_add_ctx *c, const char *path,
                      char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "%s: cannot open", path);
        return -1;
    }
    char *line = NULL;
    size_t cap = 0;
    int ln = 0, rc = 0;
    while (rc == 0 && getline(&line, &cap, f) >= 0) {
        ln++;
        line[strcspn(line, "\r\n")] = '\0';
        char *tab = strchr(line, '\t');
        if (line[0] == '#' || !tab)
            continue;
        *tab = '\0';
        char *end = strchr(tab + 1, '\t');
        if (end)
            *end = '\0';
        int label = intent_from_name(tab + 1);
        if (label < 0) {
            snprintf(err, errlen, "%s:%d: unknown intent \"%s\"", path, ln, tab + 1);
            rc = -1;
        } else {
            train_example(in, t, c, line, label);
        }
    }
    free(line);
    fclose(f);
    return rc;
}

/* Turn every example's keys into weight-matrix rows (-1: dropped). */
static size_t train_resolve(train_set *t, size_t min_count)
{
    size_t rows = 0;
    for (size_t i = 0; i <= t->mask; i++) {
        train_feat *f = &t->feat[i];
        int structural = f->name && (f->name[0] == 'r' || f->name[0] == 'n' || f->key ==
                                     model_key('x', "", 0));
        f->index = f->key && (f->count >= min_count || structural) ? (long)rows++ : -1;
    }
    for (size_t j = 0; j < t->nval; j++)
        t->fidx[j] = (size_t)t->feat[train_slot(t, (uint64_t)t->fidx[j])].index;
    return rows;
}

static uint64_t train_rand(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* AdaGrad on the softmax loss; W and G are rows x K. */
static void train_fit(const train_set *t, float *W, float *G, size_t K, const intents_train_opts *o)
{
    size_t *order = xmalloc((t->n ? t->n : 1) * sizeof *order);
    for (size_t i = 0; i < t->n; i++)
        order[i] = i;
    uint64_t seed = 0x9e3779b97f4a7c15ull;
    float p[INTENT__COUNT];
    for (int ep = 0; ep < o->epochs; ep++) {
        for (size_t i = t->n; i > 1; i--) {
            size_t j = (size_t)(train_rand(&seed) % i), tmp = order[i - 1];
            order[i - 1] = order[j];
            order[j] = tmp;
        }
        for (size_t e = 0; e < t->n; e++) {
            size_t x = order[e], a = t->start[x], b = t->start[x + 1];
            float mx = -INFINITY, sum = 0;
            for (size_t k = 0; k < K; k++) {
                p[k] = 0;
                for (size_t j = a; j < b; j++)
                    if (t->fidx[j] != (size_t)-1)
                        p[k] += t->fval[j] * W[t->fidx[j] * K + k];
                mx = p[k] > mx ? p[k] : mx;
            }
            for (size_t k = 0; k < K; k++)
                sum += p[k] = expf(p[k] - mx);
            for (size_t k = 0; k < K; k++) {
                float g0 = p[k] / sum - ((size_t)t->label[x] == k ? 1.0f : 0.0f);
                for (size_t j = a; j < b; j++) {
                    if (t->fidx[j] == (size_t)-1)
                        continue;
                    size_t w = t->fidx[j] * K + k;
                    float g = g0 * t->fval[j] + o->l2 * W[w];
                    G[w] += g * g;
                    W[w] -= o->rate * g / (sqrtf(G[w]) + 1e-6f);
                }
            }
        }
    }
    free(order);
}

static int train_name_cmp(const void *a, const void *b)
{
    const train_feat *x = *(const train_feat *const *)a, *y = *(const train_feat *const *)b;
    return strcmp(x->name, y->name);
}

/* Write the classes line and every row that is not all (nearly) zero, by name. */
static void train_write(const train_set *t, const float *W, size_t K, FILE *out)
{
    fputs("classes\t", out);
    for (size_t k = 0; k < K; k++)
        fprintf(out, "%s%s", k ? " " : "", intent_name((intent_id)k));
    fputc('\n', out);
    train_feat **byname = xmalloc((t->nfeat ? t->nfeat : 1) * sizeof *byname);
    size_t m = 0;
    for (size_t i = 0; i <= t->mask; i++)
        if (t->feat[i].key && t->feat[i].index >= 0)
            byname[m++] = &t->feat[i];
    qsort(byname, m, sizeof *byname, train_name_cmp);
    for (size_t i = 0; i < m; i++) {
        const float *row = W + (size_t)byname[i]->index * K;
        float big = 0;
        for (size_t k = 0; k < K; k++)
            big = fabsf(row[k]) > big ? fabsf(row[k]) : big;
        if (big < 0.002f)
            continue;
        fprintf(out, "%s\t", byname[i]->name);
        for (size_t k = 0; k < K; k++) {
            float w = roundf(row[k] * 1000) / 1000;
            fprintf(out, k ? " %g" : "%g", w == 0 ? 0.0 : (double)w);
        }
        fputc('\n', out);
    }
    free(byname);
}

static void train_set_free(train_set *t)
{
    for (size_t i = 0; t->feat && i <= t->mask; i++)
        free(t->feat[i].name);
    free(t->feat);
    free(t->fidx);
    free(t->fval);
    free(t->start);
    free(t->label);
}

int intents_train(intents *in, const char *const *paths, size_t npaths,
                  const intents_train_opts *o, FILE *out, char *err, size_t errlen)
{
    train_set t = {.mask = 1023};
    t.feat = xcalloc(t.mask + 1, sizeof *t.feat);
    train_add_ctx c = {.t = &t};
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < npaths; i++)
        rc = train_file(in, &t, &c, paths[i], err, errlen);
    if (rc == 0 && t.n == 0) {
        snprintf(err, errlen, "no labelled examples");
        rc = -1;
    }
    if (rc == 0) {
        size_t K = INTENT__COUNT, rows = train_resolve(&t, (size_t)o->min_count);
        float *W = xcalloc(rows * K + 1, sizeof *W), *G = xcalloc(rows * K + 1, sizeof *G);
        train_fit(&t, W, G, K, o);
        fprintf(out, "# dvcbot intent model (intents/model.h): written by `dvcbot train`, "
                "do not edit.\n# %zu examples from", t.n);
        for (size_t i = 0; i < npaths; i++)
            fprintf(out, " %s", paths[i]);
        fprintf(out, "\n# epochs %d, rate %g, l2 %g, min_count %d; %zu features kept of %zu\n",
                o->epochs, (double)o->rate, (double)o->l2, o->min_count, rows, t.nfeat);
        train_write(&t, W, K, out);
        free(W);
        free(G);
    }
    free(c.keys);
    free(c.vals);
    train_set_free(&t);
    return rc;
}
