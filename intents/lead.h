/* lead.h -- private to intents/: where the word rules can start.
 *
 * A rule that begins with \\b is only accepted at a word start (rules.h). Its
 * leading literals (lit_lead) say what text a match must begin with. All
 * rules' leading literals form one trie (digits folded to '0'); walking it
 * from every word start of a text gives, per word start, the rules that may
 * match there. A rule is then tried, anchored, only at those positions, in
 * ascending order, instead of being searched for along the whole text. */
#ifndef DVC_INTENTS_LEAD_H
#define DVC_INTENTS_LEAD_H

#include <stddef.h>
#include <stdint.h>

#include "intents/literals.h"

typedef struct lead lead;

/* Build from lits[0..nrules): lits[i].n == 0 means rule i has no leading
 * set (it is not indexed). Returns NULL if the trie would be too big. */
lead *lead_build(const lit_set *lits, size_t nrules);
void lead_free(lead *ld);

/* Words of a rule mask (bit i%64 of word i/64 is rule i). */
size_t lead_words(const lead *ld);
/* Whether rule i is indexed (has a leading set). */
int lead_indexed(const lead *ld, size_t i);

/* Word starts of s[0..n) where some rule of the mask need (lead_words()
 * words) may begin: stores their offsets in pos[] and their rule masks (cut
 * to need) in masks[] (lead_words() words each), ORs every mask into any[]
 * (cleared first) and returns the count. pos and masks need room for
 * n / 2 + 1 entries. */
size_t lead_scan(const lead *ld, const char *s, size_t n, const uint64_t *need,
                 uint32_t *pos, uint64_t *masks, uint64_t *any);

#endif
