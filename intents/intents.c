/* intents.c -- the public classifier API (see intents.h): normalise, pick the
 * winning rule, let the model weigh it unless the rule decides alone, then
 * extract only the entities the intent may carry. */
#include "intents/intents.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/utf8.h"
#include "intents/entities.h"
#include "intents/model.h"
#include "intents/normalize.h"
#include "intents/rules.h"
#include "common/xmalloc.h"

static const char *const intent_names[INTENT__COUNT] = {
    "dossier_status", "procedure_info", "complaint_new", "complaint_status", "rating",
    "subscribe", "unsubscribe", "human_agent", "help", "payment", "greeting", "unknown",
};

const char *intent_name(intent_id id)
{
    return (unsigned)id < INTENT__COUNT ? intent_names[id] : "unknown";
}

int intent_from_name(const char *name)
{
    for (int i = 0; i < INTENT__COUNT; i++)
        if (strcmp(intent_names[i], name) == 0)
            return i;
    return -1;
}

void intent_result_clear(intent_result *r)
{
    if (!r)
        return;
    free(r->query);
    free(r->text);
    memset(r, 0, sizeof *r);
    r->intent = INTENT_UNKNOWN;
    r->alt = INTENT_UNKNOWN;
}

void intents_free(intents *in)
{
    if (!in)
        return;
    rules_free(in);
    ent_free(in->ent);
    rules_rx_free(&in->rx);
    model_free(in->model);
    free(in->norm);
    free(in->map);
    free(in);
}

/* "model": {"file": "...", "final_priority": N} of root: load the file
 * (relative to path's directory) unless rules_only. */
static int intents_model(intents *in, json_t *root, const char *path, int rules_only,
                         char *err, size_t errlen)
{
    json_t *m = json_object_get(root, "model");
    in->final_priority = 0;
    if (!m)
        return 0;
    json_t *file = json_object_get(m, "file"), *fp = json_object_get(m, "final_priority");
    if (!json_is_object(m) || !json_is_string(file) || !json_is_integer(fp)) {
        snprintf(err, errlen, "%s: model: must be {\"file\": \"...\", \"final_priority\": N}",
                 path);
        return -1;
    }
    in->final_priority = (long)json_integer_value(fp);
    if (rules_only)
        return 0;
    const char *name = json_string_value(file), *slash = strrchr(path, '/');
    size_t dir = name[0] != '/' && slash ? (size_t)(slash - path + 1) : 0;
    char *full = xmalloc(dir + strlen(name) + 1);
    memcpy(full, path, dir);
    strcpy(full + dir, name);
    in->model = model_load(full, err, errlen);
    free(full);
    return in->model ? 0 : -1;
}

static intents *intents_load_opt(const char *path, int rules_only, char *err, size_t errlen)
{
    json_error_t jerr;
    json_t *root = json_load_file(path, 0, &jerr);
    if (!root) {
        snprintf(err, errlen, "%s:%d:%d: %s", path, jerr.line, jerr.column, jerr.text);
        return NULL;
    }
    intents *in = xcalloc(1, sizeof *in);
    int rc = -1;
    if (!json_is_object(root))
        snprintf(err, errlen, "%s: top level: must be an object", path);
    else if (rules_rx_init(&in->rx) < 0)
        snprintf(err, errlen, "%s: cannot allocate PCRE2 match context", path);
    else if (rules_load(in, root, path, err, errlen) == 0 &&
             (in->ent = ent_load(root, path, err, errlen)) != NULL &&
             intents_model(in, root, path, rules_only, err, errlen) == 0)
        rc = 0;
    json_decref(root);
    if (rc < 0) {
        intents_free(in);
        return NULL;
    }
    in->norm = xmalloc(INTENTS_MAX_INPUT + 1);
    in->map = xmalloc((INTENTS_MAX_INPUT + 1) * sizeof *in->map);
    return in;
}

intents *intents_load(const char *path, char *err, size_t errlen)
{
    return intents_load_opt(path, 0, err, errlen);
}

int intents_reload(intents *in, const char *path, char *err, size_t errlen)
{
    intents *fresh = intents_load(path, err, errlen);
    if (!fresh)
        return -1;
    fresh->no_extras = in->no_extras;
    intents old = *in;
    *in = *fresh;
    *fresh = old;
    intents_free(fresh); /* the old rules and model */
    return 0;
}

intents *intents_load_rules(const char *path, char *err, size_t errlen)
{
    return intents_load_opt(path, 1, err, errlen);
}

/* Cut len to at most INTENTS_MAX_INPUT bytes on a character boundary. */
static size_t intents_cap(const char *text, size_t len)
{
    if (len <= INTENTS_MAX_INPUT)
        return len;
    size_t n = INTENTS_MAX_INPUT;
    while (n > 0 && ((unsigned char)text[n] & 0xC0) == 0x80)
        n--;
    return n;
}

static int intents_valid_tail(const char *s, size_t len)
{
    unsigned cp;
    for (size_t i = 0; i < len;) {
        if ((unsigned char)s[i] < 0x80) {
            i++;
            continue;
        }
        int k = utf8_next(s + i, len - i, &cp);
        if (k < 0)
            return -1;
        i += (size_t)k;
    }
    return 0;
}

/* Normalise text into in->norm; returns its length or -1. */
static long intents_prepare(intents *in, const char *text, size_t len, size_t *used)
{
    size_t n = intents_cap(text, len), outlen;
    *used = n;
    if (norm_text(text, n, in->norm, INTENTS_MAX_INPUT + 1, &outlen) < 0 ||
        intents_valid_tail(text + n, len - n) < 0)
        return -1;
    return (long)outlen;
}

/* Span of the named group name in the last match of code, if set. */
static int intents_group(const pcre2_code *code, pcre2_match_data *md, const char *name,
                         size_t *st, size_t *en)
{
    PCRE2_SPTR first, last;
    int size = pcre2_substring_nametable_scan(code, (PCRE2_SPTR)name, &first, &last);
    PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
    uint32_t pairs = pcre2_get_ovector_count(md);
    if (size < 0)
        return -1;
    for (PCRE2_SPTR e = first; e <= last; e += size) {
        uint32_t g = ((uint32_t)e[0] << 8) | e[1];
        if (g < pairs && ov[2 * g] != PCRE2_UNSET) {
            *st = ov[2 * g];
            *en = ov[2 * g + 1];
            return 0;
        }
    }
    return -1;
}

/* The original text behind norm[st..en), trimmed; malloc'd or NULL. */
static char *intents_original(intents *in, const char *text, size_t len, size_t st, size_t en)
{
    size_t outlen;
    if (norm_text_map(text, len, in->norm, INTENTS_MAX_INPUT + 1, &outlen, in->map) < 0 ||
        en > outlen || st > en)
        return NULL;
    size_t a = in->map[st], b = in->map[en];
    while (a < b && (strchr(" \t\r\n:-,.", text[a]) != NULL))
        a++;
    while (b > a && (unsigned char)text[b - 1] <= ' ')
        b--;
    return a < b ? xstrndup(text + a, b - a) : NULL;
}

/* Source of a classification: normalised text and the original it came from. */
typedef struct intents_src {
    const char *s;      /* normalised */
    size_t n;
    const char *orig;   /* original, capped */
    size_t olen;
    size_t code_end;    /* offset after the dossier code in s, or (size_t)-1 */
} intents_src;

/* Entities named by the winning rule's groups. */
static void intents_groups(intents *in, const rules_rule *r, intents_src *src, intent_result *out)
{
    size_t st, en;
    if (!rules_exec(&in->rx, r->code, src->s, src->n, 0))
        return;
    const pcre2_code *c = r->code;
    pcre2_match_data *md = in->rx.md;
    if ((r->groups & (1u << ENT_DOSSIER)) && intents_group(c, md, "dossier_code", &st, &en) == 0 &&
        ent_dossier_canon(src->s + st, en - st, out->dossier_code, sizeof out->dossier_code) == 0)
        src->code_end = en;
    if ((r->groups & (1u << ENT_PROCEDURE)) && intents_group(c, md, "procedure_code", &st, &en) == 0)
        ent_procedure_canon(src->s + st, en - st, out->procedure_code, sizeof out->procedure_code);
    if ((r->groups & (1u << ENT_COMPLAINT)) && intents_group(c, md, "complaint_code", &st, &en) == 0)
        ent_complaint_canon(src->s + st, en - st, out->complaint_code, sizeof out->complaint_code);
    size_t qs = 0, qe = 0, ts = 0, te = 0, ss = 0, se = 0;
    int hq = (r->groups & (1u << ENT_QUERY)) && intents_group(c, md, "query", &qs, &qe) == 0;
    int ht = (r->groups & (1u << ENT_TEXT)) && intents_group(c, md, "text", &ts, &te) == 0;
    int hs = (r->groups & (1u << ENT_SCORE)) && intents_group(c, md, "score", &ss, &se) == 0;
    /* the calls below reuse the match data, so spans were read first */
    if (hs)
        out->score = ent_score_canon(in->ent, &in->rx, src->s + ss, se - ss);
    if (hq && !in->no_extras)
        out->query = ent_query(in->ent, src->s + qs, qe - qs);
    if (ht && !in->no_extras)
        out->text = intents_original(in, src->orig, src->olen, ts, te);
}

/* Entities of intent id; r is the winning rule when it signals id, else NULL. */
static void intents_fill(intents *in, intent_id id, const rules_rule *r, intents_src *src,
                         intent_result *out)
{
    if (r && r->groups)
        intents_groups(in, r, src, out);
    if (!out->dossier_code[0] && (id == INTENT_DOSSIER_STATUS || id == INTENT_SUBSCRIBE ||
                                  id == INTENT_COMPLAINT_NEW || id == INTENT_RATING ||
                                  id == INTENT_PAYMENT))
        ent_find_dossier(in->ent, &in->rx, src->s, src->n, out->dossier_code,
                         sizeof out->dossier_code, &src->code_end);
    if ((id == INTENT_PROCEDURE_INFO || id == INTENT_PAYMENT) && !out->procedure_code[0])
        ent_find_procedure(in->ent, &in->rx, src->s, src->n, out->procedure_code,
                           sizeof out->procedure_code);
    if (id == INTENT_PROCEDURE_INFO && !out->query && !out->procedure_code[0] && !in->no_extras)
        out->query = ent_query(in->ent, src->s, src->n);
    if (id == INTENT_COMPLAINT_STATUS && !out->complaint_code[0])
        ent_find_complaint(in->ent, &in->rx, src->s, src->n, out->complaint_code,
                           sizeof out->complaint_code);
    if (id == INTENT_RATING && !out->score)
        out->score = r && r->fixed_score ? r->fixed_score
                     : ent_find_score(in->ent, &in->rx, src->s, src->n, src->code_end, 0);
    if (id == INTENT_COMPLAINT_NEW && !out->text && !in->no_extras)
        out->text = intents_original(in, src->orig, src->olen, 0, src->n);
}

void intents_set_extras(intents *in, int on)
{
    in->no_extras = !on;
}

/* The model's choice for s given the winning rule r (or NULL) into out:
 * intent, confidence and runner-up. A destructive intent needs a rule of it. */
static void intents_weigh(intents *in, const rules_rule *r, const char *s, size_t n,
                          intent_result *out)
{
    float p[INTENT__COUNT];
    model_predict(in->model, s, n, r ? (int)r->intent : -1, p);
    if (!r || r->intent != INTENT_UNSUBSCRIBE)
        p[INTENT_UNSUBSCRIBE] = 0;
    int best = INTENT_UNKNOWN;
    for (int i = 0; i < INTENT__COUNT; i++)
        if (p[i] > p[best])
            best = i;
    int alt = best == 0 ? 1 : 0;
    for (int i = alt + 1; i < INTENT__COUNT; i++)
        if (i != best && p[i] > p[alt])
            alt = i;
    out->intent = (intent_id)best;
    out->confidence = p[best];
    out->alt = (intent_id)alt;
    out->alt_confidence = p[alt];
}

int intents_classify(intents *in, const char *text, size_t len, intent_result *out)
{
    size_t used;
    intent_result_clear(out);
    long n = intents_prepare(in, text, len, &used);
    if (n < 0)
        return -1;
    long idx = rules_match(in, in->norm, (size_t)n);
    const rules_rule *r = idx >= 0 ? &in->rules[idx] : NULL;
    if (r && (!in->model || r->priority >= in->final_priority)) {
        out->intent = r->intent;
        out->confidence = 1;
    } else if (in->model) {
        intents_weigh(in, r, in->norm, (size_t)n, out);
        if (r && r->intent != out->intent)
            r = NULL;
    }
    if (out->intent == INTENT_UNKNOWN)
        return 0;
    intents_src src = {in->norm, (size_t)n, text, used, (size_t)-1};
    intents_fill(in, out->intent, r, &src, out);
    return 0;
}

int intents_entities(intents *in, const char *text, size_t len, intent_result *out)
{
    size_t used, end = (size_t)-1;
    intent_result_clear(out);
    long n = intents_prepare(in, text, len, &used);
    if (n < 0)
        return -1;
    const char *s = in->norm;
    ent_find_dossier(in->ent, &in->rx, s, (size_t)n, out->dossier_code, sizeof out->dossier_code, &end);
    ent_find_procedure(in->ent, &in->rx, s, (size_t)n, out->procedure_code, sizeof out->procedure_code);
    ent_find_complaint(in->ent, &in->rx, s, (size_t)n, out->complaint_code, sizeof out->complaint_code);
    out->score = ent_find_score(in->ent, &in->rx, s, (size_t)n, end, 1);
    return 0;
}
