/* cmd_classify.c -- the `classify` subcommand (see cmd_classify.h): a fast
 * stdin-to-stdout loop around intents_classify that writes JSON by hand. */
#include "cmd_classify.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <unistd.h>
#include <jansson.h>

#include "buf.h"
#include "intents/intents.h"
#include "intents/normalize.h"
#include "xmalloc.h"

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

/* JSON string contents of a line that is not valid UTF-8. */
static void classify_escape_bad(buf *b, const char *s, size_t n)
{
    unsigned cp;
    size_t i = 0;
    while (i < n) {
        size_t st = i;
        int k;
        while (i < n && (k = norm_utf8_next(s + i, n - i, &cp)) > 0)
            i += (size_t)k;
        buf_json_escape(b, s + st, i - st);
        if (i < n) {
            buf_puts(b, "\\ufffd");
            i++;
        }
    }
}

static void classify_str(buf *b, const char *key, const char *v, int *first)
{
    buf_puts(b, *first ? "\"" : ", \"");
    *first = 0;
    buf_puts(b, key);
    buf_puts(b, "\": \"");
    buf_json_escape(b, v, strlen(v));
    buf_putc(b, '"');
}

static void classify_line(intents *in, const char *s, size_t n, intent_result *r, buf *b, int all)
{
    int ok = intents_classify(in, s, n, r) == 0;
    int first = 1;
    buf_puts(b, "{\"text\": \"");
    if (ok)
        buf_json_escape(b, s, n);
    else
        classify_escape_bad(b, s, n);
    buf_puts(b, "\", \"intent\": \"");
    buf_puts(b, intent_name(r->intent));
    buf_puts(b, "\", \"entities\": {");
    if (r->dossier_code[0])
        classify_str(b, "dossier_code", r->dossier_code, &first);
    if (r->procedure_code[0])
        classify_str(b, "procedure_code", r->procedure_code, &first);
    if (r->complaint_code[0])
        classify_str(b, "complaint_code", r->complaint_code, &first);
    if (r->score) {
        char sc[24];
        snprintf(sc, sizeof sc, "%s\"score\": %d", first ? "" : ", ", r->score);
        buf_puts(b, sc);
        first = 0;
    }
    if (all && r->query)
        classify_str(b, "query", r->query, &first);
    if (all && r->text)
        classify_str(b, "text", r->text, &first);
    buf_puts(b, "}}\n");
}

static void classify_flush(buf *out)
{
    if (out->len)
        fwrite(out->data, 1, out->len, stdout);
    fflush(stdout);
    buf_reset(out);
}

/* Classify the complete lines of data[0..len); returns bytes consumed. */
static size_t classify_lines(intents *in, const char *data, size_t len, int last,
                             intent_result *r, buf *out, int all)
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
        if (out->len >= CLASSIFY_FLUSH) {
            fwrite(out->data, 1, out->len, stdout);
            buf_reset(out);
        }
    }
    return start;
}

static int classify_stream(intents *in, int all)
{
    size_t cap = CLASSIFY_CHUNK, len = 0;
    char *data = xmalloc(cap);
    buf out = {0};
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
    buf_free(&out);
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
