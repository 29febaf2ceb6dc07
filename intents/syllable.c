/* syllable.c -- Vietnamese syllable validator and Telex residue decoder
 * (see syllable.h). A syllable is onset + nucleus (vowel cluster, glides
 * included) + coda; Telex residue is what an unconverted Telex keyboard leaves:
 * dd for d, aa/aw, ee, oo/ow, uw/w for the marked vowels and a tone key
 * (s f r x j, z to clear) after the vowel. */
#include "syllable.h"

#include <string.h>

static const char *const syl_onsets[] = {
    "ngh", "ng", "nh", "ch", "gh", "kh", "ph", "qu", "th", "tr",
    "b", "c", "d", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "x",
};

static const char *const syl_nuclei[] = {
    "a", "ai", "ao", "au", "ay", "e", "eo", "eu", "i", "ia", "ie", "ieu", "iu",
    "o", "oa", "oai", "oay", "oe", "oeo", "oi", "u", "ua", "uai", "uay", "ue",
    "ui", "uo", "uoi", "uou", "uu", "uy", "uya", "uye", "uyu", "y", "ye", "yeu",
};

static const char *const syl_codas[] = {
    "", "c", "ch", "m", "n", "ng", "nh", "p", "t",
};

static int syl_is_vowel(char c)
{
    return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u' || c == 'y';
}

/* Length of the common prefix of the NUL-terminated a and s[0..n). */
static size_t syl_common(const char *a, const char *s, size_t n)
{
    size_t k = 0;
    while (k < n && a[k] && a[k] == s[k])
        k++;
    return k;
}

static int syl_in(const char *const *set, size_t count, const char *s, size_t n)
{
    for (size_t i = 0; i < count; i++)
        if (syl_common(set[i], s, n) == n && set[i][n] == '\0')
            return 1;
    return 0;
}

#define SYL_COUNT(a) (sizeof(a) / sizeof((a)[0]))

static size_t syl_onset_len(const char *w, size_t n)
{
    for (size_t i = 0; i < SYL_COUNT(syl_onsets); i++) {
        size_t k = syl_common(syl_onsets[i], w, n);
        if (syl_onsets[i][k] == '\0' && k < n && syl_is_vowel(w[k]))
            return k;
    }
    return syl_is_vowel(w[0]) ? 0 : (size_t)-1;
}

int norm_syllable_valid(const char *w, size_t n)
{
    if (n == 0 || n > 7)
        return 0;
    size_t on = syl_onset_len(w, n);
    if (on == (size_t)-1)
        return 0;
    size_t v = on;
    while (v < n && syl_is_vowel(w[v]))
        v++;
    if (v == on || !syl_in(syl_nuclei, SYL_COUNT(syl_nuclei), w + on, v - on))
        return 0;
    return syl_in(syl_codas, SYL_COUNT(syl_codas), w + v, n - v);
}

static int syl_is_tone_key(char c)
{
    return c == 's' || c == 'f' || c == 'r' || c == 'x' || c == 'j' || c == 'z';
}

/* Copy w without its tone key: the last letter, or one right after a vowel
 * that only a coda follows ("tieesng"). Returns the new length. */
static size_t syl_drop_tone(const char *w, size_t n, char *dst)
{
    size_t cut = (size_t)-1;
    if (syl_is_tone_key(w[n - 1]))
        cut = n - 1;
    for (size_t k = 1; cut == (size_t)-1 && k + 1 < n; k++) {
        char p = w[k - 1];
        if (syl_is_tone_key(w[k]) && (syl_is_vowel(p) || p == 'w') &&
            syl_in(syl_codas, SYL_COUNT(syl_codas), w + k + 1, n - k - 1))
            cut = k;
    }
    size_t m = 0;
    for (size_t k = 0; k < n; k++)
        if (k != cut)
            dst[m++] = w[k];
    return m;
}

/* dd -> d (onset), aa/aw -> a, ee -> e, oo/ow -> o, uw -> u, w -> u. */
static size_t syl_decode_marks(const char *w, size_t n, char *dst)
{
    size_t m = 0, k = 0;
    if (n >= 2 && w[0] == 'd' && w[1] == 'd') {
        dst[m++] = 'd';
        k = 2;
    }
    while (k < n) {
        char c = w[k], d = k + 1 < n ? w[k + 1] : 0;
        if ((c == 'a' || c == 'e' || c == 'o') && d == c) {
            dst[m++] = c;
            k += 2;
        } else if ((c == 'a' || c == 'o' || c == 'u') && d == 'w') {
            dst[m++] = c;
            k += 2;
        } else {
            dst[m++] = c == 'w' ? 'u' : c;
            k++;
        }
    }
    return m;
}

static int syl_has_telex(const char *w, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        char c = w[k];
        if (syl_is_tone_key(c) || c == 'w')
            return 1;
        if (k + 1 < n && w[k + 1] == c && (c == 'a' || c == 'e' || c == 'o' || c == 'd'))
            return 1;
    }
    return 0;
}

/* English words whose Telex reading is a rare Vietnamese syllable: citizens
 * write "check my application status", "how do i use this", and these are
 * left as they are ("its" is not here: "its" is Telex for the common "it"). */
static const char *const syl_english[] = {
    "as", "cost", "does", "has", "his", "how", "is", "low", "new", "now", "of", "text",
    "this", "us", "view", "was", "we", "yes",
};

size_t norm_telex_word(const char *w, size_t n, char *dst)
{
    char tmp[16];
    if (n < 2 || n > 12 || !syl_has_telex(w, n) || norm_syllable_valid(w, n) ||
        syl_in(syl_english, SYL_COUNT(syl_english), w, n))
        return 0;
    size_t m = syl_drop_tone(w, n, tmp);
    m = syl_decode_marks(tmp, m, dst);
    if (m == 0 || (m == n && memcmp(dst, w, n) == 0) || !norm_syllable_valid(dst, m))
        return 0;
    return m;
}

static int syl_is_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z');
}

size_t norm_telex_pass(char *o, size_t n, size_t *map)
{
    size_t r = 0, w = 0;
    while (r < n) {
        if (!syl_is_alnum(o[r])) {
            if (map)
                map[w] = map[r];
            o[w++] = o[r++];
            continue;
        }
        size_t s = r, letters = 1;
        while (r < n && syl_is_alnum(o[r])) {
            if (o[r] < 'a' || o[r] > 'z')
                letters = 0;
            r++;
        }
        char dec[16];
        size_t m = letters ? norm_telex_word(o + s, r - s, dec) : 0;
        size_t srcmap = map ? map[s] : 0;
        if (m) {
            for (size_t k = 0; k < m; k++) {
                if (map)
                    map[w + k] = srcmap;
                o[w + k] = dec[k];
            }
            w += m;
        } else {
            for (size_t k = s; k < r; k++, w++) {
                if (map)
                    map[w] = map[k];
                o[w] = o[k];
            }
        }
    }
    return w;
}
