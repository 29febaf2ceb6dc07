/* syllable.c -- Vietnamese syllable validator and Telex residue decoder
 * (see syllable.h). A syllable is onset + nucleus (vowel cluster, glides
 * included) + coda; Telex residue is what an unconverted Telex keyboard leaves:
 * dd for d, aa/aw, ee, oo/ow, uw/w for the marked vowels and a tone key
 * (s f r x j, z to clear) after the vowel. */
#include "intents/syllable.h"

#include <string.h>

/* Onsets (syl_onset_len), nuclei (syl_nucleus_ok) and codas (syl_coda_ok)
 * are coded as tests and tables below:
 *   onsets  ngh ng nh ch gh kh ph qu th tr b c d g h k l m n p r s t v x
 *   nuclei  a ai ao au ay e eo eu i ia ie ieu iu o oa oai oay oe oeo oi u ua
 *           uai uay ue ui uo uoi uou uu uy uya uye uyu y ye yeu
 *   codas   "" c ch m n ng nh p t */
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

/* Vowel index + 1 (a e i o u y), 0 for any other byte. */
static int syl_vowel_code(char c)
{
    switch (c) {
    case 'a': return 1;
    case 'e': return 2;
    case 'i': return 3;
    case 'o': return 4;
    case 'u': return 5;
    case 'y': return 6;
    default:  return 0;
    }
}

/* Nucleus key: vowel codes as base-7 digits, first vowel most significant. */
#define SYL_K1(a) (a)
#define SYL_K2(a, b) ((a) * 7 + (b))
#define SYL_K3(a, b, c) (((a) * 7 + (b)) * 7 + (c))
enum { SA = 1, SE, SI, SO, SU, SY };

/* syl_nuclei as a table indexed by key (up to three vowels). */
static const unsigned char syl_nucleus_ok[7 * 7 * 7] = {
    [SYL_K1(SA)] = 1, [SYL_K2(SA, SI)] = 1, [SYL_K2(SA, SO)] = 1, [SYL_K2(SA, SU)] = 1,
    [SYL_K2(SA, SY)] = 1, [SYL_K1(SE)] = 1, [SYL_K2(SE, SO)] = 1, [SYL_K2(SE, SU)] = 1,
    [SYL_K1(SI)] = 1, [SYL_K2(SI, SA)] = 1, [SYL_K2(SI, SE)] = 1, [SYL_K3(SI, SE, SU)] = 1,
    [SYL_K2(SI, SU)] = 1, [SYL_K1(SO)] = 1, [SYL_K2(SO, SA)] = 1, [SYL_K3(SO, SA, SI)] = 1,
    [SYL_K3(SO, SA, SY)] = 1, [SYL_K2(SO, SE)] = 1, [SYL_K3(SO, SE, SO)] = 1,
    [SYL_K2(SO, SI)] = 1, [SYL_K1(SU)] = 1, [SYL_K2(SU, SA)] = 1, [SYL_K3(SU, SA, SI)] = 1,
    [SYL_K3(SU, SA, SY)] = 1, [SYL_K2(SU, SE)] = 1, [SYL_K2(SU, SI)] = 1,
    [SYL_K2(SU, SO)] = 1, [SYL_K3(SU, SO, SI)] = 1, [SYL_K3(SU, SO, SU)] = 1,
    [SYL_K2(SU, SU)] = 1, [SYL_K2(SU, SY)] = 1, [SYL_K3(SU, SY, SA)] = 1,
    [SYL_K3(SU, SY, SE)] = 1, [SYL_K3(SU, SY, SU)] = 1, [SYL_K1(SY)] = 1,
    [SYL_K2(SY, SE)] = 1, [SYL_K3(SY, SE, SU)] = 1,
};

/* Whether w[0..n) is in syl_codas. */
static int syl_coda_ok(const char *w, size_t n)
{
    if (n == 0)
        return 1;
    if (n == 1)
        return w[0] == 'c' || w[0] == 'm' || w[0] == 'n' || w[0] == 'p' || w[0] == 't';
    if (n == 2)
        return (w[0] == 'c' && w[1] == 'h') || (w[0] == 'n' && (w[1] == 'g' || w[1] == 'h'));
    return 0;
}

/* Whether c1 c2 is a two-letter onset of syl_onsets. */
static int syl_onset2(char c1, char c2)
{
    switch (c1) {
    case 'n': return c2 == 'g' || c2 == 'h';
    case 'c': case 'g': case 'k': case 'p': return c2 == 'h';
    case 'q': return c2 == 'u';
    case 't': return c2 == 'h' || c2 == 'r';
    default:  return 0;
    }
}

/* Length of the onset of w: the first of syl_onsets (longest first) that
 * w begins with and a vowel follows; 0 for a vowel; (size_t)-1 if none. */
static size_t syl_onset_len(const char *w, size_t n)
{
    if (n > 3 && w[0] == 'n' && w[1] == 'g' && w[2] == 'h' && syl_is_vowel(w[3]))
        return 3;
    if (n > 2 && syl_onset2(w[0], w[1]) && syl_is_vowel(w[2]))
        return 2;
    if (n > 1 && w[0] >= 'b' && w[0] <= 'x' && strchr("bcdghklmnprstvx", w[0]) &&
        syl_is_vowel(w[1]))
        return 1;
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
    int key = 0;
    while (v < n && v - on < 3 && syl_vowel_code(w[v]))
        key = key * 7 + syl_vowel_code(w[v++]);
    if (v == on || (v < n && syl_is_vowel(w[v])) || !syl_nucleus_ok[key])
        return 0;
    return syl_coda_ok(w + v, n - v);
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
            syl_coda_ok(w + k + 1, n - k - 1))
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

/* norm_telex_word once w is known to hold Telex residue. */
static size_t syl_telex_decode(const char *w, size_t n, char *dst)
{
    char tmp[16];
    if (n < 2 || n > 12 || norm_syllable_valid(w, n) ||
        syl_in(syl_english, SYL_COUNT(syl_english), w, n))
        return 0;
    size_t m = syl_drop_tone(w, n, tmp);
    m = syl_decode_marks(tmp, m, dst);
    if (m == 0 || (m == n && memcmp(dst, w, n) == 0) || !norm_syllable_valid(dst, m))
        return 0;
    return m;
}

size_t norm_telex_word(const char *w, size_t n, char *dst)
{
    return syl_has_telex(w, n) ? syl_telex_decode(w, n, dst) : 0;
}

/* Byte classes of the Telex pass: SYL_C_WORD letters and digits (either
 * case), SYL_C_LOWER a-z, SYL_C_KEY tone keys and w, SYL_C_DBL a e o d
 * (doubled, they are vowel or d marks). */
enum { SYL_C_WORD = 1, SYL_C_LOWER = 2, SYL_C_KEY = 4, SYL_C_DBL = 8 };
#define SYL_L (SYL_C_WORD | SYL_C_LOWER)
static const unsigned char syl_cls[256] = {
    ['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1, ['6'] = 1,
    ['7'] = 1, ['8'] = 1, ['9'] = 1,
    ['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1, ['F'] = 1, ['G'] = 1,
    ['H'] = 1, ['I'] = 1, ['J'] = 1, ['K'] = 1, ['L'] = 1, ['M'] = 1, ['N'] = 1,
    ['O'] = 1, ['P'] = 1, ['Q'] = 1, ['R'] = 1, ['S'] = 1, ['T'] = 1, ['U'] = 1,
    ['V'] = 1, ['W'] = 1, ['X'] = 1, ['Y'] = 1, ['Z'] = 1,
    ['a'] = SYL_L | SYL_C_DBL, ['b'] = SYL_L, ['c'] = SYL_L, ['d'] = SYL_L | SYL_C_DBL,
    ['e'] = SYL_L | SYL_C_DBL, ['f'] = SYL_L | SYL_C_KEY, ['g'] = SYL_L, ['h'] = SYL_L,
    ['i'] = SYL_L, ['j'] = SYL_L | SYL_C_KEY, ['k'] = SYL_L, ['l'] = SYL_L, ['m'] = SYL_L,
    ['n'] = SYL_L, ['o'] = SYL_L | SYL_C_DBL, ['p'] = SYL_L, ['q'] = SYL_L,
    ['r'] = SYL_L | SYL_C_KEY, ['s'] = SYL_L | SYL_C_KEY, ['t'] = SYL_L, ['u'] = SYL_L,
    ['v'] = SYL_L, ['w'] = SYL_L | SYL_C_KEY, ['x'] = SYL_L | SYL_C_KEY, ['y'] = SYL_L,
    ['z'] = SYL_L | SYL_C_KEY,
};
#undef SYL_L

/* Whether w[0..n) has two equal bytes in a row of class SYL_C_DBL. */
static int syl_doubled(const char *w, size_t n)
{
    for (size_t k = 1; k < n; k++)
        if (w[k] == w[k - 1] && (syl_cls[(unsigned char)w[k]] & SYL_C_DBL))
            return 1;
    return 0;
}

/* Move o[s..e) (and its map entries) down to w; returns the new w. */
static size_t syl_move(char *o, size_t *map, size_t w, size_t s, size_t e)
{
    if (w == s)
        return e; /* nothing decoded yet: already in place */
    memmove(o + w, o + s, e - s);
    if (map)
        memmove(map + w, map + s, (e - s) * sizeof *map);
    return w + (e - s);
}

size_t norm_telex_pass(char *o, size_t n, size_t *map)
{
    size_t r = 0, w = 0;
    while (r < n) {
        size_t s = r;
        while (r < n && !(syl_cls[(unsigned char)o[r]] & SYL_C_WORD))
            r++;
        w = syl_move(o, map, w, s, r);
        if (r == n)
            break;
        /* letters: all a-z; telex: a tone key, w, or a doubled a e o d (looked
         * for only in a word of letters without a key) */
        unsigned letters = SYL_C_LOWER, any = 0;
        unsigned char cls;
        for (s = r; r < n && ((cls = syl_cls[(unsigned char)o[r]]) & SYL_C_WORD); r++) {
            letters &= cls;
            any |= cls;
        }
        int telex = letters && ((any & SYL_C_KEY) || syl_doubled(o + s, r - s));
        char dec[16];
        size_t m = telex ? syl_telex_decode(o + s, r - s, dec) : 0;
        if (!m) {
            w = syl_move(o, map, w, s, r);
            continue;
        }
        size_t srcmap = map ? map[s] : 0;
        for (size_t k = 0; k < m; k++) {
            if (map)
                map[w + k] = srcmap;
            o[w + k] = dec[k];
        }
        w += m;
    }
    return w;
}
