/* test_normalize.c -- unit tests of intents/normalize.c and the Telex
 * decoder: UTF-8 validation, folding (NFC and NFD), squeezing, Telex. The
 * UTF-8 primitives and utf8_fold alone are tests/unit/test_utf8.c's. */
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

/* The original list-driven syllable validator, as a reference for the
 * table-driven one in syllable.c. */
static const char *const ref_onsets[] = {
    "ngh", "ng", "nh", "ch", "gh", "kh", "ph", "qu", "th", "tr",
    "b", "c", "d", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "x",
};
static const char *const ref_nuclei[] = {
    "a", "ai", "ao", "au", "ay", "e", "eo", "eu", "i", "ia", "ie", "ieu", "iu",
    "o", "oa", "oai", "oay", "oe", "oeo", "oi", "u", "ua", "uai", "uay", "ue",
    "ui", "uo", "uoi", "uou", "uu", "uy", "uya", "uye", "uyu", "y", "ye", "yeu",
};
static const char *const ref_codas[] = {"", "c", "ch", "m", "n", "ng", "nh", "p", "t"};

static int ref_vowel(char c)
{
    return c && strchr("aeiouy", c) != NULL;
}

static int ref_in(const char *const *set, size_t count, const char *s, size_t n)
{
    for (size_t i = 0; i < count; i++)
        if (strlen(set[i]) == n && memcmp(set[i], s, n) == 0)
            return 1;
    return 0;
}

static int ref_valid(const char *w, size_t n)
{
    if (n == 0 || n > 7)
        return 0;
    size_t on = (size_t)-1;
    for (size_t i = 0; i < sizeof ref_onsets / sizeof *ref_onsets && on == (size_t)-1; i++) {
        size_t k = strlen(ref_onsets[i]);
        if (k < n && memcmp(ref_onsets[i], w, k) == 0 && ref_vowel(w[k]))
            on = k;
    }
    if (on == (size_t)-1)
        on = ref_vowel(w[0]) ? 0 : (size_t)-1;
    if (on == (size_t)-1)
        return 0;
    size_t v = on;
    while (v < n && ref_vowel(w[v]))
        v++;
    return v > on && ref_in(ref_nuclei, 37, w + on, v - on) && ref_in(ref_codas, 9, w + v, n - v);
}

/* Every string of up to 4 letters from a small alphabet, and pseudo-random
 * longer ones, get the reference verdict. */
static void test_syllable_ref(void)
{
    static const char al[] = "aeiouyngh cqtrdpmkx";
    const size_t na = sizeof al - 1;
    char w[8];
    int bad = 0;
    unsigned long x = 12345;
    for (size_t len = 0; len <= 4; len++) {
        size_t total = 1;
        for (size_t k = 0; k < len; k++)
            total *= na;
        for (size_t i = 0; i < total; i++) {
            for (size_t k = 0, v = i; k < len; k++, v /= na)
                w[k] = al[v % na];
            bad += norm_syllable_valid(w, len) != ref_valid(w, len);
        }
    }
    for (int i = 0; i < 200000; i++) {
        size_t len = 5 + i % 4;
        for (size_t k = 0; k < len; k++) {
            x = x * 6364136223846793005ul + 1442695040888963407ul;
            w[k] = al[(x >> 33) % na];
        }
        bad += norm_syllable_valid(w, len) != ref_valid(w, len);
    }
    T_OK(bad == 0, "syllable validator agrees with the reference (%d differ)", bad);
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
    test_syllable_ref();
    test_map();
    return t_done();
}
