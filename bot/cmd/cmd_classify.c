/* cmd_classify.c -- the `classify` subcommand (see cmd_classify.h): a fast
 * stdin-to-stdout loop around intents_classify that writes JSON by hand. */
#include "bot/cmd/cmd_classify.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <unistd.h>
#include <jansson.h>

#include "common/buf.h"
#include "common/num.h"
#include "common/utf8.h"
#include "intents/intents.h"
#include "intents/normalize.h"
#include "common/xmalloc.h"

#define CLASSIFY_CHUNK (1u << 20)
#define CLASSIFY_FLUSH (1u << 16)

/* Path of the intents file named by the config file cfg; malloc'd or NULL. */
static char *classify_rules_path(const char *cfg, int explicit_cfg)
{
    json_error_t jerr;
    FILE *f = fopen(cfg, "r");
    if (!f) {
        if (explicit_cfg) {
            fprintf(stderr, "dvcbot classify: %s: cannot open\n", cfg);
            return NULL;
        }
        return xstrdup("config/intents.json");
    }
    json_t *root = json_loadf(f, 0, &jerr);
    fclose(f);
    if (!root) {
        fprintf(stderr, "dvcbot classify: %s:%d:%d: %s\n", cfg, jerr.line, jerr.column, jerr.text);
        return NULL;
    }
    const char *name = getenv("DVCBOT_FILES_INTENTS");
    if (!name || !*name)
        name = json_string_value(json_object_get(json_object_get(root, "files"), "intents"));
    if (!name)
        name = "intents.json";
    const char *slash = strrchr(cfg, '/');
    buf b = {0};
    if (name[0] != '/' && slash)
        buf_append(&b, cfg, (size_t)(slash - cfg + 1));
    buf_puts(&b, name);
    json_decref(root);
    return buf_detach(&b, NULL);
}

/* Output buffer of the classify loop: bytes are written in place after one
 * capacity check per piece (buf.h appends are too slow per byte here). */
typedef struct classify_out {
    char *d;
    size_t len, cap;
} classify_out;

static char *classify_reserve(classify_out *o, size_t extra)
{
    if (o->len + extra > o->cap) {
        o->cap = o->len + extra > 2 * o->cap ? o->len + extra : 2 * o->cap;
        o->d = xrealloc(o->d, o->cap);
    }
    return o->d + o->len;
}

static void classify_put(classify_out *o, const char *s, size_t n)
{
    memcpy(classify_reserve(o, n), s, n);
    o->len += n;
}

static void classify_puts(classify_out *o, const char *s)
{
    classify_put(o, s, strlen(s));
}

/* Whether any of the 8 bytes of x is below 0x20, '"' or a backslash (the
 * exact "has less" / "has zero" bit tricks). */
static int classify_special8(uint64_t x)
{
    const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
    uint64_t q = x ^ (ones * '"'), b = x ^ (ones * '\\');
    return (((x - ones * 0x20) & ~x) | ((q - ones) & ~q) | ((b - ones) & ~b)) & high ? 1 : 0;
}

/* JSON string contents of s[0..n), escaped as buf_json_escape does. */
static void classify_escape(classify_out *o, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    char *w = classify_reserve(o, 6 * n), *start = w;
    size_t i = 0;
    for (uint64_t x; i + 8 <= n; i += 8, w += 8) { /* plain runs 8 bytes at a time */
        memcpy(&x, s + i, 8);
        if (classify_special8(x))
            break;
        memcpy(w, &x, 8);
    }
    for (; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\') {
            *w++ = (char)c;
            continue;
        }
        *w++ = '\\';
        switch (c) {
        case '"': *w++ = '"'; break;
        case '\\': *w++ = '\\'; break;
        case '\n': *w++ = 'n'; break;
        case '\r': *w++ = 'r'; break;
        case '\t': *w++ = 't'; break;
        default:
            memcpy(w, "u00", 3);
            w[3] = hex[c >> 4];
            w[4] = hex[c & 15];
            w += 5;
        }
    }
    o->len += (size_t)(w - start);
}

/* JSON string contents of a line that is not valid UTF-8. */
static void classify_escape_bad(classify_out *b, const char *s, size_t n)
{
    unsigned cp;
    size_t i = 0;
    while (i < n) {
        size_t st = i;
        int k;
        while (i < n && (k = utf8_next(s + i, n - i, &cp)) > 0)
            i += (size_t)k;
        classify_escape(b, s + st, i - st);
        if (i < n) {
            classify_puts(b, "\\ufffd");
            i++;
        }
    }
}

static void classify_str(classify_out *b, const char *key, const char *v, int *first)
{
    classify_puts(b, *first ? "\"" : ", \"");
    *first = 0;
    classify_puts(b, key);
    classify_put(b, "\": \"", 4);
    classify_escape(b, v, strlen(v));
    classify_put(b, "\"", 1);
}

/* ", "-separated "score": N. */
static void classify_score(classify_out *b, int score, int *first)
{
    char sc[NUM_MAX];
    size_t n = num_format(sc, score);
    classify_puts(b, *first ? "\"score\": " : ", \"score\": ");
    classify_put(b, sc, n);
    *first = 0;
}

/* ", \"confidence\": 0.NN" (two decimals, written by hand for speed). */
static void classify_conf(classify_out *b, const char *key, float c)
{
    int v = (int)(c * 100 + 0.5f);
    char d[8] = {'0' + (v >= 100), '.', (char)('0' + (v >= 100 ? 0 : v / 10)),
                 (char)('0' + (v >= 100 ? 0 : v % 10))};
    classify_puts(b, key);
    classify_put(b, d, 4);
}

static void classify_line(intents *in, const char *s, size_t n, intent_result *r,
                          classify_out *b, int all)
{
    int ok = intents_classify(in, s, n, r) == 0;
    int first = 1;
    classify_put(b, "{\"text\": \"", 10);
    if (ok)
        classify_escape(b, s, n);
    else
        classify_escape_bad(b, s, n);
    classify_put(b, "\", \"intent\": \"", 14);
    classify_puts(b, intent_name(r->intent));
    classify_conf(b, "\", \"confidence\": ", r->confidence);
    if (all) {
        classify_puts(b, ", \"alternative\": \"");
        classify_puts(b, intent_name(r->alt));
        classify_conf(b, "\", \"alternative_confidence\": ", r->alt_confidence);
    }
    classify_put(b, ", \"entities\": {", 15);
    if (r->dossier_code[0])
        classify_str(b, "dossier_code", r->dossier_code, &first);
    if (r->procedure_code[0])
        classify_str(b, "procedure_code", r->procedure_code, &first);
    if (r->complaint_code[0])
        classify_str(b, "complaint_code", r->complaint_code, &first);
    if (r->score)
        classify_score(b, r->score, &first);
    if (all && r->query)
        classify_str(b, "query", r->query, &first);
    if (all && r->text)
        classify_str(b, "text", r->text, &first);
    classify_put(b, "}}\n", 3);
}

static void classify_write(classify_out *out)
{
    if (out->len)
        fwrite(out->d, 1, out->len, stdout);
    out->len = 0;
}

static void classify_flush(classify_out *out)
{
    classify_write(out);
    fflush(stdout);
}

/* Classify the complete lines of data[0..len); returns bytes consumed. */
static size_t classify_lines(intents *in, const char *data, size_t len, int last,
                             intent_result *r, classify_out *out, int all)
{
    size_t start = 0;
    while (start < len) {
        const char *nl = memchr(data + start, '\n', len - start);
        if (!nl && !last)
            break;
        size_t end = nl ? (size_t)(nl - data) : len, e = end;
        if (e > start && data[e - 1] == '\r')
            e--;
        classify_line(in, data + start, e - start, r, out, all);
        start = nl ? end + 1 : len;
        if (out->len >= CLASSIFY_FLUSH)
            classify_write(out);
    }
    return start;
}

static int classify_stream(intents *in, int all)
{
    size_t cap = CLASSIFY_CHUNK, len = 0;
    char *data = xmalloc(cap);
    classify_out out = {0};
    intent_result r = {0};
    int eof = 0, rc = 0;
    while (!eof) {
        ssize_t got = read(STDIN_FILENO, data + len, cap - len);
        if (got < 0 && errno == EINTR)
            continue;
        eof = got <= 0;
        rc = got < 0 ? 1 : rc;
        len += got > 0 ? (size_t)got : 0;
        size_t used = classify_lines(in, data, len, eof, &r, &out, all);
        if (!eof && (size_t)got < CLASSIFY_CHUNK / 2)
            classify_flush(&out); /* input drained: answer interactive users now */
        memmove(data, data + used, len - used);
        len -= used;
        if (len == cap) {
            cap *= 2;
            data = xrealloc(data, cap);
        }
    }
    classify_flush(&out);
    intent_result_clear(&r);
    free(out.d);
    free(data);
    return rc || ferror(stdout) ? 1 : 0;
}

int cmd_classify(int argc, char **argv)
{
    const char *cfg = "config/dvcbot.json", *rules = NULL;
    int explicit_cfg = 0, all = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--config") == 0 && i + 1 < argc) {
            cfg = argv[++i];
            explicit_cfg = 1;
        } else if (strcmp(argv[i], "--rules") == 0 && i + 1 < argc) {
            rules = argv[++i];
        } else if (strcmp(argv[i], "--all") == 0) {
            all = 1;
        } else {
            fprintf(stderr, "usage: dvcbot classify [--config FILE] [--rules FILE] [--all]\n");
            return 2;
        }
    }
    char *path = rules ? xstrdup(rules) : classify_rules_path(cfg, explicit_cfg);
    if (!path)
        return 1;
    char err[512];
    intents *in = intents_load(path, err, sizeof err);
    free(path);
    if (!in) {
        fprintf(stderr, "dvcbot classify: %s\n", err);
        return 1;
    }
    intents_set_extras(in, all);
    int rc = classify_stream(in, all);
    intents_free(in);
    return rc;
}
