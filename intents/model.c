/* model.c -- the linear intent model (see model.h): feature extraction,
 * loading of the weight file into an open-addressing table of 64-bit feature
 * keys, and the softmax prediction. */
#include "intents/model.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/xmalloc.h"
#include "intents/rules.h"


/* A row holds one weight per intent id (MODEL_STRIDE floats, one cache
 * line, so that the accumulation loop has a fixed length and vectorises);
 * intents the file has no class for weigh 0 and are masked out. */
#define MODEL_STRIDE 16
/* Larger weights are refused, so that no sum of them overflows a float. */
#define MODEL_MAX_WEIGHT 1000.0f
_Static_assert(INTENT__COUNT <= MODEL_STRIDE, "a model row holds every intent");

typedef struct model_slot_t {
    uint64_t key;
    uint64_t row;            /* row of rows[] */
} model_slot_t;

struct model {
    size_t nclass;
    int cls[INTENT__COUNT];  /* class index (file order) -> intent id */
    int has[INTENT__COUNT];  /* intent id has a class */
    model_slot_t *slots;     /* open addressing on key, 0 = empty */
    float *rows;             /* rows[row * MODEL_STRIDE + intent], 64-byte aligned */
    void *rows_mem;
    size_t mask;             /* table size - 1 */
    size_t nfeat;
};

/* The murmur3 64-bit finaliser: every input bit reaches every output bit. */
static uint64_t model_mix(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 33;
    return h;
}

uint64_t model_key(char kind, const char *slice, size_t len)
{
    if (kind == 'x')
        len = 0;
    uint64_t h = ((uint64_t)(unsigned char)kind << 56 | len) * 0x9e3779b97f4a7c15ull, w;
    for (; len >= 8; slice += 8, len -= 8) {
        memcpy(&w, slice, 8);
        h = model_mix(h ^ w);
    }
    w = 0;
    for (size_t i = 0; i < len; i++)
        w |= (uint64_t)(unsigned char)slice[i] << (8 * i);
    h = model_mix(h ^ w);
    return h ? h : 1; /* 0 marks an empty slot */
}

/* model_key for a slice followed by at least 8 readable bytes (the token
 * buffer's slack): the tail is one masked load instead of a byte loop. */
static inline uint64_t model_key_slack(char kind, const char *slice, size_t len)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    uint64_t h = ((uint64_t)(unsigned char)kind << 56 | len) * 0x9e3779b97f4a7c15ull, w;
    for (; len >= 8; slice += 8, len -= 8) {
        memcpy(&w, slice, 8);
        h = model_mix(h ^ w);
    }
    memcpy(&w, slice, 8);
    w &= len ? ~0ull >> (64 - 8 * len) : 0;
    h = model_mix(h ^ w);
    return h ? h : 1;
#else
    return model_key(kind, slice, len);
#endif
}

static int model_word_byte(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c >= 0x80;
}

/* " tok tok ... " into t (capacity n + 3); returns its length; token starts
 * and ends go to st[]/en[] (capacity n / 2 + 1), their count to *ntok. */
static size_t model_tokens(const char *s, size_t n, char *t, size_t *st, size_t *en, size_t *ntok)
{
    size_t k = 0, m = 0;
    t[k++] = ' ';
    for (size_t i = 0; i < n;) {
        if (!model_word_byte((unsigned char)s[i])) {
            i++;
            continue;
        }
        st[m] = k;
        while (i < n && model_word_byte((unsigned char)s[i])) {
            char c = s[i++];
            t[k++] = c >= '0' && c <= '9' ? '0' : c;
        }
        en[m++] = k;
        t[k++] = ' ';
    }
    *ntok = m;
    return k;
}

static char model_bucket(size_t ntok)
{
    static const size_t edge[] = {1, 2, 4, 8, 16, 32};
    char b = '1';
    for (size_t i = 0; i < sizeof edge / sizeof edge[0] && ntok > edge[i]; i++)
        b++;
    return b;
}

/* Four floats added at once (a GCC/Clang vector extension: SSE on x86-64,
 * plain code elsewhere); rows are 64-byte aligned. */
typedef float model_vec __attribute__((vector_size(16)));

/* Where features go: a callback (training) or a model's scores (prediction).
 * Prediction buffers MODEL_BATCH keys, then prefetches their slots, then
 * their rows, then adds: the table lookups overlap instead of waiting on
 * each other's cache misses. */
#define MODEL_BATCH 64
typedef struct model_sink {
    model_feature_fn *fn;
    void *ctx;
    const model *m;
    union {
        model_vec v[MODEL_STRIDE / 4];
        float f[MODEL_STRIDE];
    } score;
    uint64_t key[MODEL_BATCH];
    float val[MODEL_BATCH];
    size_t n;
} model_sink;

static size_t model_slot(const model *m, uint64_t key);

static void model_flush(model_sink *k)
{
    const model *m = k->m;
    const float *rowp[MODEL_BATCH];
    size_t slot[MODEL_BATCH];
    for (size_t j = 0; j < k->n; j++) {
        slot[j] = (size_t)k->key[j] & m->mask;
        __builtin_prefetch(&m->slots[slot[j]]);
    }
    for (size_t j = 0; j < k->n; j++) {
        const model_slot_t *sl = &m->slots[model_slot(m, k->key[j])];
        rowp[j] = sl->key ? m->rows + sl->row * MODEL_STRIDE : NULL;
        if (rowp[j])
            __builtin_prefetch(rowp[j]);
    }
    for (size_t j = 0; j < k->n; j++) {
        if (!rowp[j])
            continue;
        const model_vec *row = (const model_vec *)rowp[j];
        for (size_t c = 0; c < MODEL_STRIDE / 4; c++)
            k->score.v[c] += k->val[j] * row[c];
    }
    k->n = 0;
}

static inline void model_emit(model_sink *k, char kind, const char *slice, size_t len, float v)
{
    if (k->fn) {
        k->fn(kind, slice, len, v, k->ctx);
        return;
    }
    /* slices of the token buffer (words, pairs, n-grams) have its slack */
    int in_t = kind == 'w' || kind == 'b' || kind == 'c' || kind == 's' || kind == 'e';
    k->key[k->n] = in_t ? model_key_slack(kind, slice, len) : model_key(kind, slice, len);
    k->val[k->n++] = v;
    if (k->n == MODEL_BATCH)
        model_flush(k);
}

static void model_enum(const char *s, size_t n, int rule, model_sink *k)
{
    char t[INTENTS_MAX_INPUT + 3 + 8]; /* + 8: slack for model_key_slack */
    size_t st[INTENTS_MAX_INPUT / 2 + 1], en[INTENTS_MAX_INPUT / 2 + 1], ntok;
    if (n > INTENTS_MAX_INPUT)
        n = INTENTS_MAX_INPUT;
    size_t len = model_tokens(s, n, t, st, en, &ntok);
    memset(t + len, 0, 8);
    size_t count = ntok + (ntok ? ntok - 1 : 0) + (len >= 3 ? len - 2 : 0);
    float v = count ? 1.0f / sqrtf((float)count) : 0;
    char nb = model_bucket(ntok);
    const char *rname = rule >= 0 ? intent_name((intent_id)rule) : "none";
    model_emit(k, 'x', "", 0, 1.0f);
    model_emit(k, 'n', &nb, 1, 1.0f);
    model_emit(k, 'r', rname, strlen(rname), 1.0f);
    if (ntok) {
        model_emit(k, 's', t + st[0], en[0] - st[0], 1.0f);
        model_emit(k, 'e', t + st[ntok - 1], en[ntok - 1] - st[ntok - 1], 1.0f);
    }
    for (size_t i = 0; i < ntok; i++) {
        model_emit(k, 'w', t + st[i], en[i] - st[i], v);
        if (i + 1 < ntok)
            model_emit(k, 'b', t + st[i], en[i + 1] - st[i], v);
    }
    for (size_t i = 0; i + 3 <= len; i++) {
        model_emit(k, 'c', t + i, 3, v);
    }
}

void model_features(const char *s, size_t n, int rule, model_feature_fn *fn, void *ctx)
{
    model_sink k = {.fn = fn, .ctx = ctx};
    model_enum(s, n, rule, &k);
}

/* Slot of key in m (its row, or the empty slot where it would go). */
static size_t model_slot(const model *m, uint64_t key)
{
    size_t i = (size_t)key & m->mask;
    while (m->slots[i].key && m->slots[i].key != key)
        i = (i + 1) & m->mask;
    return i;
}

void model_predict(const model *m, const char *s, size_t n, int rule, float *p)
{
    model_sink a = {.m = m};
    model_enum(s, n, rule, &a);
    model_flush(&a);
    const float *score = a.score.f;
    float mx = -INFINITY, sum = 0;
    for (int i = 0; i < INTENT__COUNT; i++)
        if (m->has[i] && score[i] > mx)
            mx = score[i];
    for (int i = 0; i < INTENT__COUNT; i++)
        sum += p[i] = m->has[i] ? expf(score[i] - mx) : 0;
    for (int i = 0; i < INTENT__COUNT; i++)
        p[i] /= sum;
}

/* "classes<TAB>a b c": the class list. */
static int model_classes(model *m, char *line, char *err, size_t errlen, const char *path, int ln)
{
    char *save = NULL;
    for (char *w = strtok_r(line + 8, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
        int id = intent_from_name(w);
        if (id < 0 || m->nclass == INTENT__COUNT) {
            snprintf(err, errlen, "%s:%d: unknown or repeated class \"%s\"", path, ln, w);
            return -1;
        }
        for (size_t k = 0; k < m->nclass; k++)
            if (m->cls[k] == id) {
                snprintf(err, errlen, "%s:%d: repeated class \"%s\"", path, ln, w);
                return -1;
            }
        m->cls[m->nclass++] = id;
        m->has[id] = 1;
    }
    if (m->nclass < 2) {
        snprintf(err, errlen, "%s:%d: fewer than 2 classes", path, ln);
        return -1;
    }
    return 0;
}

/* "feature<TAB>w w w": one row. */
static int model_row(model *m, char *line, char *err, size_t errlen, const char *path, int ln)
{
    char *tab = strchr(line, '\t');
    if (!tab || tab == line) {
        snprintf(err, errlen, "%s:%d: expected \"feature<TAB>weights\"", path, ln);
        return -1;
    }
    *tab = '\0';
    char kind = strcmp(line, "bias") == 0 ? 'x' : line[0];
    if (kind != 'x' && (line[1] != ':' || !line[2])) {
        snprintf(err, errlen, "%s:%d: feature \"%s\" is not kind:slice", path, ln, line);
        return -1;
    }
    uint64_t key = model_key(kind, line + 2, kind == 'x' ? 0 : strlen(line + 2));
    size_t i = model_slot(m, key);
    if (m->slots[i].key) {
        snprintf(err, errlen, "%s:%d: feature \"%s\" repeated", path, ln, line);
        return -1;
    }
    m->slots[i].key = key;
    m->slots[i].row = m->nfeat;
    char *p = tab + 1, *end;
    for (size_t k = 0; k < m->nclass; k++, p = end) {
        errno = 0;
        float w = strtof(p, &end);
        if (end == p || errno || !isfinite(w) || fabsf(w) > MODEL_MAX_WEIGHT) {
            snprintf(err, errlen, "%s:%d: feature \"%s\": %zu weights (|w| <= %g) expected", path,
                     ln, line, m->nclass, (double)MODEL_MAX_WEIGHT);
            return -1;
        }
        m->rows[m->nfeat * MODEL_STRIDE + (size_t)m->cls[k]] = w;
    }
    m->nfeat++;
    return 0;
}

static int model_parse(model *m, FILE *f, const char *path, char *err, size_t errlen)
{
    char *line = NULL;
    size_t cap = 0;
    int ln = 0, rc = 0;
    ssize_t got;
    while (rc == 0 && (got = getline(&line, &cap, f)) >= 0) {
        ln++;
        line[strcspn(line, "\r\n")] = '\0';
        if (line[0] == '#' || line[0] == '\0')
            continue;
        if (!m->nclass && strncmp(line, "classes\t", 8) != 0) {
            snprintf(err, errlen, "%s:%d: expected \"classes<TAB>...\" first", path, ln);
            rc = -1;
        } else if (!m->nclass) {
            rc = model_classes(m, line, err, errlen, path, ln);
        } else if (m->nfeat * 2 + 2 > m->mask) {
            snprintf(err, errlen, "%s:%d: more features than counted", path, ln);
            rc = -1;
        } else {
            rc = model_row(m, line, err, errlen, path, ln);
        }
    }
    free(line);
    if (rc == 0 && !m->nclass) {
        snprintf(err, errlen, "%s: no \"classes\" line", path);
        rc = -1;
    }
    return rc;
}

model *model_load(const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return NULL;
    }
    size_t lines = 0;
    for (int c; (c = getc(f)) != EOF;)
        lines += c == '\n';
    rewind(f);
    model *m = xcalloc(1, sizeof *m);
    size_t size = 64;
    while (size < 2 * lines + 4)
        size *= 2;
    m->mask = size - 1;
    m->slots = xcalloc(size, sizeof *m->slots);
    m->rows_mem = xcalloc((lines + 2) * MODEL_STRIDE, sizeof *m->rows);
    m->rows = (float *)(((uintptr_t)m->rows_mem + 63) & ~(uintptr_t)63);
    int rc = model_parse(m, f, path, err, errlen);
    fclose(f);
    if (rc < 0) {
        model_free(m);
        return NULL;
    }
    return m;
}

void model_free(model *m)
{
    if (!m)
        return;
    free(m->slots);
    free(m->rows_mem);
    free(m);
}
