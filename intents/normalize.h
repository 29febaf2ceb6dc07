/* normalize.h -- turn raw user text into the canonical form the rules see.
 *
 * Steps, in order: validate UTF-8 (overlong forms, surrogates, code points
 * above U+10FFFF and truncated sequences are errors); compose/decompose
 * Vietnamese letters and fold every Latin diacritic to its ASCII base letter
 * (đ/Đ -> d, combining marks U+0300..U+036F dropped); lower-case; decode Telex
 * residue in words that are not Vietnamese syllables but whose Telex reading
 * is ("ddawng kys" -> "dang ky"); turn every run of white space and control
 * characters into one space and trim both ends. Characters outside Latin are
 * kept as they are (lower-cased where simple).
 *
 * UTF-8 decoding and the diacritic fold are common/utf8.h's (utf8_next,
 * utf8_fold_cp); the fold alone, with case and spacing kept, is utf8_fold().
 * The output is never longer than the input. */
#ifndef DVC_INTENTS_NORMALIZE_H
#define DVC_INTENTS_NORMALIZE_H

#include <stddef.h>

/* Normalise len bytes of in into out (capacity cap, which must be >= len + 1).
 * On success returns 0, out is NUL-terminated and *outlen (if not NULL) is
 * its length. Returns -1 on invalid UTF-8 or cap < len + 1; out then holds "". */
int norm_text(const char *in, size_t len, char *out, size_t cap, size_t *outlen);

/* Like norm_text; when map is not NULL (capacity >= len + 1 entries),
 * map[k] is the byte offset in `in` of the character that produced out[k]
 * and map[*outlen] == len, so a span of the output can be located in the
 * original text (e.g. to quote a complaint with its diacritics). */
int norm_text_map(const char *in, size_t len, char *out, size_t cap,
                  size_t *outlen, size_t *map);

#endif
