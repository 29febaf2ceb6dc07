/* prefilter.h -- private to intents/: which rules can possibly match a text.
 *
 * Every rule has either a set of trigger literals (declared "keywords" in
 * config/intents.json, or derived from its pattern by literals.c) or none
 * (always tried). The literals of all rules are compiled into one
 * Aho-Corasick automaton (a full DFA over the literals' alphabet, digits
 * folded to '0'); scanning the normalised text once sets the bit of every
 * rule with a literal present. Rules whose bit is clear cannot match and are
 * skipped. */
#ifndef DVC_INTENTS_PREFILTER_H
#define DVC_INTENTS_PREFILTER_H

#include <stddef.h>
#include <stdint.h>

#include "intents/literals.h"

typedef struct prefilter prefilter;

/* Build from lits[0..nrules): lits[i].n == 0 means rule i is always tried. */
prefilter *pf_build(const lit_set *lits, size_t nrules);
void pf_free(prefilter *pf);

/* Words of a candidate mask (bit i%64 of word i/64 is rule i). */
size_t pf_words(const prefilter *pf);

/* Candidate rules for s[0..n) into mask (pf_words() words). */
void pf_scan(const prefilter *pf, const char *s, size_t n, uint64_t *mask);

/* Automaton size, for diagnostics. */
size_t pf_states(const prefilter *pf);

#endif
