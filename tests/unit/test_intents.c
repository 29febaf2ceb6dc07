/* test_intents.c -- unit tests of the rule engine and entity extraction:
 * config loading and its error messages, priorities, named groups, entity
 * canonicalisation, regex-bomb inputs, invalid UTF-8 and over-long input,
 * literal derivation (necessary, second and leading sets), word runs, declared
 * keywords, the factored leading alternations of the anchored tries, and
 * agreement of the prefiltered engine with the single combined reference
 * pattern. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "intents/factor.h"
#include "intents/intents.h"
#include "intents/literals.h"
#include "intents/normalize.h"
#include "intents/rules.h"
#include "t.h"

static char tmp_path[64];

/* Write json to a temporary file and try to load it; err gets the message. */
static intents *load_json(const char *json, char *err, size_t errlen)
{
    snprintf(tmp_path, sizeof tmp_path, "/tmp/test_intents.XXXXXX");
    int fd = mkstemp(tmp_path);
    if (fd < 0)
        return NULL;
    FILE *f = fdopen(fd, "w");
    fputs(json, f);
    fclose(f);
    intents *in = intents_load(tmp_path, err, errlen);
    unlink(tmp_path);
    return in;
}

static void expect_error(const char *json, const char *want_tail, const char *what)
{
    char err[512] = "", want[600];
    intents *in = load_json(json, err, sizeof err);
    snprintf(want, sizeof want, "%s: %s", tmp_path, want_tail);
    T_OK(in == NULL, "%s: load fails", what);
    T_STREQ(err, want, "%s: message", what);
    intents_free(in);
}

static void test_load_errors(void)
{
    expect_error("{\"rules\": [{\"intent\": \"help\", \"priority\": 1, \"pattern\": \"hd\"},"
                 "{\"intent\": \"help\", \"priority\": 1, \"pattern\": \"(abcd\"}]}",
                 "rules[1].pattern: missing closing parenthesis at offset 5", "bad regex");
    expect_error("{\"rules\": [{\"intent\": \"weather\", \"priority\": 1, \"pattern\": \"x\"}]}",
                 "rules[0].intent: unknown intent \"weather\"", "unknown intent");
    expect_error("{\"rules\": [{\"intent\": \"help\", \"pattern\": \"x\"}]}",
                 "rules[0].priority: missing or not an integer", "missing priority");
    expect_error("{\"rules\": [{\"intent\": \"help\", \"priority\": 1}]}",
                 "rules[0].pattern: missing or not a non-empty string", "missing pattern");
    expect_error("{\"rules\": [{\"intent\": \"help\", \"priority\": 1, \"pattern\": \"(?<foo>x)\"}]}",
                 "rules[0].pattern: unknown entity group \"foo\"", "unknown group");
    expect_error("{\"rules\": [{\"intent\": \"help\", \"priority\": 1, \"pattern\": \"a(*COMMIT)\"}]}",
                 "rules[0].pattern: backtracking verbs, callouts and (?x) are not allowed", "verbs");
    expect_error("{\"rules\": [{\"intent\": \"help\", \"priority\": 1, \"patern\": \"x\"}]}",
                 "rules[0]: unknown key \"patern\"", "typo key");
    expect_error("{\"rules\": {}}", "rules: missing or not an array", "rules not array");
    expect_error("{\"rules\": [{\"intent\": \"help\", \"priority\": 1, \"pattern\": \"x\","
                 " \"keywords\": \"x\"}]}",
                 "rules[0].keywords: must be an array of strings", "keywords not array");
    expect_error("{\"rules\": [{\"intent\": \"help\", \"priority\": 1, \"pattern\": \"x\","
                 " \"keywords\": [\"x\", \"\"]}]}",
                 "rules[0].keywords[1]: must be a non-empty string", "empty keyword");
    expect_error("{\"rules\": [], \"score_words\": [{\"pattern\": \"x\", \"score\": 9}]}",
                 "score_words[0].score: must be an integer 0-5", "bad score");
    char err[256];
    T_OK(intents_load("/nonexistent/intents.json", err, sizeof err) == NULL &&
         strncmp(err, "/nonexistent/intents.json:", 26) == 0, "missing file names the file");
    intents *in = load_json("{\"rules\": [", err, sizeof err);
    T_OK(in == NULL && strstr(err, tmp_path) == err, "JSON syntax error names the file: %s", err);
}

static void test_priority(void)
{
    char err[256];
    intent_result r = {0};
    intents *in = load_json("{\"rules\": ["
        "{\"intent\": \"greeting\", \"priority\": 1, \"pattern\": \"\\\\bchao\\\\b\"},"
        "{\"intent\": \"help\", \"priority\": 5, \"pattern\": \"\\\\bhuong dan\\\\b\"},"
        "{\"intent\": \"rating\", \"priority\": 5, \"pattern\": \"^dg (?<score>\\\\d)\"},"
        "{\"intent\": \"rating\", \"priority\": 2, \"pattern\": \"\\\\bgood\\\\b\", \"entities\": {\"score\": 5}}"
        "]}", err, sizeof err);
    T_OK(in != NULL, "small config loads (%s)", in ? "" : err);
    if (!in)
        return;
    intents_classify(in, "Chào, hướng dẫn tôi", strlen("Chào, hướng dẫn tôi"), &r);
    T_STREQ(intent_name(r.intent), "help", "higher priority wins over earlier match");
    intents_classify(in, "chao", 4, &r);
    T_STREQ(intent_name(r.intent), "greeting", "lower priority when alone");
    intents_classify(in, "DG 4", 4, &r);
    T_OK(r.intent == INTENT_RATING && r.score == 4, "named group score");
    intents_classify(in, "good", 4, &r);
    T_OK(r.score == 5, "fixed entity score");
    intents_classify(in, "xyz", 3, &r);
    T_STREQ(intent_name(r.intent), "unknown", "no rule -> unknown");
    intent_result_clear(&r);
    intents_free(in);
}

static intents *g_in;

static intent_result *cl(const char *s)
{
    static intent_result r;
    intents_classify(g_in, s, strlen(s), &r);
    return &r;
}

static void test_entities(void)
{
    T_STREQ(cl("HS 000.00.12.H18 200520 0001")->dossier_code, "000.00.12.H18-200520-0001", "spaces");
    T_STREQ(cl("kt hs 00000 06H56-231027-0361")->dossier_code, "000.00.06.H56-231027-0361", "dropped dots");
    T_STREQ(cl("tracuu h56.14-240823-0001")->dossier_code, "H56.14-240823-0001", "short form");
    T_STREQ(cl("tracuu h56 14 2 240823 0001")->dossier_code, "H56.14.2-240823-0001", "short form spaces");
    T_STREQ(cl("tracuu 000.00.12.H18-201320-0001")->dossier_code, "", "month 13 rejected");
    T_STREQ(cl("tracuu 000.00.12.H18-200532-0001")->dossier_code, "", "day 32 rejected");
    T_STREQ(cl("tracuu 000.00.12.H18-200500-0001")->dossier_code, "", "day 00 rejected");
    T_STREQ(cl("TT 1.001193")->procedure_code, "1.001193", "procedure code");
    T_STREQ(cl("TTPA pa 241105 0123")->complaint_code, "PA-241105-0123", "complaint code");
    T_OK(cl("DG 000.00.06.H56-231027-0361 5")->score == 5, "DG code score");
    T_OK(cl("danh gia 4/5")->score == 4, "N/5");
    T_OK(cl("cho 2 điểm")->score == 2, "N diem");
    T_OK(cl("rất không hài lòng")->score == 1, "rat khong hai long");
    T_OK(cl("k hai long")->score == 2, "k hai long");
    T_OK(cl("rất hài lòng")->score == 5, "rat hai long");
    T_OK(cl("binh thuong")->intent == INTENT_UNKNOWN, "a bare verdict is no rating out of context");
    T_OK(cl("hài lòng")->score == 4, "hai long");
    intent_result *r = cl("TT khai sinh");
    T_OK(r->intent == INTENT_PROCEDURE_INFO && r->query && strcmp(r->query, "khai sinh") == 0,
         "query of TT khai sinh: %s", r->query ? r->query : "(null)");
    r = cl("PAKN Cán bộ xã gây khó dễ");
    T_OK(r->intent == INTENT_COMPLAINT_NEW && r->text && strcmp(r->text, "Cán bộ xã gây khó dễ") == 0,
         "complaint text keeps diacritics: %s", r->text ? r->text : "(null)");
    intent_result e = {0};
    intents_entities(g_in, "000.00.12.H18-200520-0001", 25, &e);
    T_STREQ(e.dossier_code, "000.00.12.H18-200520-0001", "intents_entities finds a bare code");
    intents_entities(g_in, "4", 1, &e);
    T_OK(e.score == 4, "intents_entities: bare score");
    intent_result_clear(&e);
}

static void test_hostile(void)
{
    intent_result r = {0};
    T_OK(intents_classify(g_in, "ho so \xc0\xaf", 8, &r) == -1 && r.intent == INTENT_UNKNOWN,
         "invalid UTF-8 -> -1, unknown");
    size_t n = 100000;
    char *big = malloc(n + 1);
    for (size_t i = 0; i < n; i++)
        big[i] = "ho so 000.00.12 a "[i % 18];
    big[n] = '\0';
    clock_t t0 = clock();
    T_OK(intents_classify(g_in, big, n, &r) == 0, "100 kB input classified");
    memset(big, 'a', n);
    intents_classify(g_in, big, n, &r);
    for (size_t i = 0; i < n; i++)
        big[i] = "1 . "[i % 4];
    intents_classify(g_in, big, n, &r);
    big[n - 1] = '\xc3'; /* invalid beyond the classified prefix */
    T_OK(intents_classify(g_in, big, n, &r) == -1, "invalid UTF-8 past the cap still detected");
    double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
    T_OK(secs < 2.0, "hostile inputs finish quickly (%.3f s)", secs);
    free(big);
    char err[256];
    intents *bomb = load_json("{\"rules\": [{\"intent\": \"help\", \"priority\": 1,"
                              " \"pattern\": \"^(a+)+$\"}]}", err, sizeof err);
    T_OK(bomb != NULL, "regex-bomb rule loads");
    const char *evil = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!";
    t0 = clock();
    T_OK(bomb && intents_classify(bomb, evil, strlen(evil), &r) == 0 && r.intent == INTENT_UNKNOWN,
         "catastrophic backtracking stopped by the match limit");
    T_OK((double)(clock() - t0) / CLOCKS_PER_SEC < 2.0, "regex bomb finishes quickly");
    intents_free(bomb);
    intents_free(NULL);
    intent_result_clear(NULL);
    intent_result_clear(&r);
}

/* fn(pat) as "a|b|c", or "-" when no set. */
static const char *derived_by(int (*fn)(const char *, lit_set *), const char *pat)
{
    static char out[256];
    lit_set set = {0};
    size_t n = 0;
    strcpy(out, "-");
    if (fn(pat, &set) == 0)
        for (size_t i = 0; i < set.n; i++)
            n += (size_t)snprintf(out + n, n < sizeof out ? sizeof out - n : 0, "%s%s",
                                  i ? "|" : "", set.s[i]);
    lit_free(&set);
    return out;
}

static const char *derived(const char *pat)
{
    return derived_by(lit_derive, pat);
}

static void test_lead_literals(void)
{
    T_STREQ(derived_by(lit_lead, "\\b(?:gap|noi chuyen)\\s+x"), "gap|noi chuyen", "lead: group");
    T_STREQ(derived_by(lit_lead, "\\bhuy (?:dk|dang ky)\\b"), "huy dk|huy dang ky",
            "lead: run times exact group");
    T_STREQ(derived_by(lit_lead, "\\b(?:a|b)c?d|\\bx\\d+"), "a|b|x0", "lead: stops at a repeat");
    T_STREQ(derived_by(lit_lead, "(?<!k )\\bgui\\s"), "gui", "lead: lookbehind skipped");
    T_STREQ(derived_by(lit_lead, "\\b(?:a|b?)c"), "-", "lead: optional branch has none");
    T_STREQ(derived_by(lit_lead, "\\b[a-z]\\d"), "-", "lead: class has none");
    T_STREQ(derived_by(lit_derive_rest, "\\b(?:pa|kn)\\b.*\\b(?:tra loi|xu ly)\\b"),
            "tra loi|xu ly", "rest: A.*B gives B");
    T_STREQ(derived_by(lit_derive_rest, "\\bab.*cd|\\bef.*gh"), "cd|gh", "rest: per branch");
    T_STREQ(derived_by(lit_derive_rest, "\\b(?:ab|cd)\\b"), "-", "rest: single piece");
}

/* Equal-priority word rules tried at their leading literals: the leftmost
 * word-start match wins, then file order; matches inside words do not count. */
static void test_word_runs(void)
{
    char err[256];
    intent_result r = {0};
    intents *in = load_json("{\"rules\": ["
        "{\"intent\": \"help\", \"priority\": 5, \"pattern\": \"\\\\b(?:huong dan|hd)\\\\b\"},"
        "{\"intent\": \"rating\", \"priority\": 5, \"pattern\": \"\\\\b(?:sao|diem)\\\\b\"},"
        "{\"intent\": \"greeting\", \"priority\": 5, \"pattern\": \"(?<!khong )\\\\bchao\"}"
        "]}", err, sizeof err);
    T_OK(in != NULL, "word-run config loads (%s)", in ? "" : err);
    if (!in)
        return;
    intents_classify(in, "cho 5 sao huong dan", 19, &r);
    T_STREQ(intent_name(r.intent), "rating", "leftmost word start wins");
    intents_classify(in, "xhd sao", 7, &r);
    T_STREQ(intent_name(r.intent), "rating", "match inside a word is skipped");
    intents_classify(in, "khong chao, chao", 16, &r);
    T_STREQ(intent_name(r.intent), "greeting", "lookbehind before the start offset");
    intents_classify(in, "khong chao", 10, &r);
    T_STREQ(intent_name(r.intent), "unknown", "lookbehind rejects the only start");
    intent_result_clear(&r);
    intents_free(in);
}

static void test_literals(void)
{
    T_STREQ(derived("\\b(?:phan anh|khieu nai)\\b"), "phan anh|khieu nai", "alternation");
    T_STREQ(derived("^tt\\s*:?\\s*(?<procedure_code>\\d[.,]\\d{6})\\b"), "000000",
            "longest piece, digits fold to 0");
    T_STREQ(derived("\\b(?:huy|stop)\\s+x|\\bno\\b"), "huy|stop|no", "top-level branches");
    T_STREQ(derived("(?:x|y?)z"), "z", "optional branch makes the group useless");
    T_STREQ(derived("ab+c"), "ab", "run cut after a repeat");
    T_STREQ(derived("opt ?out"), "opt", "optional space cuts the run");
    T_STREQ(derived("[1-5] ?sao"), "sao", "digit class");
    T_STREQ(derived("\\?+|h"), "?|h", "escaped punctuation");
    T_STREQ(derived("^[\\W_\\d]*$"), "-", "nothing necessary");
    T_STREQ(derived("a(?i)b"), "-", "inline options give up");
    T_STREQ(derived("(a)\\1"), "-", "backreferences give up");
    T_STREQ(derived("(?=abc)x|y(?<!q)"), "x|y", "lookarounds are zero-width");
}

static void test_keywords(void)
{
    char err[256];
    intent_result r = {0};
    intents *in = load_json("{\"rules\": ["
        "{\"intent\": \"help\", \"priority\": 5, \"pattern\": \"\\\\bhuong dan\\\\b\","
        " \"keywords\": [\"menu\"]},"
        "{\"intent\": \"rating\", \"priority\": 4, \"pattern\": \"\\\\d sao\","
        " \"keywords\": []},"
        "{\"intent\": \"greeting\", \"priority\": 1, \"pattern\": \"huong\"}"
        "]}", err, sizeof err);
    T_OK(in != NULL, "keywords config loads (%s)", in ? "" : err);
    if (!in)
        return;
    intents_classify(in, "huong dan", 9, &r);
    T_STREQ(intent_name(r.intent), "greeting", "declared keywords are trusted: rule skipped");
    intents_classify(in, "menu huong dan", 14, &r);
    T_STREQ(intent_name(r.intent), "help", "keyword present: rule tried");
    intents_classify(in, "5 sao", 5, &r);
    T_STREQ(intent_name(r.intent), "rating", "empty keywords: always tried");
    intent_result_clear(&r);
    intents_free(in);
}

/* Normalise t and compare the prefiltered and the reference decisions. */
static int agree(intents *in, const char *t, size_t len)
{
    static char norm[INTENTS_MAX_INPUT + 1];
    size_t n;
    if (len > INTENTS_MAX_INPUT || norm_text(t, len, norm, sizeof norm, &n) < 0)
        return 1;
    long a = rules_match(in, norm, n), b = rules_match_ref(in, norm, n);
    if (a != b)
        printf("# prefilter %ld, reference %ld: \"%s\"\n", a, b, norm);
    return a == b;
}

/* Corpus texts, their prefixes, suffixes and pairwise joins: the prefilter
 * must never change the winning rule. */
static void test_prefilter_agrees(intents *in, const char *path)
{
    enum { MAXT = 1024 };
    static char texts[MAXT][512];
    char line[4096];
    size_t nt = 0, bad = 0, runs = 0;
    FILE *f = fopen(path, "r");
    while (f && nt < MAXT && fgets(line, sizeof line, f)) {
        line[strcspn(line, "\t\r\n")] = '\0';
        if (line[0] != '#' && line[0] && strlen(line) < sizeof texts[0])
            memcpy(texts[nt++], line, strlen(line) + 1);
    }
    if (f)
        fclose(f);
    unsigned seed = 12345;
    for (size_t i = 0; i < nt; i++) {
        size_t len = strlen(texts[i]);
        for (size_t k = 0; k <= len; k += 3, runs += 2)
            bad += !agree(in, texts[i], k) + !agree(in, texts[i] + k, len - k);
        for (int j = 0; j < 8; j++, runs++) {
            char join[1100];
            const char *other = texts[(seed >> 8) % nt];
            seed = seed * 1103515245u + 12345u;
            memcpy(join, other, strlen(other));
            join[strlen(other)] = ' ';
            memcpy(join + strlen(other) + 1, texts[i], len + 1);
            bad += !agree(in, join, strlen(join));
        }
    }
    T_OK(nt > 0 && bad == 0, "%s: prefilter agrees with the combined pattern on %zu texts "
         "(%zu differ)", path, runs, bad);
}

/* factor_lead: a long plain leading alternation becomes a trie (branches and
 * the rest kept), shorter or unsafe ones are left alone. */
static void test_factor(void)
{
    char *f = factor_lead("\\b(?:khai sinh|khai tu|ket hon|ly hon|ly lich|ly|ho chieu|hc|"
                          "bang (?:a1|b2))\\b.*x");
    T_STREQ(f ? f : "(null)",
            "\\b(?:(?:h(?:c|o chieu)|k(?:et hon|hai (?:sinh|tu))|ly(?: (?:hon|lich)|))"
            "|bang (?:a1|b2))\\b.*x",
            "a leading alternation of 8 plain words is factored");
    free(f);
    f = factor_lead("\\b(?:a|b|c|d|e|f|g)\\b");
    T_OK(f == NULL, "fewer than %d plain branches: left alone", FACTOR_MIN);
    free(f);
    f = factor_lead("\\b(?:a|b|c|d|e|f|g|h)(*COMMIT)x");
    T_OK(f == NULL, "a backtracking verb: left alone");
    free(f);
    f = factor_lead("\\b(?:a|b|c|d|e|f|g|h|\\c|)x");
    T_OK(f == NULL, "an escape that swallows a '|': left alone");
    free(f);
}

int main(void)
{
    char err[512];
    T_STREQ(intent_name(INTENT_RATING), "rating", "intent_name");
    T_OK(intent_from_name("human_agent") == INTENT_HUMAN_AGENT && intent_from_name("x") == -1,
         "intent_from_name");
    test_load_errors();
    test_priority();
    test_literals();
    test_lead_literals();
    test_word_runs();
    test_keywords();
    test_factor();
    g_in = intents_load("config/intents.json", err, sizeof err);
    T_OK(g_in != NULL, "config/intents.json loads (%s)", g_in ? "" : err);
    if (g_in) {
        test_entities();
        test_hostile();
        test_prefilter_agrees(g_in, "tests/corpus/intents.tsv");
        if (access("../shared/corpus/intents-dev.tsv", R_OK) == 0)
            test_prefilter_agrees(g_in, "../shared/corpus/intents-dev.tsv");
        intent_result *r = cl("");
        intent_result_clear(r);
    }
    intents_free(g_in);
    return t_done();
}
