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
#define MODEL_STRIDE ((INTENT__COUNT + 3) & ~3)
/* Larger weights are refused, so that no sum of them overflows a float. */
#define MODEL_MAX_WEIGHT 1000.0f
_Static_assert(INTENT__COUNT <= MODEL_STRIDE && MODEL_STRIDE % 4 == 0, "a row holds every intent");
/* 3-byte n-grams of [a-z0 ] (most features of a text) are found without
 * hashing: each byte is a 5-bit class (0: none of these), the three classes
 * index tri[] directly, which holds the row + 1 (0: not in the model). */
#define MODEL_TRI (1u << 15)

struct model {
    size_t nclass;
    int cls[INTENT__COUNT];  /* class index (file order) -> intent id */
    int has[INTENT__COUNT];  /* intent id has a class */
    uint64_t *keys;          /* open addressing on key, 0 = empty */
    uint32_t *row;           /* row of rows[] of keys[i] */
    uint32_t *tri;           /* MODEL_TRI entries: row + 1 of a direct n-gram */
    /* the rows of the features every text has, found once at load (NULL: absent) */
    const float *xrow;                      /* bias */
    const float *nrow[8];                   /* n:1 .. n:7 */
    const float *rrow[INTENT__COUNT + 1];   /* r:<intent>, [INTENT__COUNT] r:none */
    float *rows;             /* rows[row * MODEL_STRIDE + intent], 64-byte aligned */
    void *rows_mem;
    size_t mask;             /* table size - 1 */
    unsigned shift;          /* 64 - log2(table size) */
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

/* A slice of at most MODEL_EXACT bytes is its own key: kind, length and the
 * bytes packed into 64 bits (bit 63 clear, kinds being ASCII), so that the
 * features of most texts (3-byte n-grams, short words) cost no hashing;
 * a longer one is hashed, with bit 63 set so the two never meet. */
#define MODEL_EXACT 6
#define MODEL_LONG (1ull << 63)

uint64_t model_key(char kind, const char *slice, size_t len)
{
    if (kind == 'x')
        len = 0;
    uint64_t w = 0;
    if (len <= MODEL_EXACT) {
        for (size_t i = 0; i < len; i++)
            w |= (uint64_t)(unsigned char)slice[i] << (8 * i);
        return (uint64_t)(unsigned char)kind << 56 | (uint64_t)len << 48 | w;
    }
    uint64_t h = ((uint64_t)(unsigned char)kind << 56 | len) * 0x9e3779b97f4a7c15ull;
    for (; len >= 8; slice += 8, len -= 8) {
        memcpy(&w, slice, 8);
        h = model_mix(h ^ w);
    }
    w = 0;
    for (size_t i = 0; i < len; i++)
        w |= (uint64_t)(unsigned char)slice[i] << (8 * i);
    return model_mix(h ^ w) | MODEL_LONG;
}

/* model_key for a slice followed by at least 8 readable bytes (the token
 * buffer's slack): the tail is one masked load instead of a byte loop. */
static inline uint64_t model_key_slack(char kind, const char *slice, size_t len)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    uint64_t w;
    if (len <= MODEL_EXACT) {
        memcpy(&w, slice, 8);
        w &= len ? ~0ull >> (64 - 8 * len) : 0;
        return (uint64_t)(unsigned char)kind << 56 | (uint64_t)len << 48 | w;
    }
    uint64_t h = ((uint64_t)(unsigned char)kind << 56 | len) * 0x9e3779b97f4a7c15ull;
    for (; len >= 8; slice += 8, len -= 8) {
        memcpy(&w, slice, 8);
        h = model_mix(h ^ w);
    }
    memcpy(&w, slice, 8);
    w &= len ? ~0ull >> (64 - 8 * len) : 0;
    return model_mix(h ^ w) | MODEL_LONG;
#else
    return model_key(kind, slice, len);
#endif
}

/* The table slot a key starts probing at (Fibonacci hashing: the packed
 * keys' low bits are text, the product's high bits are mixed). */
static inline size_t model_home(const model *m, uint64_t key)
{
    return (size_t)((key * 0x9e3779b97f4a7c15ull) >> m->shift);
}

/* Byte classes of the token buffer: MODEL_CLS_WORD set for a word byte
 * ([a-z0-9], >= 0x80), the low 5 bits the byte's class in tri[] (0: none;
 * every digit is '0'). */
#define MODEL_CLS_WORD 0x80
static const unsigned char model_cls_tab[256] = {
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x82, 0x82, 0x82, 0x82, 0x82, 0x82, 0x82, 0x82, 0x82, 0x82, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a, 0x8b, 0x8c, 0x8d, 0x8e, 0x8f, 0x90, 0x91,
    0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9a, 0x9b, 0x9c, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
    0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
    0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
    0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
    0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
    0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
    0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
    0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
};

static const unsigned char *model_cls(void)
{
    return model_cls_tab;
}

/* " tok tok ... " into t (capacity n + 3); returns its length; token starts
 * and ends go to st[]/en[] (capacity n / 2 + 1), their count to *ntok; the
 * tri[] class of every byte of t to tc[] (capacity n + 3); *plain is 1 when
 * every byte has one (no byte >= 0x80). */
static size_t model_tokens(const char *s, size_t n, char *t, unsigned char *tc, size_t *st,
                           size_t *en, size_t *ntok, int *plain)
{
    const unsigned char *cls = model_cls();
    size_t k = 0, m = 0;
    unsigned char all = 0x1f;
    tc[k] = 1;
    t[k++] = ' ';
    for (size_t i = 0; i < n;) {
        if (!(cls[(unsigned char)s[i]] & MODEL_CLS_WORD)) {
            i++;
            continue;
        }
        st[m] = k;
        unsigned char c;
        while (i < n && ((c = cls[(unsigned char)s[i]]) & MODEL_CLS_WORD)) {
            tc[k] = c & 0x1f;
            all = tc[k] ? all : 0;
            t[k++] = (c & 0x1f) == 2 ? '0' : s[i];
            i++;
        }
        en[m++] = k;
        tc[k] = 1;
        t[k++] = ' ';
    }
    *ntok = m;
    *plain = all != 0;
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
    model_vec unit[MODEL_STRIDE / 4];   /* sum of the rows of weight-1 features */
    model_vec scaled[MODEL_STRIDE / 4]; /* sum of the rows of w/b/c features */
    uint64_t key[MODEL_BATCH];
    unsigned char is_unit[MODEL_BATCH];
    size_t n;
    const float *srow[MODEL_BATCH];     /* direct n-gram rows, prefetched */
    size_t ns;
} model_sink;

static size_t model_slot(const model *m, uint64_t key);

/* Unrolled so that a local accumulator stays in registers (the sums and
 * their order are the same). */
static inline void model_add(model_vec *acc, const float *rowp)
{
    const model_vec *row = (const model_vec *)rowp;
#pragma GCC unroll 8
    for (size_t c = 0; c < MODEL_STRIDE / 4; c++)
        acc[c] += row[c];
}

static void model_flush_rows(model_sink *k)
{
    model_vec acc[MODEL_STRIDE / 4];
    memcpy(acc, k->scaled, sizeof acc);
    for (size_t j = 0; j < k->ns; j++)
        model_add(acc, k->srow[j]);
    memcpy(k->scaled, acc, sizeof acc);
    k->ns = 0;
}

static void model_flush(model_sink *k)
{
    const model *m = k->m;
    const float *rowp[MODEL_BATCH];
    unsigned char unit[MODEL_BATCH] = {0};
    size_t n = 0;
    for (size_t j = 0; j < k->n; j++)
        __builtin_prefetch(&m->keys[model_home(m, k->key[j])]);
    /* features the model does not know are dropped here; rows are fetched
     * while the remaining keys are probed */
    for (size_t j = 0; j < k->n; j++) {
        size_t i = model_slot(m, k->key[j]);
        if (!m->keys[i])
            continue;
        rowp[n] = m->rows + (size_t)m->row[i] * MODEL_STRIDE;
        __builtin_prefetch(rowp[n]);
        unit[n++] = k->is_unit[j];
    }
    model_vec u[MODEL_STRIDE / 4], sc[MODEL_STRIDE / 4];
    memcpy(u, k->unit, sizeof u);
    memcpy(sc, k->scaled, sizeof sc);
    for (size_t j = 0; j < n; j++) {
        if (unit[j])
            model_add(u, rowp[j]);
        else
            model_add(sc, rowp[j]);
    }
    memcpy(k->unit, u, sizeof u);
    memcpy(k->scaled, sc, sizeof sc);
    k->n = 0;
}

/* tri[] index of 3 bytes of classes c[0..3) (model_tokens), or MODEL_TRI
 * when one has no class. */
static inline unsigned model_tri_of(const unsigned char *c)
{
    return c[0] && c[1] && c[2] ? (unsigned)c[0] << 10 | (unsigned)c[1] << 5 | c[2] : MODEL_TRI;
}

/* The same from the bytes (a model file's feature). */
static unsigned model_tri_index(const char *p)
{
    const unsigned char *cls = model_cls();
    unsigned char c[3];
    for (int i = 0; i < 3; i++)
        c[i] = (cls[(unsigned char)p[i]] & MODEL_CLS_WORD) || p[i] == ' ' ?
               cls[(unsigned char)p[i]] & 0x1f : 0;
    return model_tri_of(c);
}

/* tri: the slice's tri[] index for a 3-byte n-gram, else MODEL_TRI. */
static inline void model_emit(model_sink *k, char kind, const char *slice, size_t len, float v,
                              unsigned tri)
{
    if (k->fn) {
        k->fn(kind, slice, len, v, k->ctx);
        return;
    }
    if (kind == 'c') {
        unsigned t = tri;
        if (t < MODEL_TRI) {
            uint32_t r = k->m->tri[t];
            if (r) {
                k->srow[k->ns] = k->m->rows + (size_t)(r - 1) * MODEL_STRIDE;
                __builtin_prefetch(k->srow[k->ns]);
                if (++k->ns == MODEL_BATCH)
                    model_flush_rows(k);
            }
            return;
        }
    }
    /* slices of the token buffer (words, pairs, n-grams) have its slack */
    int in_t = kind == 'w' || kind == 'b' || kind == 'c' || kind == 's' || kind == 'e';
    k->key[k->n] = in_t ? model_key_slack(kind, slice, len) : model_key(kind, slice, len);
    k->is_unit[k->n++] = !(kind == 'w' || kind == 'b' || kind == 'c');
    if (k->n == MODEL_BATCH)
        model_flush(k);
}

/* Prediction: the bias, length and rule rows, found at load. */
static void model_fixed(model_sink *k, char nb, int rule)
{
    const model *m = k->m;
    const float *r = m->rrow[rule >= 0 && rule < INTENT__COUNT ? rule : INTENT__COUNT];
    const float *nr = nb >= '1' && nb <= '8' ? m->nrow[nb - '1'] : NULL;
    if (m->xrow)
        model_add(k->unit, m->xrow);
    if (nr)
        model_add(k->unit, nr);
    if (r)
        model_add(k->unit, r);
}

/* Prediction: every 3-byte n-gram of a text whose bytes all have a tri[]
 * class, by a rolling index (no check, no hashing). */
static void model_tris(model_sink *k, const unsigned char *tc, size_t len)
{
    const model *m = k->m;
    const uint32_t *tri = m->tri;
    size_t ns = k->ns; /* kept in a register between flushes */
    if (len < 3)
        return;
    unsigned idx = (unsigned)tc[0] << 5 | tc[1];
    for (size_t i = 2; i < len; i++) {
        idx = (idx << 5 | tc[i]) & (MODEL_TRI - 1);
        uint32_t r = tri[idx];
        if (!r)
            continue;
        const float *row = m->rows + (size_t)(r - 1) * MODEL_STRIDE;
        __builtin_prefetch(row);
        k->srow[ns] = row;
        if (++ns == MODEL_BATCH) {
            k->ns = ns;
            model_flush_rows(k);
            ns = 0;
        }
    }
    k->ns = ns;
}

/* Emits every feature into k; returns the weight of the w/b/c features. */
static float model_enum(const char *s, size_t n, int rule, model_sink *k)
{
    char t[INTENTS_MAX_INPUT + 3 + 8]; /* + 8: slack for model_key_slack */
    unsigned char tc[INTENTS_MAX_INPUT + 3];
    size_t st[INTENTS_MAX_INPUT / 2 + 1], en[INTENTS_MAX_INPUT / 2 + 1], ntok;
    if (n > INTENTS_MAX_INPUT)
        n = INTENTS_MAX_INPUT;
    int plain;
    size_t len = model_tokens(s, n, t, tc, st, en, &ntok, &plain);
    memset(t + len, 0, 8);
    size_t count = ntok + (ntok ? ntok - 1 : 0) + (len >= 3 ? len - 2 : 0);
    float v = count ? 1.0f / sqrtf((float)count) : 0;
    char nb = model_bucket(ntok);
    if (k->fn) {
        const char *rname = rule >= 0 ? intent_name((intent_id)rule) : "none";
        model_emit(k, 'x', "", 0, 1.0f, MODEL_TRI);
        model_emit(k, 'n', &nb, 1, 1.0f, MODEL_TRI);
        model_emit(k, 'r', rname, strlen(rname), 1.0f, MODEL_TRI);
    } else {
        model_fixed(k, nb, rule);
    }
    if (ntok) {
        model_emit(k, 's', t + st[0], en[0] - st[0], 1.0f, MODEL_TRI);
        model_emit(k, 'e', t + st[ntok - 1], en[ntok - 1] - st[ntok - 1], 1.0f, MODEL_TRI);
    }
    for (size_t i = 0; i < ntok; i++) {
        model_emit(k, 'w', t + st[i], en[i] - st[i], v, MODEL_TRI);
        if (i + 1 < ntok)
            model_emit(k, 'b', t + st[i], en[i + 1] - st[i], v, MODEL_TRI);
    }
    if (!k->fn && plain)
        model_tris(k, tc, len);
    else
        for (size_t i = 0; i + 3 <= len; i++)
            model_emit(k, 'c', t + i, 3, v, model_tri_of(tc + i));
    return v;
}

void model_features(const char *s, size_t n, int rule, model_feature_fn *fn, void *ctx)
{
    model_sink k = {.fn = fn, .ctx = ctx};
    model_enum(s, n, rule, &k);
}

/* Slot of key in m (its row, or the empty slot where it would go). */
static size_t model_slot(const model *m, uint64_t key)
{
    size_t i = model_home(m, key);
    while (m->keys[i] && m->keys[i] != key)
        i = (i + 1) & m->mask;
    return i;
}

void model_predict(const model *m, const char *s, size_t n, int rule, float *p)
{
    model_sink a;                   /* the batches need no zeroing */
    a.fn = NULL;
    a.ctx = NULL;
    a.m = m;
    a.n = a.ns = 0;
    memset(a.unit, 0, sizeof a.unit);
    memset(a.scaled, 0, sizeof a.scaled);
    float v = model_enum(s, n, rule, &a);
    model_flush(&a);
    model_flush_rows(&a);
    union {
        model_vec v[MODEL_STRIDE / 4];
        float f[MODEL_STRIDE];
    } tot;
    for (size_t c = 0; c < MODEL_STRIDE / 4; c++)
        tot.v[c] = a.unit[c] + v * a.scaled[c];
    const float *score = tot.f;
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

/* strtof(p, end) (see model.h): a decimal of at most 7 digits, of which at
 * most 10 after the point, is d / 10^k with d < 2^24 and 10^k exact floats;
 * their quotient rounded to double and then to float is the correctly
 * rounded float (double has more than 2 * 24 + 2 bits), which is what
 * strtof returns. Anything else (exponents, more digits, hex, inf, other
 * white space) goes to strtof. */
float model_weight(const char *p, char **end)
{
    static const double ten[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10};
    const char *s = p + strspn(p, " \t"); /* strtof skips leading blanks too */
    const char *q = s + (*s == '-');
    uint32_t d = 0;
    int digits = 0, frac = -1;
    for (;; q++) {
        if (*q >= '0' && *q <= '9' && digits < 7) {
            d = d * 10 + (uint32_t)(*q - '0');
            digits++;
            frac += frac >= 0;
        } else if (*q == '.' && frac < 0) {
            frac = 0;
        } else {
            break;
        }
    }
    int frac_ok = frac < 0 || (frac >= 1 && frac <= 10);
    if (!digits || !frac_ok || (*q >= '0' && *q <= '9') || *q == '.' || *q == 'e' ||
        *q == 'E' || (*q && *q != ' ' && *q != '\t' && *q != '\n' && *q != '\r'))
        return strtof(p, end);
    *end = (char *)q;
    float w = (float)((double)d / ten[frac < 0 ? 0 : frac]);
    return *s == '-' ? -w : w;
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
    if (m->keys[i]) {
        snprintf(err, errlen, "%s:%d: feature \"%s\" repeated", path, ln, line);
        return -1;
    }
    m->keys[i] = key;
    m->row[i] = (uint32_t)m->nfeat;
    if (kind == 'c' && strlen(line + 2) == 3 && model_tri_index(line + 2) < MODEL_TRI)
        m->tri[model_tri_index(line + 2)] = (uint32_t)m->nfeat + 1;
    char *p = tab + 1, *end;
    for (size_t k = 0; k < m->nclass; k++, p = end) {
        errno = 0;
        float w = model_weight(p, &end);
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

/* The row of a feature, or NULL. */
static const float *model_row_of(const model *m, char kind, const char *slice, size_t len)
{
    size_t i = model_slot(m, model_key(kind, slice, len));
    return m->keys[i] ? m->rows + (size_t)m->row[i] * MODEL_STRIDE : NULL;
}

static void model_find_fixed(model *m)
{
    m->xrow = model_row_of(m, 'x', "", 0);
    for (int b = 0; b < 8; b++) {
        char nb = (char)('1' + b);
        m->nrow[b] = model_row_of(m, 'n', &nb, 1);
    }
    for (int i = 0; i <= INTENT__COUNT; i++) {
        const char *name = i < INTENT__COUNT ? intent_name((intent_id)i) : "none";
        m->rrow[i] = model_row_of(m, 'r', name, strlen(name));
    }
}

/* Newlines in f (then rewound): block reads and memchr, not getc per byte,
 * since every `dvcbot classify` and `serve` start reads the whole file. */
static size_t model_count_lines(FILE *f)
{
    char buf[1 << 16];
    size_t lines = 0, got;
    while ((got = fread(buf, 1, sizeof buf, f)) > 0)
        for (const char *p = buf; (p = memchr(p, '\n', (size_t)(buf + got - p))) != NULL; p++)
            lines++;
    rewind(f);
    return lines;
}

model *model_load(const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return NULL;
    }
    size_t lines = model_count_lines(f);
    model *m = xcalloc(1, sizeof *m);
    size_t size = 64;
    while (size < 2 * lines + 4)
        size *= 2;
    m->mask = size - 1;
    m->shift = 64;
    for (size_t z = size; z > 1; z >>= 1)
        m->shift--;
    m->keys = xcalloc(size, sizeof *m->keys);
    m->row = xcalloc(size, sizeof *m->row);
    m->tri = xcalloc(MODEL_TRI, sizeof *m->tri);
    m->rows_mem = xcalloc((lines + 2) * MODEL_STRIDE, sizeof *m->rows);
    m->rows = (float *)(((uintptr_t)m->rows_mem + 63) & ~(uintptr_t)63);
    int rc = model_parse(m, f, path, err, errlen);
    fclose(f);
    if (rc < 0) {
        model_free(m);
        return NULL;
    }
    model_find_fixed(m);
    return m;
}

void model_free(model *m)
{
    if (!m)
        return;
    free(m->keys);
    free(m->row);
    free(m->tri);
    free(m->rows_mem);
    free(m);
}
