/* rules.c -- load config/intents.json rules, compile them with PCRE2 JIT,
 * build the keyword prefilter and pick the winning rule among the candidates
 * (see rules.h); the single combined (*MARK) match is kept as a reference. */
#include "intents/rules.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "intents/factor.h"
#include "intents/literals.h"
#include "common/xmalloc.h"

int rules_rx_init(rules_rx *rx)
{
    rx->mctx = pcre2_match_context_create(NULL);
    rx->jstack = pcre2_jit_stack_create(32 * 1024, 1024 * 1024, NULL);
    rx->md = pcre2_match_data_create(64, NULL);
    if (!rx->mctx || !rx->jstack || !rx->md) {
        rules_rx_free(rx);
        return -1;
    }
    pcre2_set_match_limit(rx->mctx, RULES_MATCH_LIMIT);
    pcre2_set_depth_limit(rx->mctx, RULES_DEPTH_LIMIT);
    pcre2_jit_stack_assign(rx->mctx, NULL, rx->jstack);
    return 0;
}

void rules_rx_free(rules_rx *rx)
{
    if (!rx)
        return;
    pcre2_match_data_free(rx->md);
    pcre2_jit_stack_free(rx->jstack);
    pcre2_match_context_free(rx->mctx);
    rx->md = NULL;
    rx->jstack = NULL;
    rx->mctx = NULL;
}

static int rules_check_text(const char *pat, const char *file, const char *jpath,
                            char *err, size_t errlen)
{
    for (const unsigned char *p = (const unsigned char *)pat; *p; p++) {
        if (*p >= 0x80) {
            snprintf(err, errlen, "%s: %s: non-ASCII character at offset %zu "
                     "(rules see folded text)", file, jpath, (size_t)(p - (const unsigned char *)pat));
            return -1;
        }
    }
    if (strstr(pat, "(*") || strstr(pat, "(?x") || strstr(pat, "(?C")) {
        snprintf(err, errlen, "%s: %s: backtracking verbs, callouts and (?x) "
                 "are not allowed", file, jpath);
        return -1;
    }
    return 0;
}

static pcre2_code *rules_compile_opt(const char *pat, uint32_t opt, const char *file,
                                     const char *jpath, char *err, size_t errlen)
{
    int ec;
    PCRE2_SIZE off;
    pcre2_code *code = pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED,
                                     PCRE2_DUPNAMES | opt, &ec, &off, NULL);
    if (!code) {
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(ec, msg, sizeof msg);
        snprintf(err, errlen, "%s: %s: %s at offset %zu", file, jpath, (char *)msg, (size_t)off);
        return NULL;
    }
    pcre2_jit_compile(code, PCRE2_JIT_COMPLETE); /* falls back to the interpreter */
    return code;
}

static pcre2_code *rules_compile_raw(const char *pat, const char *file, const char *jpath,
                                     char *err, size_t errlen)
{
    return rules_compile_opt(pat, 0, file, jpath, err, errlen);
}

pcre2_code *rules_compile(const char *pat, const char *file, const char *jpath,
                          char *err, size_t errlen)
{
    if (rules_check_text(pat, file, jpath, err, errlen) < 0)
        return NULL;
    return rules_compile_raw(pat, file, jpath, err, errlen);
}

/* Lazily skip whole words: a pattern that begins with \\b is only tried
 * where a word begins, which is several times faster than .*? */
#define RULES_WORD_STEP "(?>[^a-z0-9]*)(?:[a-z0-9]++(?>[^a-z0-9]*))*?"

static int rules_is_word(const char *pat)
{
    return strncmp(pat, "\\b", 2) == 0;
}

pcre2_code *rules_combine(const char *const *pats, const long *prio, size_t n,
                          const char *file, const char *jpath, char *err, size_t errlen)
{
    buf b = {0};
    buf_puts(&b, "^(?:");
    for (size_t i = 0; i < n; i++) {
        if (i)
            buf_putc(&b, '|');
        if (!rules_is_word(pats[i])) {
            buf_printf(&b, "%s(?:%s)(*MARK:%zu)", pats[i][0] == '^' ? "" : ".*?", pats[i], i);
            continue;
        }
        /* one word scan for a run of equal-priority \b rules */
        buf_puts(&b, RULES_WORD_STEP "(?:");
        size_t j = i;
        do {
            buf_printf(&b, "%s(?:%s)(*MARK:%zu)", j > i ? "|" : "", pats[j], j);
            j++;
        } while (j < n && prio && prio[j] == prio[i] && rules_is_word(pats[j]));
        buf_putc(&b, ')');
        i = j - 1;
    }
    if (n == 0)
        buf_puts(&b, "(*FAIL)");
    buf_putc(&b, ')');
    pcre2_code *code = rules_compile_raw(b.data, file, jpath, err, errlen);
    buf_free(&b);
    return code;
}

int rules_exec(rules_rx *rx, const pcre2_code *code, const char *s, size_t n, size_t start)
{
    int rc = pcre2_jit_match(code, (PCRE2_SPTR)s, n, start, 0, rx->md, rx->mctx);
    if (rc == PCRE2_ERROR_JIT_BADOPTION) /* not JIT-compiled */
        rc = pcre2_match(code, (PCRE2_SPTR)s, n, start, 0, rx->md, rx->mctx);
    return rc > 0;
}

long rules_mark(rules_rx *rx)
{
    PCRE2_SPTR m = pcre2_get_mark(rx->md);
    if (!m)
        return -1;
    return strtol((const char *)m, NULL, 10);
}

static const char *const ent_names[ENT__COUNT] = {
    "dossier_code", "procedure_code", "complaint_code", "score", "query", "text",
};

const char *ent_kind_name(ent_kind k)
{
    return (unsigned)k < ENT__COUNT ? ent_names[k] : "";
}

int ent_kind_from_name(const char *name, size_t len)
{
    for (int k = 0; k < ENT__COUNT; k++)
        if (strlen(ent_names[k]) == len && memcmp(ent_names[k], name, len) == 0)
            return k;
    return -1;
}

/* Record the entity groups a rule's pattern names; unknown names are errors. */
static int rules_groups(rules_rule *r, const char *file, const char *jpath,
                        char *err, size_t errlen)
{
    uint32_t count = 0, size = 0;
    PCRE2_SPTR table = NULL;
    pcre2_pattern_info(r->code, PCRE2_INFO_NAMECOUNT, &count);
    pcre2_pattern_info(r->code, PCRE2_INFO_NAMEENTRYSIZE, &size);
    pcre2_pattern_info(r->code, PCRE2_INFO_NAMETABLE, &table);
    for (uint32_t i = 0; i < count; i++) {
        const char *name = (const char *)table + i * size + 2;
        int k = ent_kind_from_name(name, strlen(name));
        if (k < 0) {
            snprintf(err, errlen, "%s: %s: unknown entity group \"%s\"", file, jpath, name);
            return -1;
        }
        r->groups |= 1u << k;
    }
    return 0;
}

static int rules_cmp(const void *a, const void *b)
{
    const rules_rule *x = a, *y = b;
    if (x->priority != y->priority)
        return x->priority > y->priority ? -1 : 1;
    return x->order < y->order ? -1 : x->order > y->order;
}

static int rules_fixed(rules_rule *r, json_t *ents, const char *file, const char *jpath,
                       char *err, size_t errlen)
{
    const char *key;
    json_t *v;
    if (!json_is_object(ents)) {
        snprintf(err, errlen, "%s: %s.entities: must be an object", file, jpath);
        return -1;
    }
    json_object_foreach(ents, key, v) {
        json_int_t s = json_is_integer(v) ? json_integer_value(v) : 0;
        if (strcmp(key, "score") != 0 || s < 1 || s > 5) {
            snprintf(err, errlen, "%s: %s.entities.%s: only \"score\" (an integer 1-5) "
                     "can be fixed", file, jpath, key);
            return -1;
        }
        r->fixed_score = (int)s;
    }
    return 0;
}

static int rules_check_keys(json_t *o, const char *file, const char *jpath,
                            char *err, size_t errlen)
{
    static const char *const keys[] = {"intent", "priority", "pattern", "entities",
                                       "comment", "examples", "keywords"};
    const char *key;
    json_t *v;
    json_object_foreach(o, key, v) {
        size_t i = 0;
        while (i < sizeof keys / sizeof keys[0] && strcmp(keys[i], key) != 0)
            i++;
        if (i == sizeof keys / sizeof keys[0]) {
            snprintf(err, errlen, "%s: %s: unknown key \"%s\"", file, jpath, key);
            return -1;
        }
    }
    return 0;
}

/* A second necessary set of the pattern ("A.*B": B's), kept when the rule
 * has keywords and it differs from them. */
static int rules_second(rules_rule *r)
{
    if (!r->keywords.n || lit_derive_rest(r->pattern, &r->second) < 0)
        return 0;
    int same = r->second.n == r->keywords.n;
    for (size_t i = 0; same && i < r->second.n; i++)
        same = strcmp(r->second.s[i], r->keywords.s[i]) == 0;
    if (same)
        lit_free(&r->second);
    return 0;
}

/* Declared "keywords" (a necessary literal set), else the derived one. */
static int rules_keywords(rules_rule *r, json_t *kw, const char *file, const char *jpath,
                          char *err, size_t errlen)
{
    size_t k;
    json_t *v;
    if (!kw) {
        lit_derive(r->pattern, &r->keywords); /* none found: always tried */
        return rules_second(r);
    }
    r->declared = 1;
    if (!json_is_array(kw)) {
        snprintf(err, errlen, "%s: %s.keywords: must be an array of strings", file, jpath);
        return -1;
    }
    json_array_foreach(kw, k, v) {
        if (!json_is_string(v) || json_string_length(v) == 0) {
            snprintf(err, errlen, "%s: %s.keywords[%zu]: must be a non-empty string",
                     file, jpath, k);
            return -1;
        }
        lit_add(&r->keywords, json_string_value(v), json_string_length(v));
    }
    return rules_second(r);
}

/* Parse and compile rules[i] into r. */
static int rules_one(rules_rule *r, json_t *o, size_t i, const char *file,
                     char *err, size_t errlen)
{
    char jpath[64];
    snprintf(jpath, sizeof jpath, "rules[%zu]", i);
    if (!json_is_object(o)) {
        snprintf(err, errlen, "%s: %s: must be an object", file, jpath);
        return -1;
    }
    if (rules_check_keys(o, file, jpath, err, errlen) < 0)
        return -1;
    json_t *in = json_object_get(o, "intent"), *pr = json_object_get(o, "priority");
    json_t *pat = json_object_get(o, "pattern"), *ents = json_object_get(o, "entities");
    int id = json_is_string(in) ? intent_from_name(json_string_value(in)) : -1;
    if (id < 0) {
        snprintf(err, errlen, json_is_string(in) ? "%s: %s.intent: unknown intent \"%s\""
                 : "%s: %s.intent: missing or not a string%s", file, jpath,
                 json_is_string(in) ? json_string_value(in) : "");
        return -1;
    }
    if (!json_is_integer(pr)) {
        snprintf(err, errlen, "%s: %s.priority: missing or not an integer", file, jpath);
        return -1;
    }
    if (!json_is_string(pat) || json_string_length(pat) == 0) {
        snprintf(err, errlen, "%s: %s.pattern: missing or not a non-empty string", file, jpath);
        return -1;
    }
    r->intent = (intent_id)id;
    r->priority = (long)json_integer_value(pr);
    r->order = i;
    r->pattern = xstrdup(json_string_value(pat));
    r->word = rules_is_word(r->pattern);
    if (ents && rules_fixed(r, ents, file, jpath, err, errlen) < 0)
        return -1;
    if (rules_keywords(r, json_object_get(o, "keywords"), file, jpath, err, errlen) < 0)
        return -1;
    snprintf(jpath, sizeof jpath, "rules[%zu].pattern", i);
    r->code = rules_compile(r->pattern, file, jpath, err, errlen);
    if (!r->code)
        return -1;
    if (r->word && lit_lead(r->pattern, &r->lead) == 0) {
        /* the anchored tries only ask whether a match starts here: a long
         * leading alternation may be factored into a trie (factor.h) */
        char *fast = factor_lead(r->pattern);
        if (fast)
            r->acode = rules_compile_opt(fast, PCRE2_ANCHORED, file, jpath, err, errlen);
        free(fast);
        if (!r->acode &&
            !(r->acode = rules_compile_opt(r->pattern, PCRE2_ANCHORED, file, jpath, err, errlen)))
            return -1;
    }
    return rules_groups(r, file, jpath, err, errlen);
}

/* Cheap pre-checks PCRE2 knows of a pattern: minimum length, and the bytes
 * an anchored match can start with. */
static void rules_quick(rules_rule *r)
{
    uint32_t minlen = 0, anch = 0, ftype = 0;
    const uint8_t *bitmap = NULL;
    pcre2_pattern_info(r->code, PCRE2_INFO_MINLENGTH, &minlen);
    pcre2_pattern_info(r->code, PCRE2_INFO_ALLOPTIONS, &anch);
    pcre2_pattern_info(r->code, PCRE2_INFO_FIRSTCODETYPE, &ftype);
    pcre2_pattern_info(r->code, PCRE2_INFO_FIRSTBITMAP, &bitmap);
    r->minlen = minlen;
    r->anchored = (anch & PCRE2_ANCHORED) != 0;
    if (r->anchored && ftype == 1) {
        uint32_t cu = 0;
        pcre2_pattern_info(r->code, PCRE2_INFO_FIRSTCODEUNIT, &cu);
        r->first[cu / 8] |= (uint8_t)(1u << (cu % 8));
        r->has_first = 1;
    } else if (r->anchored && bitmap) {
        memcpy(r->first, bitmap, sizeof r->first);
        r->has_first = 1;
    }
}

/* Word runs (see rules.h) and the prefilter over the sorted rules. */
static void rules_index(intents *in)
{
    size_t n = in->nrules;
    for (size_t i = 0; i < n; i++)
        rules_quick(&in->rules[i]);
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (in->rules[i].word && j < n && in->rules[j].word &&
               in->rules[j].priority == in->rules[i].priority)
            j++;
        for (size_t k = i; k < j; k++)
            in->rules[k].run_end = j;
        i = j;
    }
    in->sec = xcalloc(n ? n : 1, sizeof *in->sec);
    for (size_t i = 0; i < n; i++)
        if (in->rules[i].second.n)
            in->sec[in->nsec++] = i;
    lit_set *lits = xcalloc(n + in->nsec + 1, sizeof *lits);
    for (size_t i = 0; i < n; i++)
        lits[i] = in->rules[i].keywords; /* shallow: pf_build copies */
    for (size_t j = 0; j < in->nsec; j++) {
        lits[n + j] = in->rules[in->sec[j]].second;
        in->rules[in->sec[j]].sbit = n + j;
    }
    in->pf = pf_build(lits, n + in->nsec);
    for (size_t i = 0; i < n; i++)
        lits[i] = in->rules[i].lead;
    in->ld = lead_build(lits, n);
    free(lits);
    in->cand = xcalloc(pf_words(in->pf), sizeof *in->cand);
    if (in->ld) {
        in->lany = xcalloc(lead_words(in->ld), sizeof *in->lany);
        in->lidx = xcalloc(lead_words(in->ld), sizeof *in->lidx);
        in->lneed = xcalloc(lead_words(in->ld), sizeof *in->lneed);
        for (size_t i = 0; i < n; i++)
            if (in->rules[i].acode)
                in->lidx[i / 64] |= 1ull << (i % 64);
    }
}

/* The combined (*MARK) matcher of all rules (compiled once). */
static pcre2_code *rules_reference(intents *in, const char *file, char *err, size_t errlen)
{
    if (in->combined)
        return in->combined;
    size_t n = in->nrules;
    const char **pats = xcalloc(n ? n : 1, sizeof *pats);
    long *prio = xcalloc(n ? n : 1, sizeof *prio);
    for (size_t i = 0; i < n; i++) {
        pats[i] = in->rules[i].pattern;
        prio[i] = in->rules[i].priority;
    }
    in->combined = rules_combine(pats, prio, n, file, "rules", err, errlen);
    free(pats);
    free(prio);
    return in->combined;
}

int rules_load(intents *in, json_t *root, const char *file, char *err, size_t errlen)
{
    json_t *arr = json_object_get(root, "rules");
    if (!json_is_array(arr)) {
        snprintf(err, errlen, "%s: rules: missing or not an array", file);
        return -1;
    }
    size_t n = json_array_size(arr);
    in->rules = xcalloc(n ? n : 1, sizeof *in->rules);
    for (size_t i = 0; i < n; i++) {
        in->nrules = i + 1;
        if (rules_one(&in->rules[i], json_array_get(arr, i), i, file, err, errlen) < 0)
            return -1;
    }
    qsort(in->rules, n, sizeof *in->rules, rules_cmp);
    rules_index(in);
    return 0;
}

long rules_match_ref(intents *in, const char *s, size_t n)
{
    char err[256];
    pcre2_code *code = rules_reference(in, "rules", err, sizeof err);
    if (!code || !rules_exec(&in->rx, code, s, n, 0))
        return -1;
    long idx = rules_mark(&in->rx);
    return idx >= 0 && (size_t)idx < in->nrules ? idx : -1;
}

void rules_free(intents *in)
{
    if (!in)
        return;
    for (size_t i = 0; i < in->nrules; i++) {
        pcre2_code_free(in->rules[i].code);
        pcre2_code_free(in->rules[i].acode);
        free(in->rules[i].pattern);
        lit_free(&in->rules[i].keywords);
        lit_free(&in->rules[i].lead);
        lit_free(&in->rules[i].second);
    }
    free(in->rules);
    pcre2_code_free(in->combined);
    pf_free(in->pf);
    free(in->cand);
    lead_free(in->ld);
    free(in->lpos);
    free(in->lmask);
    free(in->lany);
    free(in->lidx);
    free(in->lneed);
    in->lneed = NULL;
    free(in->sec);
    in->sec = NULL;
    in->nsec = 0;
    in->lidx = NULL;
    in->ld = NULL;
    in->lpos = NULL;
    in->lmask = NULL;
    in->lany = NULL;
    in->lcap = 0;
    in->pf = NULL;
    in->cand = NULL;
    in->rules = NULL;
    in->nrules = 0;
    in->combined = NULL;
}
