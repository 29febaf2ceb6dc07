/* test_catalogue.c -- the procedure catalogue: loading the sample catalogue,
 * exact error messages on broken files, code lookup and accessors, search
 * ranking on realistic queries (with and without diacritics, shorthand,
 * Telex, typos; alone and inside a 6,000-procedure generated catalogue),
 * question aspects, reload; the synonyms of config/synonyms.json (rewriting,
 * "also" words, question words that are never search words, content words
 * that stay), level variants grouped, the verdict of catalogue_ask (answer,
 * choices, not found, outside topics), synonyms file errors. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "catalogue/catalogue.h"
#include "intents/normalize.h"
#include "t.h"

static char dir[] = "/tmp/dvc-cat-XXXXXX";

/* A valid procedure with one "key": value replaced (or added when absent). */
static const char *proc_json(const char *code, const char *override)
{
    static char out[4096];
    snprintf(out, sizeof(out),
             "{\"code\": \"%s\", \"name\": \"Thủ tục thử nghiệm\", \"aliases\": [\"thu nghiem\"], "
             "\"field\": \"Thử\", \"level\": \"xa\", \"agency\": \"UBND cấp xã\", "
             "\"documents\": [{\"name\": \"Tờ khai\", \"originals\": 1, \"copies\": 0}], "
             "\"steps\": [\"Nộp hồ sơ.\"], "
             "\"processing_time\": {\"days\": 3, \"working_days\": true, \"text\": \"03 ngày làm việc\"}, "
             "\"fees\": [{\"amount_vnd\": 0, \"text\": \"Miễn phí\"}], "
             "\"channels\": [\"direct\"], \"online_level\": 2, \"legal_basis\": [\"Luật X\"], "
             "\"result\": \"Giấy xác nhận\"%s%s}",
             code, override ? ", " : "", override ? override : "");
    return out;
}

/* src with the first "from" replaced by "to" (static buffer, one at a time). */
static const char *subst(const char *src, const char *from, const char *to)
{
    static char out[2][4096];
    static int k;
    char *o = out[k ^= 1];
    const char *at = strstr(src, from);
    if (!at)
        return "(subst: not found)";
    snprintf(o, sizeof(out[0]), "%.*s%s%s", (int)(at - src), src, to, at + strlen(from));
    return o;
}

static const char *write_file(const char *name, const char *text)
{
    static char path[256];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
    return path;
}

/* Load one file holding text; expect failure with exactly "<path>: <want>"
 * (want starting with '~': the error starts with "<path>: " + the rest). */
static void expect_error(const char *text, const char *want, const char *what)
{
    char path[256], full[512], err[1024] = "";
    snprintf(path, sizeof(path), "%s", write_file("bad.json", text));
    snprintf(full, sizeof(full), "%s: %s", path, want + (want[0] == '~'));
    const char *files[] = {path};
    catalogue *c = catalogue_load_files(files, 1, NULL, NULL, err, sizeof(err));
    T_OK(!c, "%s: refused", what);
    if (want[0] == '~')
        T_OK(!strncmp(err, full, strlen(full)), "%s: error message (%s)", what, err);
    else
        T_STREQ(err, full, "%s: error message", what);
    catalogue_free(c);
    unlink(path);
}

static void test_errors(void)
{
    char buf[8192];
    expect_error("{\"procedures\": [", "~invalid JSON at line 1 column ",
                 "truncated JSON");
    expect_error("[1]", "(top level): expected object", "array at the top");
    expect_error("{\"procedures\": []}", "procedures: empty array", "no procedures");
    snprintf(buf, sizeof(buf), "{\"procedures\": [%s]}", proc_json("1.00001", NULL));
    expect_error(buf, "procedures[0].code: '1.00001' does not match d.dddddd", "bad code");
    snprintf(buf, sizeof(buf), "{\"procedures\": [%s]}",
             proc_json("1.000001", "\"fees\": [{\"amount_vnd\": \"free\", \"text\": \"x\"}]"));
    expect_error(buf, "~invalid JSON at line 1 column ",
                 "duplicate key");
    char p[4096];
    snprintf(p, sizeof(p), "%s", proc_json("1.000001", NULL));
    snprintf(buf, sizeof(buf), "{\"procedures\": [%s]}", subst(p, "\"agency\": \"UBND cấp xã\", ", ""));
    expect_error(buf, "procedures[0]: missing required field 'agency'", "missing field");
    snprintf(buf, sizeof(buf), "{\"procedures\": [%s]}", subst(p, "\"amount_vnd\": 0", "\"amount_vnd\": \"0\""));
    expect_error(buf, "procedures[0].fees[0].amount_vnd: expected integer or null", "fee as string");
    snprintf(buf, sizeof(buf), "{\"procedures\": [%s]}", subst(p, "[\"direct\"]", "[\"online\"]"));
    expect_error(buf, "procedures[0].online_level: online_level 2 is inconsistent with channels "
                      "(\"online\" is listed iff online_level >= 3)", "online level vs channels");
    snprintf(buf, sizeof(buf), "{\"procedures\": [%s]}",
             subst(p, "[\"thu nghiem\"]", "[\"hộ chiếu\", \"ho chieu\"]"));
    expect_error(buf, "procedures[0].aliases[1]: same as aliases[0] once diacritics are folded ('ho chieu')",
                 "aliases equal once folded");
    snprintf(buf, sizeof(buf), "{\"procedures\": [%s]}", subst(p, "\"originals\": 1", "\"originals\": 0"));
    expect_error(buf, "procedures[0].documents[0]: originals + copies must be at least 1", "no copies");
    snprintf(buf, sizeof(buf), "{\"procedures\": [%s]}", subst(p, "\"level\": \"xa\"", "\"level\": 3"));
    expect_error(buf, "procedures[0].level: expected one of xa, huyen, tinh, bo", "bad level");
    snprintf(buf, sizeof(buf), "{\"procedures\": [%s]}", subst(p, "\"days\": 3", "\"days\": 4000"));
    expect_error(buf, "procedures[0].processing_time.days: must be <= 3650", "days out of range");
    snprintf(buf, sizeof(buf), "{\"procedures\": [%s]}", proc_json("1.000001", "\"status\": \"paused\""));
    expect_error(buf, "procedures[0].status: expected one of active, ended", "bad status");
}

static void test_files(void)
{
    char buf[8192], err[1024];
    /* unknown keys are ignored; short_name falls back to the folded name */
    snprintf(buf, sizeof(buf), "{\"procedures\": [%s], \"future\": 1}",
             proc_json("1.000001", "\"new_key\": [1, 2]"));
    char a[256], b[256];
    snprintf(a, sizeof(a), "%s", write_file("a.json", buf));
    const char *one[] = {a};
    catalogue *c = catalogue_load_files(one, 1, NULL, NULL, err, sizeof(err));
    T_OK(c && catalogue_count(c) == 1, "unknown keys ignored (%s)", c ? "ok" : err);
    const catalogue_proc *p = catalogue_find_code(c, "1.000001");
    T_STREQ(p ? p->short_name : NULL, "Thu tuc thu nghiem", "short_name falls back to the folded name");
    catalogue_free(c);
    /* the same code in two files */
    snprintf(b, sizeof(b), "%s", write_file("b.json", buf));
    char want[1024];
    snprintf(want, sizeof(want), "%s: procedures[0].code: duplicate code 1.000001 (first used in %s)", b, a);
    c = catalogue_load(dir, NULL, NULL, err, sizeof(err));
    T_OK(!c, "duplicate code across files refused");
    T_STREQ(err, want, "duplicate code error names both files");
    unlink(b);
    unlink(a);
    snprintf(want, sizeof(want), "%s: no catalogue files (*.json) found", dir);
    c = catalogue_load(dir, NULL, NULL, err, sizeof(err));
    T_OK(!c, "empty directory refused");
    T_STREQ(err, want, "empty directory error");
}

static void count_error(void *arg, const char *line)
{
    (void)line;
    (*(int *)arg)++;
}

static void test_all_errors(void)
{
    char buf[8192], err[1024];
    char p1[4096];
    snprintf(p1, sizeof(p1), "%s", subst(proc_json("1.00000x", NULL), "\"online_level\": 2", "\"online_level\": 7"));
    snprintf(buf, sizeof(buf), "{\"procedures\": [%s, %s, 5]}", p1,
             subst(proc_json("1.000002", NULL), "\"level\": \"xa\"", "\"level\": \"commune\""));
    const char *path = write_file("many.json", buf);
    int n = 0;
    catalogue_opts o = {.on_error = count_error, .arg = &n};
    const char *files[] = {path};
    catalogue *c = catalogue_load_files(files, 1, NULL, &o, err, sizeof(err));
    T_OK(!c && n == 4, "on_error gets every error (%d)", n);
    unlink(path);
}

static catalogue *load_sample(void)
{
    char err[1024];
    catalogue *c = catalogue_load("config/catalogue", "config/procedure-aspects.json", NULL, err,
                                  sizeof(err));
    T_OK(c != NULL, "sample catalogue loads (%s)", c ? "ok" : err);
    return c;
}

static void test_lookup(catalogue *c)
{
    T_OK(catalogue_count(c) == 78, "78 sample procedures (%zu)", catalogue_count(c));
    T_OK(catalogue_nfields(c) == 16, "16 fields (%zu)", catalogue_nfields(c));
    const catalogue_proc *p = catalogue_find_code(c, "1.001193");
    T_STREQ(p ? p->name : NULL, "Đăng ký khai sinh", "find 1.001193");
    T_OK(catalogue_find_code(c, "1,001193") == p, "comma for the dot accepted");
    T_OK(!catalogue_find_code(c, "9.999999") && !catalogue_find_code(c, "1.00119"),
         "unknown and malformed codes -> NULL");
    T_OK(p && p->ndocs == 5 && p->fees[0].amount_vnd == 0 && p->days == 0 && p->working_days &&
             p->online_level == 4 && p->channels == 7 && !p->ended && p->sample_data,
         "khai sinh: documents, fee, time, channels, level");
    T_OK(p && !strcmp(p->level, "xa") && p->nsteps >= 2 && p->nlegal >= 1 && p->time_text,
         "khai sinh: level, steps, legal basis, time text");
    const catalogue_proc *e = catalogue_find_code(c, "2.002180");
    T_OK(e && e->ended, "COVID-19 support is ended");
    size_t n = 0, f = p ? p->field_index : 0;
    const catalogue_proc *const *fp = catalogue_field_procs(c, f, &n);
    T_STREQ(catalogue_field_name(c, f), "Hộ tịch", "field of khai sinh");
    int has = 0;
    for (size_t i = 0; i < n; i++)
        has |= fp[i] == p;
    T_OK(n == 11 && has, "field lists its 11 procedures");
    T_OK(!catalogue_field_name(c, 99) && !catalogue_at(c, 100000), "out of range -> NULL");
}

static const char *const ranking[][2] = {
    {"doi gplx", "1.002804"}, {"cap doi bang lai xe", "1.002804"}, {"sổ đỏ", "1.012801"},
    {"lam so do lan dau", "1.012801"}, {"ho chieu", "1.003266"}, {"khai sinh cho con", "1.001193"},
    {"dang ky ket hon", "1.000894"}, {"ly lich tu phap", "2.000505"}, {"tam tru", "1.004195"},
    {"thanh lap cong ty tnhh", "2.002031"}, {"ho kinh doanh", "1.001612"},
    {"tro cap that nghiep", "1.000108"}, {"bhxh 1 lan", "1.008101"}, {"bhxh lan", "1.008101"},
    {"Đăng ký khai sinh", "1.001193"}, {"giấy khai sinh", "1.001193"}, {"đổi bằng lái xe", "1.002804"},
    {"lam lai ho chieu bi mat", "1.003267"}, {"lltp", "2.000505"}, {"ddawng kys tam tru", "1.004195"},
    {"gia han tam tru", "1.004196"}, {"sổ hồng", "1.012801"}, {"tach thua", "1.012804"},
    {"xac nhan doc than", "1.004873"}, {"giay phep xay dung", "1.009994"},
    {"cap lai the bhyt", "1.008104"}, {"passport", "1.003266"}, {"khai tu", "1.000656"},
    {"quyet toan thue tncn", "1.007654"}, {"mst ca nhan", "1.007650"}, {"vneid", "1.012204"},
    {"chung thuc ban sao", "2.000815"}, {"ket hon voi nguoi nuoc ngoai", "1.000782"},
    {"dang ky xe may", "1.011991"}, {"giay phep lao dong", "1.000105"}, {"lai cccd", "1.012203"},
    {"tro cap thatt nghiep", "1.000108"}, {"1.000894", "1.000894"}, {"tt 2.000815", "2.000815"},
};

static void test_ranking(catalogue *c, const char *label)
{
    for (size_t i = 0; i < sizeof(ranking) / sizeof(ranking[0]); i++) {
        char norm[256];
        norm_text(ranking[i][0], strlen(ranking[i][0]), norm, sizeof(norm), NULL);
        catalogue_hit h[3];
        size_t n = catalogue_search(c, norm, h, 3);
        T_STREQ(n ? h[0].proc->code : "(none)", ranking[i][1], "%s: '%s' -> %s", label,
                ranking[i][0], ranking[i][1]);
    }
}

static void test_search_misc(catalogue *c)
{
    catalogue_hit h[3];
    T_OK(catalogue_search(c, "abcdef qwerty", h, 3) == 0, "nonsense finds nothing");
    T_OK(catalogue_search(c, "", h, 3) == 0, "empty query finds nothing");
    size_t n = catalogue_search(c, "lam ho chieu", h, 3);
    T_OK(n == 3 && h[0].match == CATALOGUE_MATCH_PHRASE && catalogue_hit_confident(&h[0]) &&
             h[0].score > h[1].score && h[1].score >= h[2].score,
         "phrase hit is confident and ranked first");
    n = catalogue_search(c, "giay", h, 3);
    T_OK(n > 0 && !catalogue_hit_confident(&h[0]), "a generic word is not confident");
    n = catalogue_search(c, "covid", h, 3);
    T_OK(n > 0 && h[0].proc->ended, "ended procedures stay searchable");
}

static void test_aspects(catalogue *c)
{
    static const struct { const char *text; catalogue_aspect a; } cases[] = {
        {"lam khai sinh can giay to gi", CATALOGUE_ASPECT_DOCUMENTS},
        {"ho so gom nhung gi", CATALOGUE_ASPECT_DOCUMENTS},
        {"le phi lam ho chieu", CATALOGUE_ASPECT_FEE},
        {"mat bao nhieu tien", CATALOGUE_ASPECT_FEE},
        {"dang ky ket hon mat bao lau", CATALOGUE_ASPECT_TIME},
        {"may ngay thi co", CATALOGUE_ASPECT_TIME},
        {"nop o dau", CATALOGUE_ASPECT_WHERE},
        {"co quan nao giai quyet", CATALOGUE_ASPECT_WHERE},
        {"lam online duoc khong", CATALOGUE_ASPECT_ONLINE},
        {"nop qua mang", CATALOGUE_ASPECT_ONLINE},
        {"thu tuc the nao", CATALOGUE_ASPECT_STEPS},
        {"cac buoc lam so do", CATALOGUE_ASPECT_STEPS},
        {"gia han tam tru", CATALOGUE_ASPECT_OVERVIEW},
        {"khai sinh", CATALOGUE_ASPECT_OVERVIEW},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        T_STREQ(catalogue_aspect_name(catalogue_aspect_detect(c, cases[i].text)),
                catalogue_aspect_name(cases[i].a), "aspect of '%s'", cases[i].text);
    char out[128];
    catalogue_aspect_strip(c, "con le phi lam ho chieu bao nhieu tien", out, sizeof(out));
    T_STREQ(out, "ho chieu", "aspect and question words stripped ('còn' is one)");
    T_OK(catalogue_aspect_from_name("fee") == CATALOGUE_ASPECT_FEE &&
             catalogue_aspect_from_name("nope") == -1, "aspect names");
}

static void ask(const catalogue *c, const char *text, catalogue_answer *a)
{
    char norm[512];
    norm_text(text, strlen(text), norm, sizeof(norm), NULL);
    catalogue_ask(c, norm, a);
}

static const char *first_code(const catalogue_answer *a)
{
    return a->nhits ? a->hits[0].proc->code : "(none)";
}

/* Synonyms, question words and the verdict on the sample catalogue. */
static void test_ask(const catalogue *c)
{
    catalogue_answer a;
    ask(c, "mat cccd phai lam gi", &a);
    T_STREQ(a.words, "mat can cuoc", "cccd is căn cước, 'mất' stays, question words go");
    T_OK(strstr(a.also, "cap lai") != NULL, "mất + căn cước also searches 'cấp lại' (%s)", a.also);
    T_STREQ(first_code(&a), "1.012203", "lost ID card -> cấp lại");
    ask(c, "căn cước gắn chip hư thì đổi có mất tiền ko", &a);
    T_OK(a.aspect == CATALOGUE_ASPECT_FEE && !strcmp(first_code(&a), "1.012202"),
         "damaged chip card -> cấp đổi, fee (%s, %s)", first_code(&a), catalogue_aspect_name(a.aspect));
    ask(c, "ad cho e hỏi lm hc mất bn ngày ạ", &a);
    T_OK(a.aspect == CATALOGUE_ASPECT_TIME && strstr(a.words, "ho chieu") && !strstr(a.words, "mat") &&
             !strcmp(first_code(&a), "1.003266"),
         "teen-code: hc is hộ chiếu, 'mất bn ngày' asks the time (%s)", a.words);
    ask(c, "can cuoc", &a);
    T_STREQ(a.words, "can cuoc", "'can' (cần) is kept where it makes the pair 'can cuoc' (căn cước)");
    ask(c, "rut bao hiem xa hoi mot lan", &a);
    T_OK(strstr(a.words, "xa hoi") && !strcmp(first_code(&a), "1.008101"),
         "'hoi' (hỏi) kept in 'xa hoi' (%s)", a.words);
    ask(c, "lấy vợ cần giấy tờ gì", &a);
    T_OK(a.aspect == CATALOGUE_ASPECT_DOCUMENTS && !strcmp(first_code(&a), "1.000894"),
         "lấy vợ is kết hôn (%s)", first_code(&a));
    ask(c, "doi gplx", &a);
    T_OK(a.verdict == CATALOGUE_ANSWER && !strcmp(first_code(&a), "1.002804"), "a sure hit is answered");
    ask(c, "gplx", &a);
    T_OK(a.verdict == CATALOGUE_CHOOSE && a.nhits == 3, "a bare object offers choices");
    ask(c, "thủ tục ly hôn", &a);
    T_OK(a.verdict == CATALOGUE_NOT_FOUND && a.nhits == 0 && a.outside && !strcmp(a.outside, "court"),
         "divorce: not found, the court's job");
    ask(c, "đăng ký kết hôn lần 2 sau khi ly hôn", &a);
    T_OK(a.verdict != CATALOGUE_NOT_FOUND && !strcmp(first_code(&a), "1.000894"),
         "an outside word does not hide the object the question names");
    ask(c, "khai sinh quá hạn có bị phạt không", &a);
    T_OK(a.verdict != CATALOGUE_NOT_FOUND && a.outside && !strcmp(a.outside, "penalty") &&
             !strcmp(first_code(&a), "1.001193") && !strstr(a.words, "phat"),
         "a fine: the penalty notice, the procedure, 'bị phạt' no search word (%s)", a.words);
    ask(c, "mua xe honda vision moi", &a);
    T_OK(strstr(a.also, "lan dau") && !strcmp(first_code(&a), "1.011991"),
         "a motorbike brand: its first registration (%s, %s)", a.also, first_code(&a));
    ask(c, "thoi tiet ha noi hom nay", &a);
    T_OK(a.verdict == CATALOGUE_NOT_FOUND && !a.outside && a.nhits == 0, "off-topic: not found");
    ask(c, "còn lệ phí thì sao?", &a);
    T_OK(a.verdict == CATALOGUE_EMPTY && a.aspect == CATALOGUE_ASPECT_FEE, "no search words: empty, fee");
    ask(c, "TT 1.000894", &a);
    T_OK(a.verdict == CATALOGUE_ANSWER && !strcmp(first_code(&a), "1.000894"), "a code is answered");
}

/* Level variants: one procedure at xã, tỉnh and trung ương is shown once. */
static void test_levels(void)
{
    char buf[16384], p[3][4096], err[1024];
    static const char *const names[] = {"Cấp lại thẻ thử nghiệm",
                                        "Cấp lại thẻ thử nghiệm (thực hiện tại cấp tỉnh)",
                                        "Cấp lại thẻ thử nghiệm (thực hiện tại cấp trung ương)"};
    static const char *const levels[] = {"\"level\": \"bo\"", "\"level\": \"tinh\"", "\"level\": \"xa\""};
    for (int i = 0; i < 3; i++) {   /* listed highest level first */
        char code[24], name[160];
        snprintf(code, sizeof(code), "9.00000%d", i + 1);
        snprintf(name, sizeof(name), "\"name\": \"%s\"", names[2 - i]);
        snprintf(p[i], sizeof(p[i]), "%s",
                 subst(subst(proc_json(code, NULL), "\"name\": \"Thủ tục thử nghiệm\"", name),
                       "\"level\": \"xa\"", levels[i]));
    }
    snprintf(buf, sizeof(buf), "{\"procedures\": [%s, %s, %s, %s]}", p[0], p[1], p[2],
             subst(proc_json("9.000004", NULL), "Thủ tục thử nghiệm", "Cấp đổi thẻ thử nghiệm"));
    const char *files[] = {write_file("levels.json", buf)};
    catalogue *c = catalogue_load_files(files, 1, "config/procedure-aspects.json", NULL, err, sizeof(err));
    T_OK(c != NULL, "level variants load (%s)", c ? "ok" : err);
    if (!c)
        return;
    const catalogue_proc *xa = catalogue_find_code(c, "9.000003");
    T_OK(catalogue_variant_count(c, xa) == 3 && catalogue_variant(c, xa, 0) == xa &&
             !strcmp(catalogue_variant(c, xa, 1)->level, "tinh") &&
             !strcmp(catalogue_variant(c, xa, 2)->level, "bo") && !catalogue_variant(c, xa, 3),
         "three variants, lowest level first");
    T_OK(catalogue_variant_count(c, catalogue_find_code(c, "9.000004")) == 1, "cấp đổi is another one");
    catalogue_hit h[3];
    size_t n = catalogue_search(c, "cap lai the thu nghiem", h, 3);
    T_OK(n == 2 && !strcmp(h[0].proc->code, "9.000003") && !strcmp(h[1].proc->code, "9.000004"),
         "search shows the group once, at the lowest level, then the next procedure");
    n = catalogue_search(c, "cap lai the thu nghiem o tinh", h, 3);
    T_OK(n >= 1 && !strcmp(h[0].proc->code, "9.000002"), "the level the question names");
    catalogue_free(c);
    unlink(files[0]);
}

/* One procedure for two groups of people ("... đối với X" / "... đối với Y"):
 * asked back unless the question names a group. */
static void test_groups(void)
{
    char buf[8192], err[1024];
    snprintf(buf, sizeof(buf), "{\"procedures\": [%s, ", subst(proc_json("9.000011", NULL),
             "Thủ tục thử nghiệm", "Khai quyết toán thử nghiệm đối với tổ chức trả thu nhập"));
    snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s]}", subst(proc_json("9.000012", NULL),
             "Thủ tục thử nghiệm", "Quyết toán thử nghiệm đối với hộ kinh doanh"));
    const char *files[] = {write_file("groups.json", buf)};
    catalogue *c = catalogue_load_files(files, 1, "config/procedure-aspects.json", NULL, err, sizeof(err));
    T_OK(c != NULL, "group procedures load (%s)", c ? "ok" : err);
    if (!c)
        return;
    catalogue_answer a;
    ask(c, "quyết toán thử nghiệm", &a);
    T_OK(a.verdict == CATALOGUE_CHOOSE && a.nhits == 2, "no group named: asked back with both (%s)",
         catalogue_verdict_name(a.verdict));
    ask(c, "quyết toán thử nghiệm cho hộ kinh doanh", &a);
    T_STREQ(first_code(&a), "9.000012", "the group named comes first");
    catalogue_free(c);
    unlink(files[0]);
}

/* A short name inside a longer one: the words beyond decide; an "also"
 * trigger in the middle of other words ("nhận hộ" in "công nhận hộ ...") does
 * not fire. */
static void test_inside(void)
{
    char buf[8192], err[1024];
    static const char *const names[] = {"Đăng ký thử nghiệm", "Đăng ký thử nghiệm có yếu tố nước ngoài",
                                        "Công nhận hộ thử nghiệm"};
    snprintf(buf, sizeof(buf), "{\"procedures\": [");
    for (int i = 0; i < 3; i++) {
        char code[16];
        snprintf(code, sizeof(code), "9.00002%d", i + 1);
        snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s%s", i ? ", " : "",
                 subst(subst(proc_json(code, NULL), "Thủ tục thử nghiệm", names[i]), "\"thu nghiem\"",
                       i == 0 ? "\"đăng ký thử nghiệm\"" : "\"thủ tục mẫu\""));
    }
    snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "]}");
    const char *files[] = {write_file("inside.json", buf)};
    catalogue *c = catalogue_load_files(files, 1, "config/procedure-aspects.json", NULL, err, sizeof(err));
    T_OK(c != NULL, "inside: load (%s)", c ? "ok" : err);
    if (!c)
        return;
    catalogue_answer a;
    ask(c, "đăng ký thử nghiệm", &a);
    T_STREQ(first_code(&a), "9.000021", "the whole alias first when nothing more is asked");
    catalogue_hit h[3];
    size_t n = catalogue_search(c, "dang ky thu nghiem cho nguoi nuoc ngoai", h, 3);
    T_OK(n >= 2 && !strcmp(h[1].proc->code, "9.000022") && h[1].match == CATALOGUE_MATCH_PHRASE &&
             h[1].coverage > h[0].coverage,
         "the alias inside the longer name is its phrase too, which explains more (%s)",
         n > 1 ? h[1].proc->code : "-");
    ask(c, "cong nhan ho thu nghiem", &a);
    T_OK(!strstr(a.also, "uy quyen") && !strcmp(first_code(&a), "9.000023"),
         "'nhan ho' between 'cong nhan' and 'ho thu' is no trigger (also '%s')", a.also);
    ask(c, "nhan ho luong huu cho me", &a);
    T_OK(strstr(a.also, "uy quyen") != NULL, "'nhan ho' on its own still is (also '%s')", a.also);
    catalogue_free(c);
    unlink(files[0]);
}

/* The sample lacks a procedure the question asks for: a neighbour is never
 * the one answer; an outside topic the catalogue names is answered. */
static void test_neighbours(const catalogue *c)
{
    catalogue_answer a;
    ask(c, "xóa đăng ký tạm trú", &a);
    T_OK(a.verdict != CATALOGUE_ANSWER, "xóa: 'Đăng ký tạm trú' lacks the action, not the answer (%s)",
         catalogue_verdict_name(a.verdict));
    ask(c, "làm căn cước lần đầu cho người dưới 14 tuổi", &a);
    T_OK(a.verdict == CATALOGUE_ANSWER && !strcmp(first_code(&a), "1.012201"),
         "a qualifier its cases serve: still answered (%s %s)", catalogue_verdict_name(a.verdict),
         first_code(&a));
    ask(c, "mat ca vet xe may thi lam lai o dau", &a);
    T_OK(a.verdict != CATALOGUE_ANSWER, "mất cà vẹt: the first registration is not the answer (%s)",
         catalogue_verdict_name(a.verdict));
    ask(c, "trợ cấp thất nghiệp", &a);
    T_OK(a.outside && a.verdict != CATALOGUE_NOT_FOUND && !strcmp(first_code(&a), "1.000108"),
         "an outside topic this catalogue names is answered (%s %s)", catalogue_verdict_name(a.verdict),
         first_code(&a));
}

/* A broken synonyms file stops the load with file: path: problem. */
static void test_synonym_errors(void)
{
    char err[1024], aspects[300], want[600];
    const char *syn = write_file("syn.json", "{\"same\": {\"căn cước\": [\"cccd\"], "
                                             "\"chứng minh\": [\"cccd\"]}}");
    snprintf(want, sizeof(want), "%s: same.chứng minh[0]: \"cccd\" is already a variant of \"can cuoc\"", syn);
    snprintf(aspects, sizeof(aspects), "%s", write_file("asp.json", "{\"synonyms\": \"syn.json\", "
                                                                   "\"aspects\": {\"fee\": [\"phí\"]}}"));
    const char *files[] = {write_file("one.json", "{\"procedures\": [{}]}")};
    catalogue *c = catalogue_load_files(files, 1, aspects, NULL, err, sizeof(err));
    T_OK(!c, "conflicting variants refused");
    T_STREQ(err, want, "conflict error names the file and the path");
    syn = write_file("syn.json", "{\"also\": [{\"when\": [\"mất\"]}]}");
    c = catalogue_load_files(files, 1, aspects, NULL, err, sizeof(err));
    snprintf(want, sizeof(want), "%s: also[0]: needs \"add\" (words) and a weight in (0, 1]", syn);
    T_OK(!c, "an 'also' rule without words to add refused");
    T_STREQ(err, want, "also error");
    unlink(files[0]);
    unlink(syn);
    unlink(aspects);
}

static void test_reload(catalogue *c)
{
    char err[1024];
    const catalogue_proc *before = catalogue_find_code(c, "1.001193");
    T_OK(catalogue_reload(c, "config/catalogue", "config/procedure-aspects.json", err, sizeof(err)) == 0 &&
             catalogue_count(c) == 78, "reload");
    T_STREQ(before ? before->name : NULL, "Đăng ký khai sinh", "old generation still readable");
    T_OK(catalogue_reload(c, "/nonexistent", NULL, err, sizeof(err)) < 0 && catalogue_count(c) == 78,
         "failed reload keeps the catalogue");
}

/* Sample + generated procedures: the same queries still find the same codes. */
static void test_big(void)
{
    char cmd[1024], gen[300], err[1024];
    snprintf(gen, sizeof(gen), "%s/gen", dir);
    snprintf(cmd, sizeof(cmd), "python3 scripts/gen-catalogue.py 6000 %s >/dev/null && cp config/catalogue/*.json %s/",
             gen, gen);
    if (system(cmd) != 0) {
        T_OK(0, "generate a 6,000-procedure catalogue");
        return;
    }
    catalogue *c = catalogue_load(gen, NULL, NULL, err, sizeof(err));
    T_OK(c && catalogue_count(c) == 6078, "6,078 procedures load (%s)", c ? "ok" : err);
    if (c)
        test_ranking(c, "6078");
    catalogue_free(c);
    snprintf(cmd, sizeof(cmd), "rm -rf %s", gen);
    T_OK(system(cmd) == 0, "clean up");
}

int main(void)
{
    if (!mkdtemp(dir))
        return 1;
    test_errors();
    test_files();
    test_all_errors();
    catalogue *c = load_sample();
    if (c) {
        test_lookup(c);
        test_ranking(c, "sample");
        test_search_misc(c);
        test_aspects(c);
        test_ask(c);
        test_neighbours(c);
        test_reload(c);
    }
    catalogue_free(c);
    catalogue_free(NULL);
    test_levels();
    test_groups();
    test_inside();
    test_synonym_errors();
    test_big();
    rmdir(dir);
    return t_done();
}
