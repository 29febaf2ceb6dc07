/* catalogue_parse.c -- read one catalogue file with jansson, check every
 * procedure against docs/catalogue.md and copy the good ones into the
 * generation's arena. Errors read "file: json.path: problem", worded like
 * scripts/check-catalogue.py; unknown keys are ignored (the schema may grow). */
#include "catalogue/catalogue_int.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/utf8.h"
#include "intents/normalize.h"
#include "common/xmalloc.h"

#define CP_MAX_UNUSED 16        /* distinct unused keys reported per file */

typedef struct cp_ctx {
    cat_data *d;
    cat_load *ld;
    const char *file;
    char path[96];              /* "procedures[i]" */
    int bad;                    /* errors in the current procedure */
    struct {
        char key[64];           /* "procedures[].sample_data", "procedures[].documents[].x" */
        size_t n;               /* objects that had it */
    } unused[CP_MAX_UNUSED];
    size_t nunused;
} cp_ctx;

/* Keys of the schema (docs/catalogue.md), per object. */
static const char *const cp_keys_top[] = {"procedures", "sample_data", "description", NULL};
static const char *const cp_keys_proc[] = {
    "code", "name", "short_name", "aliases", "field", "level", "agency", "documents", "steps",
    "processing_time", "fees", "channels", "online_level", "legal_basis", "result", "conditions",
    "note", "status", "sample_data", NULL};
static const char *const cp_keys_doc[] = {"name", "originals", "copies", "note", NULL};
static const char *const cp_keys_fee[] = {"amount_vnd", "text", NULL};
static const char *const cp_keys_time[] = {"days", "working_days", "text", NULL};

/* Count the keys of object o that known does not list, as where.key. */
static void cp_unused(cp_ctx *c, json_t *o, const char *where, const char *const *known)
{
    const char *key;
    json_t *v;
    json_object_foreach(o, key, v) {
        size_t i = 0;
        while (known[i] && strcmp(known[i], key))
            i++;
        if (known[i])
            continue;
        char full[64];
        snprintf(full, sizeof(full), "%s%s%s", where, *where ? "." : "", key);
        size_t k = 0;
        while (k < c->nunused && strcmp(c->unused[k].key, full))
            k++;
        if (k == c->nunused && c->nunused < CP_MAX_UNUSED)
            snprintf(c->unused[c->nunused++].key, sizeof(c->unused[0].key), "%s", full);
        if (k < c->nunused)
            c->unused[k].n++;
    }
}

void cat_error(cat_load *ld, const char *file, const char *path, const char *fmt, ...)
{
    char msg[384], line[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (path && *path)
        snprintf(line, sizeof(line), "%s: %s: %s", file, path, msg);
    else
        snprintf(line, sizeof(line), "%s: %s", file, msg);
    if (ld->nerr == 0)
        snprintf(ld->err, ld->errlen, "%s", line);
    if (ld->opts && ld->opts->on_error && ld->nerr < ld->max_errors)
        ld->opts->on_error(ld->opts->arg, line);
    ld->nerr++;
}

static void cp_err(cp_ctx *c, const char *sub, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void cp_err(cp_ctx *c, const char *sub, const char *fmt, ...)
{
    char msg[384], path[192];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    snprintf(path, sizeof(path), "%s%s%s", c->path, sub && *sub != '[' && *sub ? "." : "",
             sub ? sub : "");
    cat_error(c->ld, c->file, path, "%s", msg);
    c->bad++;
}

static size_t cp_chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/* A string of at most maxlen characters, non-empty, trimmed; copied into the
 * arena. Returns NULL (after reporting) when not usable. */
static const char *cp_str(cp_ctx *c, const char *sub, json_t *v, size_t maxlen)
{
    if (!json_is_string(v)) {
        cp_err(c, sub, "expected string");
        return NULL;
    }
    const char *s = json_string_value(v);
    size_t n = json_string_length(v);
    if (strlen(s) != n) {
        cp_err(c, sub, "contains control characters");
        return NULL;
    }
    int blank = 1;
    for (size_t i = 0; i < n; i++) {
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) {
            cp_err(c, sub, "contains control characters");
            return NULL;
        }
        blank &= s[i] == ' ';
    }
    if (blank) {
        cp_err(c, sub, "must not be empty");
        return NULL;
    }
    if (s[0] == ' ' || s[n - 1] == ' ')
        cp_err(c, sub, "leading or trailing whitespace");
    if (cp_chars(s) > maxlen)
        cp_err(c, sub, "longer than %zu characters", maxlen);
    return cat_strndup(&c->d->arena, s, n);
}

static int cp_int(cp_ctx *c, const char *sub, json_t *v, long long lo, long long hi, int null_ok,
                  long long *out)
{
    if (null_ok && json_is_null(v)) {
        *out = -1;
        return 0;
    }
    if (!json_is_integer(v)) {
        cp_err(c, sub, null_ok ? "expected integer or null" : "expected integer");
        return -1;
    }
    long long x = json_integer_value(v);
    if (x < lo || x > hi) {
        cp_err(c, sub, x < lo ? "must be >= %lld" : "must be <= %lld", x < lo ? lo : hi);
        return -1;
    }
    *out = x;
    return 0;
}

static int cp_array(cp_ctx *c, const char *sub, json_t *v, size_t lo, size_t hi)
{
    if (!json_is_array(v)) {
        cp_err(c, sub, "expected array");
        return -1;
    }
    size_t n = json_array_size(v);
    if (n < lo || n > hi) {
        cp_err(c, sub, "expected %zu to %zu items, found %zu", lo, hi, n);
        return -1;
    }
    return 0;
}

/* An array of distinct strings into an arena array; *n its count. */
static const char *const *cp_strlist(cp_ctx *c, const char *key, json_t *v, size_t lo, size_t hi,
                                     size_t maxlen, size_t *n)
{
    *n = 0;
    if (cp_array(c, key, v, lo, hi) < 0)
        return NULL;
    const char **out = cat_alloc(&c->d->arena, json_array_size(v) * sizeof(*out));
    for (size_t i = 0; i < json_array_size(v); i++) {
        char sub[64];
        snprintf(sub, sizeof(sub), "%s[%zu]", key, i);
        const char *s = cp_str(c, sub, json_array_get(v, i), maxlen);
        for (size_t k = 0; s && k < *n; k++)
            if (!strcmp(out[k], s))
                cp_err(c, sub, "duplicate '%s'", s);
        if (s)
            out[(*n)++] = s;
    }
    return out;
}

static json_t *cp_req(cp_ctx *c, json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    if (!v)
        cp_err(c, NULL, "missing required field '%s'", key);
    return v;
}

static void cp_code(cp_ctx *c, json_t *p, catalogue_proc *out)
{
    json_t *v = cp_req(c, p, "code");
    const char *code = v ? cp_str(c, "code", v, 8) : NULL;
    if (!code)
        return;
    if (cat_code_key(code) < 0 || code[1] != '.') {
        cp_err(c, "code", "'%s' does not match d.dddddd", code);
        return;
    }
    const catalogue_proc *first = cat_code_get(c->d, code);
    if (first) {
        cp_err(c, "code", "duplicate code %s (first used in %s)", code, first->file);
        return;
    }
    out->code = code;
}

/* Aliases: 1..12 lower-case phrases, distinct once folded. */
static void cp_aliases(cp_ctx *c, json_t *p, catalogue_proc *out)
{
    json_t *v = cp_req(c, p, "aliases");
    if (!v)
        return;
    size_t n;
    out->aliases = cp_strlist(c, "aliases", v, 1, CAT_MAX_ALIASES, 60, &n);
    out->naliases = n;
    char fold[CAT_MAX_ALIASES][256];
    for (size_t i = 0; i < n; i++) {
        const char *a = out->aliases[i];
        char sub[32];
        snprintf(sub, sizeof(sub), "aliases[%zu]", i);
        if (strstr(a, "  "))
            cp_err(c, sub, "double space");
        for (const char *q = a; *q; q++)
            if (*q >= 'A' && *q <= 'Z') {
                cp_err(c, sub, "must be lower-case");
                break;
            }
        fold[i][0] = '\0';
        if (strlen(a) >= sizeof(fold[i]) ||
            norm_text(a, strlen(a), fold[i], sizeof(fold[i]), NULL) < 0)
            continue;   /* too long: reported above */
        for (size_t k = 0; k < i; k++)
            if (fold[i][0] && !strcmp(fold[k], fold[i]))
                cp_err(c, sub, "same as aliases[%zu] once diacritics are folded ('%s')", k, fold[i]);
    }
}

static void cp_documents(cp_ctx *c, json_t *p, catalogue_proc *out)
{
    json_t *v = cp_req(c, p, "documents");
    if (!v || cp_array(c, "documents", v, 1, 15) < 0)
        return;
    catalogue_doc *docs = cat_alloc(&c->d->arena, json_array_size(v) * sizeof(*docs));
    for (size_t i = 0; i < json_array_size(v); i++) {
        json_t *d = json_array_get(v, i);
        char sub[48], f[64];
        snprintf(sub, sizeof(sub), "documents[%zu]", i);
        if (!json_is_object(d)) {
            cp_err(c, sub, "expected object");
            continue;
        }
        long long o = -1, k = -1;
        snprintf(f, sizeof(f), "%s.name", sub);
        if (json_is_object(d))
            cp_unused(c, d, "procedures[].documents[]", cp_keys_doc);
        json_t *name = json_object_get(d, "name");
        docs[i].name = name ? cp_str(c, f, name, 600) : NULL;
        if (!name)
            cp_err(c, sub, "missing required field 'name'");
        snprintf(f, sizeof(f), "%s.originals", sub);
        if (!json_object_get(d, "originals"))
            cp_err(c, sub, "missing required field 'originals'");
        else
            cp_int(c, f, json_object_get(d, "originals"), 0, 20, 0, &o);
        snprintf(f, sizeof(f), "%s.copies", sub);
        if (!json_object_get(d, "copies"))
            cp_err(c, sub, "missing required field 'copies'");
        else
            cp_int(c, f, json_object_get(d, "copies"), 0, 20, 0, &k);
        if (o >= 0 && k >= 0 && o + k < 1)
            cp_err(c, sub, "originals + copies must be at least 1");
        docs[i].originals = (int)o;
        docs[i].copies = (int)k;
        snprintf(f, sizeof(f), "%s.note", sub);
        if (json_object_get(d, "note"))
            docs[i].note = cp_str(c, f, json_object_get(d, "note"), 600);
    }
    out->docs = docs;
    out->ndocs = json_array_size(v);
}

static void cp_time(cp_ctx *c, json_t *p, catalogue_proc *out)
{
    json_t *t = cp_req(c, p, "processing_time");
    if (!t)
        return;
    if (!json_is_object(t)) {
        cp_err(c, "processing_time", "expected object");
        return;
    }
    static const char *const keys[] = {"days", "working_days", "text"};
    if (json_is_object(t))
        cp_unused(c, t, "procedures[].processing_time", cp_keys_time);
    for (int i = 0; i < 3; i++)
        if (!json_object_get(t, keys[i]))
            cp_err(c, "processing_time", "missing required field '%s'", keys[i]);
    long long days = -1;
    if (json_object_get(t, "days"))
        cp_int(c, "processing_time.days", json_object_get(t, "days"), 0, 3650, 1, &days);
    out->days = (int)days;
    json_t *wd = json_object_get(t, "working_days");
    if (wd && !json_is_boolean(wd))
        cp_err(c, "processing_time.working_days", "expected boolean");
    out->working_days = json_is_true(wd);
    if (json_object_get(t, "text"))
        out->time_text = cp_str(c, "processing_time.text", json_object_get(t, "text"), 600);
}

static void cp_fees(cp_ctx *c, json_t *p, catalogue_proc *out)
{
    json_t *v = cp_req(c, p, "fees");
    if (!v || cp_array(c, "fees", v, 1, 10) < 0)
        return;
    catalogue_fee *fees = cat_alloc(&c->d->arena, json_array_size(v) * sizeof(*fees));
    for (size_t i = 0; i < json_array_size(v); i++) {
        json_t *f = json_array_get(v, i);
        if (json_is_object(f))
            cp_unused(c, f, "procedures[].fees[]", cp_keys_fee);
        char sub[48], k[64];
        snprintf(sub, sizeof(sub), "fees[%zu]", i);
        if (!json_is_object(f)) {
            cp_err(c, sub, "expected object");
            continue;
        }
        snprintf(k, sizeof(k), "%s.amount_vnd", sub);
        if (!json_object_get(f, "amount_vnd"))
            cp_err(c, sub, "missing required field 'amount_vnd'");
        else
            cp_int(c, k, json_object_get(f, "amount_vnd"), 0, 1000000000000LL, 1,
                   &fees[i].amount_vnd);
        snprintf(k, sizeof(k), "%s.text", sub);
        if (!json_object_get(f, "text"))
            cp_err(c, sub, "missing required field 'text'");
        else
            fees[i].text = cp_str(c, k, json_object_get(f, "text"), 600);
    }
    out->fees = fees;
    out->nfees = json_array_size(v);
}

static void cp_channels(cp_ctx *c, json_t *p, catalogue_proc *out)
{
    static const char *const names[] = {"direct", "online", "postal"};
    json_t *ch = cp_req(c, p, "channels"), *ol = cp_req(c, p, "online_level");
    int ch_ok = 0;
    if (ch && (!json_is_array(ch) || !json_array_size(ch))) {
        cp_err(c, "channels", "expected non-empty array");
    } else if (ch) {
        ch_ok = 1;
        for (size_t i = 0; i < json_array_size(ch); i++) {
            const char *s = json_string_value(json_array_get(ch, i));
            int bit = -1;
            for (int k = 0; s && k < 3; k++)
                if (!strcmp(s, names[k]))
                    bit = 1 << k;
            char sub[32];
            snprintf(sub, sizeof(sub), "channels[%zu]", i);
            if (bit < 0) {
                cp_err(c, sub, "expected one of direct, online, postal");
                ch_ok = 0;
            } else if (out->channels & (unsigned)bit) {
                cp_err(c, "channels", "duplicate channel");
            }
            out->channels |= bit < 0 ? 0 : (unsigned)bit;
        }
    }
    if (!ol)
        return;
    long long lvl = json_is_integer(ol) ? json_integer_value(ol) : 0;
    if (lvl < 2 || lvl > 4) {
        cp_err(c, "online_level", "expected integer 2, 3 or 4");
        return;
    }
    out->online_level = (int)lvl;
    if (ch_ok && (lvl >= 3) != !!(out->channels & CATALOGUE_CH_ONLINE))
        cp_err(c, "online_level",
               "online_level %lld is inconsistent with channels (\"online\" is listed iff "
               "online_level >= 3)", lvl);
}

static const char *cp_enum(cp_ctx *c, json_t *p, const char *key, const char *const *allowed,
                           const char *list)
{
    json_t *v = json_object_get(p, key);
    for (int i = 0; v && allowed[i]; i++)
        if (json_is_string(v) && !strcmp(json_string_value(v), allowed[i]))
            return allowed[i];
    if (v)
        cp_err(c, key, "expected one of %s", list);
    return NULL;
}

/* The folded name, cut at a word boundary to 40 characters. */
static const char *cp_short_from_name(cp_ctx *c, const char *name)
{
    char buf[1024];
    size_t n = 0;
    if (utf8_fold(name, strlen(name), buf, sizeof(buf), &n) < 0 || n == 0)
        return name;
    if (n > 40) {
        n = 40;
        while (n > 20 && buf[n] != ' ')
            n--;
    }
    while (n && buf[n - 1] == ' ')
        n--;
    return cat_strndup(&c->d->arena, buf, n);
}

static void cp_strings(cp_ctx *c, json_t *p, catalogue_proc *o)
{
    json_t *v;
    if ((v = cp_req(c, p, "name")))
        o->name = cp_str(c, "name", v, 300);
    if ((v = json_object_get(p, "short_name")) && (o->short_name = cp_str(c, "short_name", v, 40)))
        for (const char *s = o->short_name; *s; s++)
            if (*s < ' ' || *s > '~') {
                cp_err(c, "short_name", "must be printable ASCII (USSD screens)");
                break;
            }
    if ((v = cp_req(c, p, "field")))
        o->field = cp_str(c, "field", v, 120);
    if ((v = cp_req(c, p, "agency")))
        o->agency = cp_str(c, "agency", v, 300);
    if ((v = cp_req(c, p, "result")))
        o->result = cp_str(c, "result", v, 600);
    if ((v = json_object_get(p, "note")))
        o->note = cp_str(c, "note", v, 600);
    static const char *const levels[] = {"xa", "huyen", "tinh", "bo", NULL};
    static const char *const statuses[] = {"active", "ended", NULL};
    if (cp_req(c, p, "level"))
        o->level = cp_enum(c, p, "level", levels, "xa, huyen, tinh, bo");
    const char *st = cp_enum(c, p, "status", statuses, "active, ended");
    o->ended = st && !strcmp(st, "ended");
    if ((v = json_object_get(p, "sample_data")) && !json_is_boolean(v))
        cp_err(c, "sample_data", "expected boolean");
    o->sample_data = json_is_true(v);
}

static void cp_procedure(cp_ctx *c, json_t *p)
{
    if (!json_is_object(p)) {
        cp_err(c, NULL, "expected object");
        return;
    }
    catalogue_proc o;
    memset(&o, 0, sizeof(o));
    o.file = c->file;
    cp_unused(c, p, "procedures[]", cp_keys_proc);
    cp_code(c, p, &o);
    cp_strings(c, p, &o);
    cp_aliases(c, p, &o);
    cp_documents(c, p, &o);
    json_t *v;
    if ((v = cp_req(c, p, "steps")))
        o.steps = cp_strlist(c, "steps", v, 1, 10, 600, &o.nsteps);
    cp_time(c, p, &o);
    cp_fees(c, p, &o);
    cp_channels(c, p, &o);
    if ((v = cp_req(c, p, "legal_basis")))
        o.legal_basis = cp_strlist(c, "legal_basis", v, 1, 5, 600, &o.nlegal);
    if ((v = json_object_get(p, "conditions")))
        o.conditions = cp_strlist(c, "conditions", v, 1, 10, 600, &o.nconditions);
    if (c->bad)
        return;
    if (!o.short_name)
        o.short_name = cp_short_from_name(c, o.name);
    cat_data *d = c->d;
    if (d->nprocs == d->capprocs)
        d->procs = xrealloc(d->procs, (d->capprocs = d->capprocs ? d->capprocs * 2 : 128) *
                                          sizeof(*d->procs));
    d->procs[d->nprocs] = o;
    cat_code_put(d, d->nprocs++);
}

static json_t *cp_open(cat_load *ld, const char *path)
{
    json_error_t jerr;
    json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
    if (!root) {
        if (jerr.line < 0)
            cat_error(ld, path, NULL, "cannot read: %s", jerr.text);
        else
            cat_error(ld, path, NULL, "invalid JSON at line %d column %d: %s", jerr.line,
                      jerr.column, jerr.text);
        return NULL;
    }
    if (!json_is_object(root)) {
        cat_error(ld, path, "(top level)", "expected object");
        json_decref(root);
        return NULL;
    }
    return root;
}

int cat_parse_file(cat_data *d, cat_load *ld, const char *path)
{
    int before = ld->nerr;
    json_t *root = cp_open(ld, path);
    if (!root)
        return ld->nerr - before;
    json_t *procs = json_object_get(root, "procedures");
    if (!procs)
        cat_error(ld, path, "(top level)", "missing required field 'procedures'");
    else if (!json_is_array(procs))
        cat_error(ld, path, "procedures", "expected array");
    else if (!json_array_size(procs))
        cat_error(ld, path, "procedures", "empty array");
    json_t *sd = json_object_get(root, "sample_data");
    if (sd && !json_is_boolean(sd))
        cat_error(ld, path, "sample_data", "expected boolean");
    cp_ctx c = {.d = d, .ld = ld, .file = cat_strdup(&d->arena, path)};
    size_t total = json_array_size(procs);
    for (size_t i = 0; i < total && ld->nerr < ld->max_errors; i++) {
        snprintf(c.path, sizeof(c.path), "procedures[%zu]", i);
        c.bad = 0;
        cp_procedure(&c, json_array_get(procs, i));
        json_array_set_new(procs, i, json_null());  /* copied into the arena: free it now */
        if (ld->opts && ld->opts->on_progress && ((i + 1) % 500 == 0 || i + 1 == total))
            ld->opts->on_progress(ld->opts->arg, path, i + 1, total);
    }
    cp_unused(&c, root, "", cp_keys_top);
    for (size_t i = 0; ld->opts && ld->opts->on_unused && i < c.nunused; i++)
        ld->opts->on_unused(ld->opts->arg, path, c.unused[i].key, c.unused[i].n);
    json_decref(root);
    return ld->nerr - before;
}
