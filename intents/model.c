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

#define MODEL_FNV_OFFSET 0xcbf29ce484222325ull
#define MODEL_FNV_PRIME 0x100000001b3ull

struct model {
    size_t nclass;
    int cls[INTENT__COUNT];  /* class index -> intent id */
    uint64_t *keys;          /* open addressing, 0 = empty */
    float *rows;             /* rows[slot * nclass + k] */
    size_t mask;             /* table size - 1 */
    size_t nfeat;
};

static uint64_t model_fnv(uint64_t h, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * MODEL_FNV_PRIME;
    return h;
}

uint64_t model_key(char kind, const char *slice, size_t len)
{
    uint64_t h;
    if (kind == 'x')
        h = model_fnv(MODEL_FNV_OFFSET, "bias", 4);
    else {
        char pre[2] = {kind, ':'};
        h = model_fnv(model_fnv(MODEL_FNV_OFFSET, pre, 2), slice, len);
    }
    return h ? h : 1; /* 0 marks an empty slot */
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

void model_features(const char *s, size_t n, int rule, model_feature_fn *fn, void *ctx)
{
    char t[INTENTS_MAX_INPUT + 3];
    size_t st[INTENTS_MAX_INPUT / 2 + 1], en[INTENTS_MAX_INPUT / 2 + 1], ntok;
    if (n > INTENTS_MAX_INPUT)
        n = INTENTS_MAX_INPUT;
    size_t len = model_tokens(s, n, t, st, en, &ntok);
    size_t count = ntok + (ntok ? ntok - 1 : 0) + (len >= 3 ? len - 2 : 0) + (len >= 4 ? len - 3 : 0);
    float v = count ? 1.0f / sqrtf((float)count) : 0;
    char nb = model_bucket(ntok);
    const char *rname = rule >= 0 ? intent_name((intent_id)rule) : "none";
    fn('x', "", 0, 1.0f, ctx);
    fn('n', &nb, 1, 1.0f, ctx);
    fn('r', rname, strlen(rname), 1.0f, ctx);
    if (ntok) {
        fn('s', t + st[0], en[0] - st[0], 1.0f, ctx);
        fn('e', t + st[ntok - 1], en[ntok - 1] - st[ntok - 1], 1.0f, ctx);
    }
    for (size_t i = 0; i < ntok; i++) {
        fn('w', t + st[i], en[i] - st[i], v, ctx);
        if (i + 1 < ntok)
            fn('b', t + st[i], en[i + 1] - st[i], v, ctx);
    }
    for (size_t i = 0; i + 3 <= len; i++) {
        fn('c', t + i, 3, v, ctx);
        if (i + 4 <= len)
            fn('d', t + i, 4, v, ctx);
    }
}

/* Slot of key in m (its row, or the empty slot where it would go). */
static size_t model_slot(const model *m, uint64_t key)
{
    size_t i = (size_t)(key ^ (key >> 29)) & m->mask;
    while (m->keys[i] && m->keys[i] != key)
        i = (i + 1) & m->mask;
    return i;
}

typedef struct model_acc {
    const model *m;
    float score[INTENT__COUNT];
} model_acc;

static void model_add(char kind, const char *slice, size_t len, float value, void *ctx)
{
    model_acc *a = ctx;
    const model *m = a->m;
    size_t i = model_slot(m, model_key(kind, slice, len));
    if (!m->keys[i])
        return;
    const float *row = m->rows + i * m->nclass;
    for (size_t k = 0; k < m->nclass; k++)
        a->score[k] += value * row[k];
}

void model_predict(const model *m, const char *s, size_t n, int rule, float *p)
{
    model_acc a = {.m = m};
    model_features(s, n, rule, model_add, &a);
    float mx = a.score[0], sum = 0;
    for (size_t k = 1; k < m->nclass; k++)
        mx = a.score[k] > mx ? a.score[k] : mx;
    for (size_t k = 0; k < m->nclass; k++)
        sum += a.score[k] = expf(a.score[k] - mx);
    for (int i = 0; i < INTENT__COUNT; i++)
        p[i] = 0;
    for (size_t k = 0; k < m->nclass; k++)
        p[m->cls[k]] = a.score[k] / sum;
}

/* "classes<TAB>a b c": the class list. */
static int model_classes(model *m, char *line, char *err, size_t errlen, const char *path, int ln)
{
    for (char *save = NULL, *w = strtok_r(line + 8, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
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
    if (m->keys[i]) {
        snprintf(err, errlen, "%s:%d: feature \"%s\" repeated", path, ln, line);
        return -1;
    }
    m->keys[i] = key;
    char *p = tab + 1, *end;
    for (size_t k = 0; k < m->nclass; k++, p = end) {
        errno = 0;
        float w = strtof(p, &end);
        if (end == p || errno || !isfinite(w)) {
            snprintf(err, errlen, "%s:%d: feature \"%s\": %zu weights expected", path, ln, line, m->nclass);
            return -1;
        }
        m->rows[i * m->nclass + k] = w;
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
    m->keys = xcalloc(size, sizeof *m->keys);
    m->rows = xcalloc(size * INTENT__COUNT, sizeof *m->rows);
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
    free(m->keys);
    free(m->rows);
    free(m);
}
