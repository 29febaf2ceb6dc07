/* test_model.c -- unit tests of the statistical layer of the intent engine:
 * the model file's parser and its error messages, how a model and the rules
 * combine (final rules, confidence, runner-up, no destructive intent without
 * a rule of it), deterministic training, and what citizens type that must
 * never be misread with the shipped config (yes/no never unsubscribes,
 * "chào bán cổ phiếu" is no greeting, DONGPHI is payment), and the fast
 * weight parser being strtof. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "intents/intents.h"
#include "intents/model.h"
#include "t.h"

static char dir[64];

/* Write text to dir/name; returns the path (static, overwritten next call). */
static const char *put(const char *name, const char *text)
{
    static char path[2][128];
    static int k;
    k ^= 1;
    snprintf(path[k], sizeof path[k], "%s/%s", dir, name);
    FILE *f = fopen(path[k], "w");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
    return path[k];
}

static void expect_model_error(const char *text, const char *want_tail, const char *what)
{
    char err[512] = "", want[600];
    const char *path = put("bad.tsv", text);
    model *m = model_load(path, err, sizeof err);
    snprintf(want, sizeof want, "%s:%s", path, want_tail);
    T_OK(m == NULL, "%s: load fails", what);
    T_STREQ(err, want, "%s: message", what);
    model_free(m);
}

static void test_parse_errors(void)
{
    expect_model_error("w:a\t1 2\n", "1: expected \"classes<TAB>...\" first", "no classes line");
    expect_model_error("# c\nclasses\thelp weather\n", "2: unknown or repeated class \"weather\"",
                       "unknown class");
    expect_model_error("classes\thelp help\n", "1: repeated class \"help\"", "repeated class");
    expect_model_error("classes\thelp\n", "1: fewer than 2 classes", "one class");
    const char *weights = "2: feature \"w:a\": 2 weights (|w| <= 1000) expected";
    expect_model_error("classes\thelp unknown\nw:a\t1\n", weights, "too few weights");
    expect_model_error("classes\thelp unknown\nw:a\t1 x\n", weights, "bad weight");
    expect_model_error("classes\thelp unknown\nw:a\t1 2000\n", weights, "huge weight");
    expect_model_error("classes\thelp unknown\nw:a\t1 2\nw:a\t1 2\n", "3: feature \"w:a\" repeated",
                       "repeated feature");
    expect_model_error("classes\thelp unknown\nwa\t1 2\n", "2: feature \"wa\" is not kind:slice",
                       "bad feature name");
    expect_model_error("# only comments\n", " no \"classes\" line", "empty");
    char err[256];
    T_OK(model_load("/nonexistent/model.tsv", err, sizeof err) == NULL &&
         strncmp(err, "/nonexistent/model.tsv: ", 24) == 0, "missing file named: %s", err);
    model_free(NULL);
}

static intents *load_with(const char *rules_json, char *err, size_t errlen)
{
    return intents_load(put("intents.json", rules_json), err, errlen);
}

/* A hand-written model: "xin" means greeting, the bias leans to unsubscribe. */
static void test_combination(void)
{
    char err[512], json[512];
    const char *mpath = put("m.tsv", "classes\tgreeting unsubscribe unknown help\n"
                                      "bias\t0 3 0 0\nw:xin\t20 0 0 0\nr:help\t0 0 0 30\n");
    snprintf(json, sizeof json, "{\"model\": {\"file\": \"%s\", \"final_priority\": 50}, "
             "\"rules\": [{\"intent\": \"help\", \"priority\": 60, \"pattern\": \"^hd$\"},"
             "{\"intent\": \"help\", \"priority\": 10, \"pattern\": \"huong dan\"},"
             "{\"intent\": \"unsubscribe\", \"priority\": 10, \"pattern\": \"^stop$\"}]}", mpath);
    intents *in = load_with(json, err, sizeof err);
    T_OK(in != NULL, "config with a model loads (%s)", in ? "" : err);
    if (!in)
        return;
    intent_result r = {0};
    intents_classify(in, "hd", 2, &r);
    T_OK(r.intent == INTENT_HELP && r.confidence == 1.0f, "a final rule decides alone");
    intents_classify(in, "xin", 3, &r);
    T_OK(r.intent == INTENT_GREETING && r.confidence > 0.9f && r.confidence <= 1.0f,
         "the model decides below final_priority (%.3f)", (double)r.confidence);
    T_OK(r.alt != r.intent && r.alt_confidence < r.confidence, "a runner-up is reported");
    intents_classify(in, "huong dan", 9, &r);
    T_OK(r.intent == INTENT_HELP, "the rule's intent is a feature of the model");
    intents_classify(in, "abc", 3, &r);
    T_OK(r.intent != INTENT_UNSUBSCRIBE, "no unsubscribe without an unsubscribe rule (%s)",
         intent_name(r.intent));
    intents_classify(in, "stop", 4, &r);
    T_OK(r.intent == INTENT_UNSUBSCRIBE, "unsubscribe when its rule matched and the model agrees");
    intent_result_clear(&r);
    intents_free(in);
    snprintf(json, sizeof json, "{\"model\": {\"file\": \"missing.tsv\", \"final_priority\": 5},"
             " \"rules\": []}");
    in = load_with(json, err, sizeof err);
    T_OK(in == NULL && strstr(err, "/missing.tsv: ") != NULL, "missing model file: %s", err);
    T_OK((in = intents_load_rules(put("intents.json", json), err, sizeof err)) != NULL,
         "intents_load_rules ignores the model file");
    intents_free(in);
    in = load_with("{\"model\": {\"file\": 3}, \"rules\": []}", err, sizeof err);
    T_OK(in == NULL && strstr(err, "model: must be") != NULL, "bad model object: %s", err);
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    char *s = calloc(1, 1 << 16);
    if (f && s)
        s[fread(s, 1, (1 << 16) - 1, f)] = '\0';
    if (f)
        fclose(f);
    return s;
}

static void test_train(void)
{
    char err[512];
    const char *corpus = put("c.tsv", "# c\nxin chao\tgreeting\nchao ban\tgreeting\n"
                                      "xin chao ban\tgreeting\nhuong dan\thelp\nhuong dan toi\thelp\n"
                                      "toi can huong dan\thelp\n");
    char cpath[128];
    snprintf(cpath, sizeof cpath, "%s", corpus);
    intents *in = load_with("{\"rules\": []}", err, sizeof err);
    intents_train_opts o = {.epochs = 20, .rate = 0.3f, .l2 = 1e-5f, .min_count = 1};
    const char *paths[] = {cpath};
    char out1[128], out2[128];
    snprintf(out1, sizeof out1, "%s/t1.tsv", dir);
    snprintf(out2, sizeof out2, "%s/t2.tsv", dir);
    FILE *f1 = fopen(out1, "w"), *f2 = fopen(out2, "w");
    int a = intents_train(in, paths, 1, &o, f1, err, sizeof err);
    int b = intents_train(in, paths, 1, &o, f2, err, sizeof err);
    fclose(f1);
    fclose(f2);
    char *s1 = slurp(out1), *s2 = slurp(out2);
    T_OK(a == 0 && b == 0 && s1 && s2 && strlen(s1) > 100 && strcmp(s1, s2) == 0,
         "training is deterministic");
    free(s1);
    free(s2);
    model *m = model_load(out1, err, sizeof err);
    float p[INTENT__COUNT];
    if (m)
        model_predict(m, "chao", 4, -1, p);
    T_OK(m && p[INTENT_GREETING] > p[INTENT_HELP], "the trained model learnt its corpus");
    model_free(m);
    const char *bad = put("bad.tsv", "xin chao\tweather\n");
    FILE *nul = fopen("/dev/null", "w");
    T_OK(intents_train(in, &bad, 1, &o, nul, err, sizeof err) < 0 &&
         strstr(err, ":1: unknown intent \"weather\"") != NULL, "unknown label: %s", err);
    const char *none = put("none.tsv", "# nothing\n");
    T_OK(intents_train(in, &none, 1, &o, nul, err, sizeof err) < 0, "no examples: %s", err);
    fclose(nul);
    intents_free(in);
}

/* What the shipped config must never get wrong. */
static void test_shipped(void)
{
    char err[512];
    intents *in = intents_load("config/intents.json", err, sizeof err);
    T_OK(in != NULL, "config/intents.json with its model loads (%s)", in ? "" : err);
    if (!in)
        return;
    static const char *const yes_no[] = {"đúng", "dung", "đúng rồi", "thôi", "thoi", "ok", "vâng",
                                         "không", "ko", "dạ", "được", "tắt", "thôi khỏi", NULL};
    intent_result r = {0};
    for (int i = 0; yes_no[i]; i++) {
        intents_classify(in, yes_no[i], strlen(yes_no[i]), &r);
        T_OK(r.intent != INTENT_UNSUBSCRIBE, "\"%s\" is not unsubscribe", yes_no[i]);
    }
    intents_classify(in, "HUY", 3, &r);
    T_OK(r.intent == INTENT_UNSUBSCRIBE && r.confidence == 1.0f, "HUY alone unsubscribes");
    intents_classify(in, "chào bán cổ phiếu", strlen("chào bán cổ phiếu"), &r);
    T_OK(r.intent != INTENT_GREETING, "chào bán cổ phiếu is no greeting (%s)",
         intent_name(r.intent));
    const char *pay = "DONGPHI 000.00.12.H18-200520-0001";
    intents_classify(in, pay, strlen(pay), &r);
    T_OK(r.intent == INTENT_PAYMENT && !strcmp(r.dossier_code, "000.00.12.H18-200520-0001"),
         "DONGPHI <code> is payment with the code");
    const char *cx = "Cột đèn trước nhà tôi hỏng cả tháng, tối rất nguy hiểm, đề nghị sửa gấp";
    intents_classify(in, cx, strlen(cx), &r);
    T_OK(r.intent == INTENT_COMPLAINT_NEW && r.text && !strcmp(r.text, cx),
         "a problem description is a complaint, its text kept whole");
    intents_classify(in, "mất bao lâu", strlen("mất bao lâu"), &r);
    T_OK(r.intent == INTENT_PROCEDURE_INFO, "a bare aspect question is procedure_info");
    intents_classify(in, "số điện thoại", strlen("số điện thoại"), &r);
    T_OK(r.intent == INTENT_HUMAN_AGENT, "a contact question is human_agent");
    intents_classify(in, "cảm ơn nhiều", strlen("cảm ơn nhiều"), &r);
    T_OK(r.intent == INTENT_GREETING, "thanks is a greeting");
    intent_result_clear(&r);
    intents_free(in);
}

/* model_weight agrees with strtof bit for bit and stops at the same byte:
 * every weight `dvcbot train` can write up to |w| <= 300 (3 decimals, %g),
 * and forms that take the strtof path (exponents, long digit runs, signs,
 * blanks, garbage after the number). */
static void test_weight(void)
{
    char buf[64], *e1, *e2;
    size_t bad = 0, n = 0;
    for (long k = -300000; k <= 300000; k++, n++) {
        snprintf(buf, sizeof buf, "%g", (double)((float)k / 1000));
        float a = model_weight(buf, &e1), b = strtof(buf, &e2);
        bad += memcmp(&a, &b, sizeof a) != 0 || e1 != e2;
    }
    static const char *const odd[] = {
        "0", "-0", "-0.000", "1e-05", "2.5E3", "0.12345678", "12345678", "1234567.5", "1.",
        ".5", "-.5", "+0.5", " 0.5", "0.5 0.25", "  -0.25 1", "\t0.5", "\v0.5", " ", "0.5x", "-", ".", "", "inf", "nan", "0x1p3",
        "9999999", "0.0000001", "3.4028235e38", "1e40", "-0.8240", "0.1234567", NULL};
    for (int i = 0; odd[i]; i++, n++) {
        float a = model_weight(odd[i], &e1), b = strtof(odd[i], &e2);
        int same = (a != a && b != b) || memcmp(&a, &b, sizeof a) == 0;
        if (!same || e1 != e2)
            printf("# \"%s\": %a (+%td) vs strtof %a (+%td)\n", odd[i], (double)a,
                   e1 - odd[i], (double)b, e2 - odd[i]);
        bad += !same || e1 != e2;
    }
    T_OK(bad == 0, "model_weight is strtof on %zu weights (%zu differ)", n, bad);
}

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/test_model.XXXXXX");
    if (!mkdtemp(dir))
        return 1;
    test_parse_errors();
    test_weight();
    test_combination();
    test_train();
    test_shipped();
    static const char *const names[] = {"bad.tsv", "intents.json", "m.tsv", "c.tsv", "t1.tsv",
                                        "t2.tsv", "none.tsv", NULL};
    for (int i = 0; names[i]; i++) {
        char p[128];
        snprintf(p, sizeof p, "%s/%s", dir, names[i]);
        unlink(p);
    }
    rmdir(dir);
    return t_done();
}
