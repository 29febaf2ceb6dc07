/* test_catalogue_vocab.c -- the vocabulary of the synonyms file beyond plain
 * words: "qualifier_words" (a question saying "cho người lao động" is about
 * the one who "trả thu nhập"; catalogue/catalogue_qualifiers.c),
 * "field_qualifiers" (every procedure of a closed group's field holds them
 * although its name does not say so, and ranks far lower unless the question
 * names the group), their load errors, and an "also" addition that names a
 * whole long procedure after a long question (its phrase is not cut). Each
 * catalogue is two small procedures, searched as a citizen types. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "catalogue/catalogue.h"
#include "intents/normalize.h"
#include "t.h"

static char dir[] = "/tmp/dvc-catv-XXXXXX";

static const char *write_file(const char *name, const char *text)
{
    static char path[4][256];
    static int k;
    char *p = path[k++ & 3];
    snprintf(p, sizeof(path[0]), "%s/%s", dir, name);
    FILE *f = fopen(p, "w");
    fputs(text, f);
    fclose(f);
    return p;
}

/* A procedure named name in field, as JSON (its alias: the name in lower case). */
static void proc(char *out, size_t cap, const char *code, const char *name, const char *field)
{
    char alias[256];
    snprintf(alias, sizeof(alias), "%s", name);
    for (char *sp; strlen(alias) > 56 && (sp = strrchr(alias, ' '));)
        *sp = '\0';    /* an alias is at most 60 characters */
    if (alias[0] >= 'A' && alias[0] <= 'Z')
        alias[0] = (char)(alias[0] - 'A' + 'a');
    else if (!strncmp(alias, "Đ", 2))
        alias[1] = (char)0x91;      /* U+0110 Đ -> U+0111 đ */
    snprintf(out + strlen(out), cap - strlen(out),
             "%s{\"code\": \"%s\", \"name\": \"%s\", \"aliases\": [\"%s\"], \"field\": \"%s\", "
             "\"level\": \"xa\", \"agency\": \"UBND cấp xã\", "
             "\"documents\": [{\"name\": \"Tờ khai\", \"originals\": 1, \"copies\": 0}], "
             "\"steps\": [\"Nộp hồ sơ.\"], "
             "\"processing_time\": {\"days\": 3, \"working_days\": true, \"text\": \"03 ngày\"}, "
             "\"fees\": [{\"amount_vnd\": 0, \"text\": \"Miễn phí\"}], \"channels\": [\"direct\"], "
             "\"online_level\": 2, \"legal_basis\": [\"Luật X\"], \"result\": \"Giấy\"}",
             out[strlen(out) - 1] == '[' ? "" : ", ", code, name, alias, field);
}

/* Load n procedures (codes 9.000031, 9.000032...) with synonyms syn; NULL (and err) on failure. */
static catalogue *load_n(const char *const *names, const char *const *fields, size_t n, const char *syn,
                         char *err, size_t errlen)
{
    char buf[16384] = "{\"procedures\": [";
    for (size_t i = 0; i < n; i++) {
        char code[16];
        snprintf(code, sizeof(code), "9.0000%zu", 31 + i);
        proc(buf, sizeof(buf), code, names[i], fields[i]);
    }
    snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "]}");
    write_file("syn.json", syn);
    const char *aspects = write_file("asp.json", "{\"synonyms\": \"syn.json\", \"aspects\": {\"fee\": [\"phí\"]}}");
    const char *files[] = {write_file("q.json", buf)};
    return catalogue_load_files(files, 1, aspects, NULL, err, errlen);
}

static catalogue *load(const char *const names[2], const char *const fields[2], const char *syn,
                       char *err, size_t errlen)
{
    return load_n(names, fields, 2, syn, err, errlen);
}

/* The code of the best hit for q as typed (normalised like user input). */
static const char *first(const catalogue *c, const char *q)
{
    char norm[512];
    catalogue_hit h[2];
    norm_text(q, strlen(q), norm, sizeof(norm), NULL);
    size_t n = catalogue_search(c, norm, h, 2);
    if (getenv("T_SCORES"))
        for (size_t i = 0; i < n; i++)
            printf("# %s: %s %.1f\n", q, h[i].proc->code, h[i].score);
    return n ? h[0].proc->code : "-";
}

static void test_words(void)
{
    static const char *const names[2] = {"Khai thuế mẫu của bên nhận tiền",
                                         "Khai thuế mẫu của bên trả thu nhập"};
    static const char *const fields[2] = {"Thuế", "Thuế"};
    char err[1024];
    catalogue *c = load(names, fields, "{\"qualifiers\": [\"trả thu nhập\"]}", err, sizeof(err));
    T_OK(c != NULL, "words: load without qualifier_words (%s)", c ? "ok" : err);
    if (c)
        T_STREQ(first(c, "khai thue mau cho nguoi lao dong"), "9.000031",
                "without qualifier_words 'cho người lao động' does not name the payer");
    catalogue_free(c);
    c = load(names, fields, "{\"qualifiers\": [\"trả thu nhập\"], "
                            "\"qualifier_words\": {\"trả thu nhập\": [\"cho người lao động\"]}}", err, sizeof(err));
    T_OK(c != NULL, "words: load (%s)", c ? "ok" : err);
    if (!c)
        return;
    T_STREQ(first(c, "khai thue mau cho nguoi lao dong"), "9.000032",
            "'cho người lao động' names the payer: the payer's procedure first");
    T_STREQ(first(c, "khai thuế mẫu"), "9.000031", "a question naming no payer: the other one first");
    catalogue_free(c);
}

static void test_fields(void)
{
    static const char *const names[2] = {"Cấp thẻ mẫu loại một", "Cấp thẻ mẫu loại hai"};
    static const char *const fields[2] = {"Chính sách", "Thử"};
    char err[1024];
    const char *syn = "{\"qualifiers\": [\"công an nhân dân\"], "
                      "\"field_qualifiers\": {\"Chính sách\": [\"công an nhân dân\"]}}";
    catalogue *c = load(names, fields, "{\"qualifiers\": [\"công an nhân dân\"]}", err, sizeof(err));
    T_OK(c && !strcmp(first(c, "cap the mau"), "9.000031"), "fields: without them the first of a tie wins");
    catalogue_free(c);
    c = load(names, fields, syn, err, sizeof(err));
    T_OK(c != NULL, "fields: load (%s)", c ? "ok" : err);
    if (!c)
        return;
    T_STREQ(first(c, "cap the mau"), "9.000032", "the police's own field is not for a citizen");
    T_STREQ(first(c, "cấp thẻ mẫu cho công an nhân dân"), "9.000031", "unless the question says so");
    catalogue_free(c);
}

/* A closed group's procedure that matches the question word for word still
 * comes after the citizen's one that matches less well. */
static void test_closed(void)
{
    static const char *const names[2] = {"Cấp lại thẻ mẫu", "Cấp lại thẻ mẫu, sổ mẫu"};
    static const char *const fields[2] = {"Chính sách", "Thử"};
    char err[1024];
    catalogue *c = load(names, fields, "{\"qualifiers\": [\"công an nhân dân\"]}", err, sizeof(err));
    T_OK(c && !strcmp(first(c, "cap lai the mau"), "9.000031"), "closed: word for word wins without the field");
    catalogue_free(c);
    c = load(names, fields, "{\"qualifiers\": [\"công an nhân dân\"], "
                            "\"field_qualifiers\": {\"Chính sách\": [\"công an nhân dân\"]}}", err, sizeof(err));
    T_OK(c != NULL, "closed: load (%s)", c ? "ok" : err);
    if (!c)
        return;
    T_STREQ(first(c, "cấp lại thẻ mẫu"), "9.000032", "a citizen's question: the citizen's procedure first");
    T_STREQ(first(c, "cấp lại thẻ mẫu cho công an nhân dân"), "9.000031", "the group named: its own first");
    catalogue_free(c);
}

/* An addition that names a long procedure after a long question is looked
 * at whole (its name is its phrase), so it beats a short name the question
 * holds word for word. */
static void test_long_addition(void)
{
    static const char *const names[2] = {
        "Ghi vào sổ việc kết hôn của công dân đã được giải quyết tại cơ quan có thẩm quyền của nước khác",
        "Đăng ký kết hôn"};
    static const char *const fields[2] = {"Thử", "Thử"};
    char err[1024];
    catalogue *c = load(names, fields, "{\"also\": [{\"when\": [\"ghi chú\"], \"add\": \"ghi vào sổ việc kết hôn "
                                       "của công dân đã được giải quyết tại cơ quan có thẩm quyền của nước khác\"}]}",
                        err, sizeof(err));
    T_OK(c != NULL, "long addition: load (%s)", c ? "ok" : err);
    if (!c)
        return;
    T_STREQ(first(c, "hai vợ chồng tôi đã đăng ký kết hôn ở bên kia từ rất lâu rồi nay về quê muốn làm ghi chú"),
            "9.000031", "the procedure the addition names first");
    T_STREQ(first(c, "đăng ký kết hôn"), "9.000032", "without the trigger the plain one");
    catalogue_free(c);
}

/* A trigger that is a common word pair stays one between neighbours it
 * happens to pair with elsewhere ("chứng thực hợp đồng cho": "thực hợp" and
 * "đồng cho" are pairs of other names); a rare one between common pairs is
 * no trigger (ca_bridged; "nhận hộ" in "công nhận hộ nghèo", test_catalogue). */
static void test_bridge(void)
{
    static const char *const names[6] = {"Chứng thực giao dịch mẫu", "Xác thực hợp lệ", "Đóng cho quỹ",
                                         "Lập hợp đồng mẫu", "Sửa hợp đồng mẫu", "Hủy hợp đồng mẫu"};
    static const char *const fields[6] = {"Thử", "Thử", "Thử", "Thử", "Thử", "Thử"};
    char err[1024];
    catalogue *c = load_n(names, fields, 6, "{\"also\": [{\"when\": [\"hợp đồng\"], \"with\": [\"chứng thực\"], "
                                            "\"add\": \"chứng thực giao dịch mẫu\"}]}", err, sizeof(err));
    T_OK(c != NULL, "bridge: load (%s)", c ? "ok" : err);
    if (!c)
        return;
    char norm[256];
    catalogue_answer a;
    norm_text("chứng thực hợp đồng cho con", strlen("chứng thực hợp đồng cho con"), norm, sizeof(norm), NULL);
    catalogue_ask(c, norm, &a);
    T_OK(strstr(a.also, "giao dich mau") != NULL, "'hợp đồng' between 'thực' and 'cho' is still a trigger (also '%s')",
         a.also);
    catalogue_free(c);
}

static void test_errors(void)
{
    static const char *const names[2] = {"Cấp thẻ mẫu loại một", "Cấp thẻ mẫu loại hai"};
    static const char *const fields[2] = {"Thử", "Thử"};
    char err[1024], want[600];
    catalogue *c = load(names, fields, "{\"qualifiers\": [\"nước ngoài\"], "
                                       "\"qualifier_words\": {\"tàu cá\": [\"ghe\"]}}", err, sizeof(err));
    snprintf(want, sizeof(want), "%s/syn.json: qualifier_words.tàu cá: \"tàu cá\" is not one of \"qualifiers\"", dir);
    T_OK(!c, "an unknown qualifier in qualifier_words is refused");
    T_STREQ(err, want, "its error names the file and the path");
    catalogue_free(c);
    c = load(names, fields, "{\"qualifiers\": [\"nước ngoài\"], "
                            "\"field_qualifiers\": {\"Thử\": [\"nước ngoài\", \"tàu cá\"]}}", err, sizeof(err));
    snprintf(want, sizeof(want), "%s/syn.json: field_qualifiers.Thử[1]: \"tàu cá\" is not one of \"qualifiers\"", dir);
    T_OK(!c, "an unknown qualifier in field_qualifiers is refused");
    T_STREQ(err, want, "its error names the entry");
    catalogue_free(c);
}

int main(void)
{
    if (!mkdtemp(dir))
        return 1;
    test_words();
    test_fields();
    test_closed();
    test_long_addition();
    test_bridge();
    test_errors();
    static const char *const files[] = {"syn.json", "asp.json", "q.json"};
    for (size_t i = 0; i < 3; i++) {
        char p[300];
        snprintf(p, sizeof(p), "%s/%s", dir, files[i]);
        unlink(p);
    }
    rmdir(dir);
    return t_done();
}
