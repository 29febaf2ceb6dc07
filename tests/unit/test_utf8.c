/* test_utf8.c -- unit tests of common/utf8.c: decoding at every length
 * boundary, rejection of overlong forms, surrogates, code points above
 * U+10FFFF and truncated sequences, text validation, encoding round trip
 * over every scalar value, counting, and the fold of every Vietnamese vowel
 * with its five tones (precomposed and combining) and đ/Đ. */
#include <string.h>

#include "common/utf8.h"
#include "t.h"

static const char *fold(const char *s)
{
    static char out[1024];
    if (utf8_fold(s, strlen(s), out, sizeof out, NULL) < 0)
        return "(error)";
    return out;
}

static void test_decode(void)
{
    static const struct { const char *s; int len; unsigned cp; } good[] = {
        {"\x00", 1, 0x00},         {"\x7f", 1, 0x7F},         {"\xc2\x80", 2, 0x80},
        {"\xdf\xbf", 2, 0x7FF},    {"\xe0\xa0\x80", 3, 0x800}, {"\xed\x9f\xbf", 3, 0xD7FF},
        {"\xee\x80\x80", 3, 0xE000}, {"\xef\xbf\xbf", 3, 0xFFFF},
        {"\xf0\x90\x80\x80", 4, 0x10000}, {"\xf4\x8f\xbf\xbf", 4, 0x10FFFF},
        {"\xe1\xbb\x87", 3, 0x1EC7}, /* ệ */
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        unsigned cp = 0xDEAD;
        size_t n = good[i].len; /* "\x00" has strlen 0 */
        T_OK(utf8_next(good[i].s, n, &cp) == good[i].len && cp == good[i].cp,
             "U+%04X decodes in %d bytes", good[i].cp, good[i].len);
    }
    static const struct { const char *s, *why; } bad[] = {
        {"\xc0\xaf", "overlong 2 (C0)"},       {"\xc1\xbf", "overlong 2 (C1)"},
        {"\xe0\x80\xaf", "overlong 3"},        {"\xe0\x9f\xbf", "overlong 3 (U+07FF)"},
        {"\xf0\x80\x80\xaf", "overlong 4"},    {"\xf0\x8f\xbf\xbf", "overlong 4 (U+FFFF)"},
        {"\xed\xa0\x80", "surrogate U+D800"},  {"\xed\xbf\xbf", "surrogate U+DFFF"},
        {"\xed\xb0\x80", "low surrogate"},     {"\xf4\x90\x80\x80", "U+110000"},
        {"\xf5\x80\x80\x80", "lead F5"},       {"\xf7\xbf\xbf\xbf", "lead F7"},
        {"\xe1\xba", "truncated 3"},           {"\xf0\x9f\x98", "truncated 4"},
        {"\xc3", "truncated 2"},               {"\x80", "lone continuation"},
        {"\xbf", "lone continuation BF"},      {"\xfe", "FE"},
        {"\xff", "FF"},                        {"\xc3(", "bad continuation"},
        {"\xe1\xbb(", "bad third byte"},       {"\xf0\x9f\x98(", "bad fourth byte"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        unsigned cp = 0xDEAD;
        T_OK(utf8_next(bad[i].s, strlen(bad[i].s), &cp) == -1 && cp == 0xDEAD,
             "rejected, cp untouched: %s", bad[i].why);
        T_OK(!utf8_valid(bad[i].s, strlen(bad[i].s)) && !utf8_valid_text(bad[i].s, strlen(bad[i].s)),
             "not valid: %s", bad[i].why);
    }
    unsigned cp = 0;
    T_OK(utf8_next("", 0, &cp) == -1, "empty input");
    T_OK(utf8_next("\xe1\xbb\x87", 2, &cp) == -1, "a sequence cut by len (not by NUL) is truncated");
}

static void test_valid(void)
{
    const char *vi = "Đăng ký thường trú\tở Hà Nội\r\n😀";
    T_OK(utf8_valid(vi, strlen(vi)) && utf8_valid_text(vi, strlen(vi)), "Vietnamese, tab, CRLF, emoji");
    T_OK(utf8_valid("a\0b", 3) && !utf8_valid_text("a\0b", 3), "NUL: valid UTF-8, not text");
    T_OK(utf8_valid("a\x01", 2) && !utf8_valid_text("a\x01", 2), "C0 control: not text");
    T_OK(utf8_valid_text("a\x7f", 2) && utf8_valid_text("\xc2\x85", 2), "DEL and C1 are text");
    T_OK(!utf8_valid("ok \xed\xa0\x80 ok", strlen("ok \xed\xa0\x80 ok")), "a surrogate in the middle");
    T_OK(!utf8_valid("ok\xe1\xba", 4), "a truncated end");
    T_OK(utf8_valid("", 0) && utf8_valid_text("", 0), "empty is valid");
}

static void test_put(void)
{
    size_t bad = 0, n = 0;
    for (unsigned cp = 0; cp <= 0x10FFFF; cp++) {
        if (cp >= 0xD800 && cp <= 0xDFFF)
            continue;
        char o[4];
        unsigned back = 0xFFFFFFFF;
        size_t k = utf8_put(o, cp);
        size_t want = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
        bad += k != want || utf8_next(o, k, &back) != (int)k || back != cp;
        n++;
    }
    T_OK(bad == 0 && n == 0x110000 - 0x800, "utf8_put/utf8_next round trip on all %zu scalar values", n);
    char o[4];
    T_OK(utf8_put(o, 0x1EC7) == 3 && !memcmp(o, "\xe1\xbb\x87", 3), "U+1EC7 encodes as E1 BB 87");
    T_OK(utf8_count("Đăng ký", strlen("Đăng ký")) == 7 && utf8_count("", 0) == 0 &&
         utf8_count("😀a", 5) == 2, "code points counted, not bytes");
}

/* Each row: the vowel without tone, then huyền, sắc, hỏi, ngã, nặng. */
static const char *const vi_lower[12][6] = {
    {"a", "à", "á", "ả", "ã", "ạ"}, {"ă", "ằ", "ắ", "ẳ", "ẵ", "ặ"},
    {"â", "ầ", "ấ", "ẩ", "ẫ", "ậ"}, {"e", "è", "é", "ẻ", "ẽ", "ẹ"},
    {"ê", "ề", "ế", "ể", "ễ", "ệ"}, {"i", "ì", "í", "ỉ", "ĩ", "ị"},
    {"o", "ò", "ó", "ỏ", "õ", "ọ"}, {"ô", "ồ", "ố", "ổ", "ỗ", "ộ"},
    {"ơ", "ờ", "ớ", "ở", "ỡ", "ợ"}, {"u", "ù", "ú", "ủ", "ũ", "ụ"},
    {"ư", "ừ", "ứ", "ử", "ữ", "ự"}, {"y", "ỳ", "ý", "ỷ", "ỹ", "ỵ"},
};
static const char *const vi_upper[12][6] = {
    {"A", "À", "Á", "Ả", "Ã", "Ạ"}, {"Ă", "Ằ", "Ắ", "Ẳ", "Ẵ", "Ặ"},
    {"Â", "Ầ", "Ấ", "Ẩ", "Ẫ", "Ậ"}, {"E", "È", "É", "Ẻ", "Ẽ", "Ẹ"},
    {"Ê", "Ề", "Ế", "Ể", "Ễ", "Ệ"}, {"I", "Ì", "Í", "Ỉ", "Ĩ", "Ị"},
    {"O", "Ò", "Ó", "Ỏ", "Õ", "Ọ"}, {"Ô", "Ồ", "Ố", "Ổ", "Ỗ", "Ộ"},
    {"Ơ", "Ờ", "Ớ", "Ở", "Ỡ", "Ợ"}, {"U", "Ù", "Ú", "Ủ", "Ũ", "Ụ"},
    {"Ư", "Ừ", "Ứ", "Ử", "Ữ", "Ự"}, {"Y", "Ỳ", "Ý", "Ỷ", "Ỹ", "Ỵ"},
};
static const char vi_base[] = "aaaeeiooouuy";

static void test_fold_vietnamese(void)
{
    for (int v = 0; v < 12; v++) {
        char lo[2] = {vi_base[v], 0}, up[2] = {(char)(vi_base[v] - 32), 0};
        int ok = 1;
        for (int t = 0; t < 6; t++) {
            ok &= !strcmp(fold(vi_lower[v][t]), lo);
            ok &= !strcmp(fold(vi_upper[v][t]), up);
        }
        T_OK(ok, "%s and %s fold to %s and %s with every tone", vi_lower[v][0], vi_upper[v][0], lo, up);
    }
    T_STREQ(fold("đ Đ"), "d D", "đ and Đ fold to d and D");
    /* NFD: base letter + combining tone (U+0300 grave, U+0301 acute, U+0309
     * hook, U+0303 tilde, U+0323 dot) and horn (U+031B) / circumflex (U+0302). */
    T_STREQ(fold("a\xcc\x80" "a\xcc\x81" "a\xcc\x89" "a\xcc\x83" "a\xcc\xa3"), "aaaaa",
            "combining tones dropped");
    T_STREQ(fold("O\xcc\x9b\xcc\x80" "u\xcc\x9b\xcc\xa3" "e\xcc\x82\xcc\x81"), "Oue",
            "horn/circumflex + tone dropped");
    T_STREQ(fold("Đăng Ký\nThường Trú"), "Dang Ky\nThuong Tru", "case and newlines kept");
    T_STREQ(fold("ddawng kys"), "ddawng kys", "no Telex decoding");
}

static void test_fold_other(void)
{
    T_STREQ(fold("Crème Ångström Łódź Straße Æsir"), "Creme Angstrom Lodz Strasse AEsir",
            "other Latin letters");
    T_STREQ(fold("a \t\r\n  b"), "a \t\r\n  b", "spaces, tab, CR, LF kept, not squeezed");
    T_STREQ(fold("a\x01\x7f" "b"), "a  b", "C0 control and DEL become a space");
    T_STREQ(fold("a\xc2\xa0" "b\xe2\x80\x83" "c\xc2\x85" "d"), "a b c d", "NBSP, em space, C1: a space");
    T_STREQ(fold("kh\xc2\xad" "o\xe2\x80\x8b" "ng\xef\xbb\xbf"), "khong", "soft hyphen, ZWSP, BOM dropped");
    T_STREQ(fold("\xe2\x80\x9cPAKN\xe2\x80\x9d \xe2\x80\x93 ok\xe2\x80\x99s\xe2\x80\xa6"),
            "\"PAKN\" - ok's...", "typographic quotes, dash, apostrophe, ellipsis");
    T_STREQ(fold("ΑΒΓ Привет 中文 3×4 😀"), "ΑΒΓ Привет 中文 3×4 😀", "non-Latin kept, case kept");
    const char *rep = NULL;
    T_OK(utf8_fold_cp(0x1EC7, &rep) == UTF8_FOLD_ASCII && !strcmp(rep, "e"), "utf8_fold_cp: ệ is e");
    T_OK(utf8_fold_cp(0x00D7, &rep) == UTF8_FOLD_KEEP, "utf8_fold_cp: × has no Latin base");
    T_OK(utf8_fold_cp(0x0301, &rep) == UTF8_FOLD_DROP && utf8_fold_cp(0x3000, &rep) == UTF8_FOLD_SPACE,
         "utf8_fold_cp: combining acute dropped, ideographic space a space");
    char out[8];
    size_t n = 99;
    T_OK(utf8_fold("\xc0\xaf", 2, out, sizeof out, &n) == -1 && out[0] == '\0' && n == 0,
         "invalid UTF-8: -1, empty output");
    T_OK(utf8_fold("abc", 3, out, 3, &n) == -1 && out[0] == '\0', "cap < len + 1: -1");
    T_OK(utf8_fold("Ặ…", 6, out, 7, &n) == 0 && n == 4 && !strcmp(out, "A..."), "never longer than the input");
}

int main(void)
{
    test_decode();
    test_valid();
    test_put();
    test_fold_vietnamese();
    test_fold_other();
    return t_done();
}
