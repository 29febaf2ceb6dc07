/* syllable.h -- private to intents/: Vietnamese syllable validation and
 * Telex residue decoding used by the normaliser.
 *
 * Words here are folded, lower-case ASCII (no diacritics). */
#ifndef DVC_INTENTS_SYLLABLE_H
#define DVC_INTENTS_SYLLABLE_H

#include <stddef.h>

/* 1 if w[0..n) is a valid unaccented Vietnamese syllable ("dang", "nghieng",
 * "quyen"), 0 otherwise ("gplx", "kys", "ddi"). */
int norm_syllable_valid(const char *w, size_t n);

/* If w[0..n) is not a valid syllable but its Telex reading is, write the
 * reading to dst (capacity >= n) and return its length; else return 0. */
size_t norm_telex_word(const char *w, size_t n, char *dst);

/* Decode Telex residue in every word of o[0..n) in place (words are runs of
 * a-z bounded by characters that are neither letters nor digits). When map is
 * not NULL it is kept in step. Returns the new length. */
size_t norm_telex_pass(char *o, size_t n, size_t *map);

#endif
