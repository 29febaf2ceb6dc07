/* test_normalize.c -- unit tests of intents/normalize.c and the Telex
 * decoder: UTF-8 validation, folding (NFC and NFD), squeezing, Telex. */
#include <string.h>

#include "intents/normalize.h"
#include "intents/syllable.h"
#include "t.h"

static const char *nt(const char *s)
{
    static char out[512];
    if (norm_text(s, strlen(s), out, sizeof out, NULL) < 0)
        return "(error)";
    return out;
}

static const char *nf(const char *s)
{
    static char out[512];
    if (norm_fold(s, strlen(s), out, sizeof out, NULL) < 0)
        return "(error)";
    return out;
}

static void test_fold(void)
{
    T_STREQ(nt("Đăng ký thường trú"), "dang ky thuong tru", "NFC Vietnamese folds");
    T_STREQ(nt("Cho tôi hỏi hồ sơ đã có kết quả chưa ạ?"), "cho toi hoi ho so da co ket qua chua a?",
            "sentence folds, punctuation kept");
    T_STREQ(nt("ĐƯỜNG Ơ Ư ỳ Ỹ"), "duong o u y y", "capitals, horns, Extended Additional");
    T_STREQ(nt("d\xcc\x83" "a\xcc\x80 e\xcc\x82\xcc\x81"), "da e", "NFD combining marks dropped");
    T_STREQ(nt("Ho\xcc\x9b\xcc\x80" "ng"), "hong", "NFD horn + grave");
    T_STREQ(nt("Crème brûlée Ångström Łódź Straße"), "creme brulee angstrom lodz strasse",
            "other Latin diacritics");
    T_STREQ(nt("ƀ ƈ ȥ ǆ"), "b c z dz", "Latin Extended-B letters");
    T_STREQ(nt("\xe2\x80\x9cPAKN\xe2\x80\x9d \xe2\x80\x93 ok\xe2\x80\xa6"), "\"pakn\" - ok...",
            "typographic quotes, dash, ellipsis");
    T_STREQ(nt("Привет ΑΒΓ"), "привет αβγ", "Cyrillic and Greek lower-cased");
    T_STREQ(nt("中文 3×4"), "中文 3×4", "other characters kept");
    T_STREQ(nf("Đăng Ký\nThường Trú"), "Dang Ky\nThuong Tru", "norm_fold keeps case and newlines");
    T_STREQ(nf("ddawng kys"), "ddawng kys", "norm_fold does no Telex");
}

static void test_space(void)
{
    T_STREQ(nt("  a \t\r\n b  "), "a b", "whitespace squeezed and trimmed");
    T_STREQ(nt("a\xc2\xa0\xe2\x80\x83" "z"), "a z", "NBSP and em space");
    T_STREQ(nt("a\x01\x7f\xc2\x85" "z"), "a z", "controls and C1 become space");
    T_STREQ(nt("kh\xc2\xad" "o\xe2\x80\x8b" "ng"), "khong", "soft hyphen and ZWSP dropped");
    T_STREQ(nt(""), "", "empty");
    T_STREQ(nt("   "), "", "blank");
}

static void test_utf8(void)
{
    char out[64];
    static const char *const bad[] = {
        "\xc0\xaf", "\xe0\x80\xaf", "\xf0\x80\x80\xaf", /* overlong */
        "\xed\xa0\x80", "\xed\xbf\xbf",                   /* surrogates */
        "\xf4\x90\x80\x80", "\xf5\x80\x80\x80",           /* > U+10FFFF */
        "a\xc3", "\xe1\xba", "\xf0\x9f\x98",              /* truncated */
        "\x80", "\xbf", "\xfe", "\xff", "\xc3(",       /* stray / bad continuation */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        T_OK(norm_text(bad[i], strlen(bad[i]), out, sizeof out, NULL) == -1 && out[0] == '\0',
             "invalid UTF-8 #%zu rejected", i);
    T_OK(norm_text("\xf4\x8f\xbf\xbf", 4, out, sizeof out, NULL) == 0, "U+10FFFF accepted");
    T_OK(norm_text("\xf0\x9f\x98\x80", 4, out, sizeof out, NULL) == 0, "emoji accepted");
    T_OK(norm_text("abc", 3, out, 3, NULL) == -1, "cap < len + 1 rejected");
    T_OK(norm_fold("\xc0\xaf", 2, out, sizeof out, NULL) == -1, "norm_fold rejects overlong");
    unsigned cp = 0;
    T_OK(norm_utf8_next("\xe1\xbb\x87", 3, &cp) == 3 && cp == 0x1EC7, "norm_utf8_next decodes");
}

static void test_telex(void)
{
    T_STREQ(nt("ddawng kys"), "dang ky", "ddawng kys");
    T_STREQ(nt("tos"), "to", "tos");
    T_STREQ(nt("gplx hs sms status cccd"), "gplx hs sms status cccd", "non-syllables kept");
    T_STREQ(nt("dduwowngf khoong nhieeuf tieesng"), "duong khong nhieu tieng", "vowel marks");
    T_STREQ(nt("thur tucj ddi"), "thu tuc di", "tone keys");
    T_STREQ(nt("ko dc j vs ok alo"), "ko dc j vs ok alo", "shorthand kept");
    T_STREQ(nt("h56.14 pa2411050123 2sao"), "h56.14 pa2411050123 2sao", "words glued to digits kept");
    T_STREQ(nt("How is this done? its"), "how is this done? it", "English words kept, Telex its -> it");
    T_OK(norm_syllable_valid("nghieng", 7) && norm_syllable_valid("quyen", 5) &&
         norm_syllable_valid("gia", 3) && norm_syllable_valid("a", 1), "valid syllables");
    T_OK(!norm_syllable_valid("kys", 3) && !norm_syllable_valid("gplx", 4) &&
         !norm_syllable_valid("ddi", 3) && !norm_syllable_valid("", 0), "invalid syllables");
}

static void test_map(void)
{
    const char *s = "  PAKN:  Cán bộ";
    char out[64];
    size_t map[64], n;
    T_OK(norm_text_map(s, strlen(s), out, sizeof out, &n, map) == 0, "norm_text_map ok");
    T_STREQ(out, "pakn: can bo", "norm_text_map output");
    T_OK(map[6] == 9 && map[n] == strlen(s), "map points into the original");
}

int main(void)
{
    test_fold();
    test_space();
    test_utf8();
    test_telex();
    test_map();
    return t_done();
}
