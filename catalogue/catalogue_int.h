/* catalogue_int.h -- private to bot/catalogue*.c: the in-memory layout of a
 * loaded catalogue (one "generation"), its arena, its indexes and the search
 * scratch space. Nothing outside bot/catalogue*.c includes this. */
#ifndef DVC_CATALOGUE_CATALOGUE_INT_H
#define DVC_CATALOGUE_CATALOGUE_INT_H

#include <jansson.h>
#include <stdint.h>

#include "catalogue/catalogue.h"

/* ---- arena: every string and array of a generation, freed at once ---- */
typedef struct cat_block cat_block;
typedef struct cat_arena {
    cat_block *head;
} cat_arena;

void *cat_alloc(cat_arena *a, size_t n);            /* zeroed, 8-aligned, never NULL */
char *cat_strdup(cat_arena *a, const char *s);
char *cat_strndup(cat_arena *a, const char *s, size_t n);
void cat_arena_free(cat_arena *a);

/* Index slots of one procedure: aliases 0..11, then the name and short name. */
#define CAT_MAX_ALIASES 12
#define CAT_SLOT_NAME 12
#define CAT_SLOT_SHORT 13
#define CAT_NSLOTS 14
#define CAT_MAX_PHRASE 24   /* longer names are indexed by words only */
#define CAT_MAX_QWORDS 64   /* query words looked at: single words (own and "also") and pairs */
#define CAT_MAX_TEXT_WORDS 160  /* words of one indexed text or question looked at */
#define CAT_MAX_ADDS 8      /* "also" additions to one question */
#define CAT_MAX_TRIG 6      /* phrases of the question that led to one addition */
#define CAT_NLEVELS 4       /* xa, huyen, tinh, bo (this order: the lowest first) */
#define CAT_MAX_MARKS 64    /* phrases of "actions", "objects", "qualifiers" (bits of a mask) */

/* A list of phrases (cat_phrase_new) by the filter bit of their first word
 * (catalogue_plist.c): idx holds the list's indexes, bucket b at
 * idx[start[b]..start[b + 1]), each ascending. */
typedef struct cat_plist {
    uint32_t start[257];
    uint32_t *idx;
} cat_plist;

/* ---- synonyms (catalogue_synonyms.c, config/synonyms.json) ---- */
typedef struct cat_syn_also {
    char **when, **with, **unless;  /* normalised, rewritten phrases */
    size_t nwhen, nwith, nunless;
    char *add;                  /* words added to the question */
    float weight;               /* their weight (0, 1] */
    uint64_t actions, objects, qualifiers;  /* the key phrases of add */
    uint64_t wsig[4];           /* the filter bits of the first words of "when" (cat_text sig) */
} cat_syn_also;

typedef struct cat_syn_outside {
    char *name;                 /* messages key procedure_info.outside.<name> */
    char **when;
    size_t nwhen;
} cat_syn_outside;

typedef struct cat_syn {
    char **from, **to;          /* "same": variant -> term, normalised */
    size_t nsame, maxwords;
    uint32_t *tab;              /* open addressing over from, index + 1 */
    size_t cap;
    char **first;               /* first words of the variants ... */
    uint8_t *first_max;         /* ... and the longest variant (in words) starting with each */
    uint32_t *first_tab;
    size_t nfirst, first_cap;
    cat_syn_also *also;
    size_t nalso;
    char **actions;             /* "actions": the exceptional ones (cấp lại, thu hồi...) */
    size_t nactions;
    char **objects;             /* "objects": what a procedure is about (căn cước, hộ chiếu) */
    size_t nobjects;
    char **qualifiers;          /* "qualifiers": who or which sector (nước ngoài, thủy sản) */
    size_t nqualifiers;
    cat_plist actions_idx, objects_idx, qualifiers_idx;     /* of the three (cat_plist_mask) */
    char **marks;               /* level_marks, normalised (not rewritten) */
    size_t nmarks;
    char **level_words[CAT_NLEVELS];
    size_t nlevel_words[CAT_NLEVELS];
    cat_syn_outside *outside;
    size_t noutside;
    char **qual_words;          /* "qualifier_words": phrases naming a qualifier ... */
    uint8_t *qual_bit;          /* ... its index in qualifiers */
    size_t nqual_words;
    char **qual_fields;         /* "field_qualifiers": fields (normalised, rewritten) ... */
    uint64_t *qual_field_mask;  /* ... the qualifiers their procedures hold */
    size_t nqual_fields;
} cat_syn;

cat_syn *cat_syn_load(const char *path, char *err, size_t errlen);
void cat_syn_free(cat_syn *y);
/* Rewrite normalised text s with the "same" rules (y may be NULL: words are
 * only re-spaced) into out: words one space apart, cut at cap. */
void cat_syn_rewrite(const cat_syn *y, const char *s, char *out, size_t cap);
/* Normalise s (norm_text, words one space apart) and rewrite it: -1 if empty. */
int cat_canon(const cat_syn *y, const char *s, char *out, size_t cap);
int cat_phrase_norm(const char *s, char *out, size_t cap);
/* Offset of phrase p as whole words in s (words one space apart), or -1. */
long cat_phrase_at(const char *s, const char *p);
/* Squeeze runs of spaces in s to one and drop leading and trailing ones, in place. */
void cat_squeeze(char *s);
int cat_phrase_any(const char *s, char *const *list, size_t n);
/* Bit i set for each list[i] found in s (list has at most 64 entries). */
uint64_t cat_phrase_mask(const char *s, char *const *list, size_t n);
/* A text with the signature of its words and of its pairs of adjacent
 * words (256-bit filters of their hashes): a phrase whose first word (or
 * first two words) is not in the filter is not looked for. Words may be
 * blanked from s afterwards (the filter then only lets more through): the
 * request path checks hundreds of phrases per question. */
typedef struct cat_text {
    const char *s;
    uint64_t sig[4];            /* bits of its words */
    uint64_t sig2[4];           /* bits of its pairs of adjacent words */
} cat_text;
void cat_text_init(cat_text *t, const char *s);
#define CAT_PHRASE_HDR 8    /* bytes before a cat_phrase_new phrase: its filter bits */
/* Whether phrase (a cat_phrase_new one) may be in t: its first word's bit,
 * and its first two words' bit when it has two. Inline: the request path
 * asks this of about a thousand phrases per question. */
static inline int cat_text_may(const cat_text *t, const char *phrase)
{
    const unsigned char *h = (const unsigned char *)phrase - CAT_PHRASE_HDR;
    return (t->sig[h[0] >> 6] >> (h[0] & 63) & 1) &&
           (!h[2] || (t->sig2[h[1] >> 6] >> (h[1] & 63) & 1));
}
/* The filter bit of phrase's first word (0..255), as cat_text_may reads it. */
static inline unsigned cat_phrase_bit(const char *phrase)
{
    return ((const unsigned char *)phrase - CAT_PHRASE_HDR)[0];
}
void cat_plist_build(cat_plist *x, char *const *list, size_t n);
void cat_plist_free(cat_plist *x);      /* x may be NULL */
/* The indexes i of list (ascending) with cat_text_may(t, list[i]): the same
 * as asking each, but only the buckets of t's words. out holds the list's
 * length. */
size_t cat_plist_may(const cat_plist *x, const cat_text *t, char *const *list, uint32_t *out);
/* cat_text_mask(t, list, n) by the buckets of t's words (all of list
 * when x was not built). */
uint64_t cat_plist_mask(const cat_plist *x, const cat_text *t, char *const *list, size_t n);
/* Offset of phrase in t->s as whole words (cat_phrase_at), or -1. */
static inline long cat_text_at(const cat_text *t, const char *phrase)
{
    return cat_text_may(t, phrase) ? cat_phrase_at(t->s, phrase) : -1;
}
int cat_text_any(const cat_text *t, char *const *list, size_t n);
uint64_t cat_text_mask(const cat_text *t, char *const *list, size_t n);
/* A phrase of a list: a copy of s that knows its first word's filter bit
 * (cat_text_may); free with cat_phrase_free (accepts NULL). */
char *cat_phrase_new(const char *s);
void cat_phrase_free(char *p);
/* The phrases of array v (cat_phrase_new), normalised and rewritten by y. */
char **cat_strv_load(const cat_syn *y, json_t *v, size_t *n, const char *file, const char *path,
                     char *err, size_t errlen);
void cat_strv_free(char **v, size_t n);     /* a list of cat_strv_load */
/* catalogue_qualifiers.c: "qualifier_words" and "field_qualifiers" of the
 * synonyms root (after "qualifiers"); -1 with err naming the JSON path. */
int cat_qual_load(cat_syn *y, json_t *root, const char *file, char *err, size_t errlen);
void cat_qual_free(cat_syn *y);     /* the parts cat_qual_load made; y may be NULL */
/* The qualifiers of a text (bits of y->qualifiers): those it names, also in
 * other words ("qualifier_words"); 0 when y is NULL. */
uint64_t cat_qual_mask(const cat_syn *y, const cat_text *t);
uint64_t cat_qual_mask_s(const cat_syn *y, const char *s);
/* The qualifiers every procedure of field (normalised, rewritten) holds. */
uint64_t cat_qual_field(const cat_syn *y, const char *field);
int cat_level_rank(const char *level);      /* "xa" 0 ... "bo" 3 (unknown: 3) */
const char *cat_level_name(int rank);

enum { CAT_SRC_ALIAS = 1, CAT_SRC_NAME = 2, CAT_SRC_FIELD = 4 };

typedef struct cat_word {
    const char *s;
    uint32_t len, df;
    uint32_t post_off, npost;
    float idf;
    uint32_t set;               /* 1 + its set in data->set_bits (cat_set_rank), or 0 */
} cat_word;

/* The first and last byte of a word s[0..n), n > 0: two words one edit
 * apart (both of 3+ bytes) share one or the other. */
#define CAT_WORD_ENDS(s, n) ((uint16_t)((unsigned char)(s)[0] << 8 | (unsigned char)(s)[(n) - 1]))

typedef struct cat_post {
    uint32_t proc;
    uint16_t slots;             /* bit per slot holding the word */
    uint8_t src;                /* CAT_SRC_* */
} cat_post;

#define CAT_PHRASE_INSIDE 0x80000000u

typedef struct cat_phrase {
    uint32_t hash;
    uint32_t ids_off, nids;     /* word ids in data->phrase_ids */
    uint32_t procs_off, nprocs; /* procedure indexes in data->phrase_procs; 0: a prefix only */
} cat_phrase;

typedef struct cat_data {
    cat_arena arena;
    cat_syn *syn;               /* owned; NULL without a synonyms file */
    catalogue_proc *procs;
    size_t nprocs, capprocs;
    uint32_t *code_tab;         /* open addressing, proc index + 1 */
    size_t code_cap;
    const char **fields;
    size_t nfields;
    const catalogue_proc ***field_procs;
    size_t *field_n;
    /* words */
    cat_word *words;
    size_t nwords;
    uint32_t *word_tab;         /* word id + 1 */
    size_t word_cap;
    cat_post *posts;
    /* the procedures of the common words as bit sets (nprocs bits each, a
     * word whose postings are bigger than its set), with the number of
     * postings before each 64-bit block: which posting of the word a
     * procedure has, in constant time (cat_set_rank) */
    uint64_t *set_bits;
    uint32_t *set_rank;
    size_t set_blocks;          /* 64-bit blocks of one set */
    uint32_t *by_len;           /* word ids sorted by length, for the 1-edit fallback */
    uint16_t *by_len_ends;      /* CAT_WORD_ENDS of each: most words fail on these alone */
    uint32_t len_start[66];
    /* phrases */
    cat_phrase *phrases;
    size_t nphrases;
    uint32_t *phrase_tab;       /* phrase index + 1 */
    size_t phrase_cap;
    uint32_t *phrase_ids, *phrase_procs;   /* a proc | CAT_PHRASE_INSIDE: inside a longer text */
    float *slot_w;              /* nprocs * CAT_NSLOTS: IDF weight of each slot's words */
    /* level variants (catalogue_group.c): procs of one group, lowest level first */
    /* per procedure, from its name and aliases (catalogue_group.c): */
    uint8_t *action;            /* 1 + the "actions" phrase the name starts with, or 0 */
    uint64_t *objects, *qualifiers;     /* bit i: objects[i] / qualifiers[i] occurs */
    uint64_t *closed;           /* the qualifiers of its field ("field_qualifiers"): a closed group */
    uint64_t *actions_in;       /* bit i: actions[i] occurs anywhere in the name or an alias */
    uint64_t *head;             /* the objects of the name's head: its first object and those inside */
    const char **name_text;     /* its name as cat_index_text(levels) makes it, or NULL */
    uint32_t *group;            /* per procedure: its group */
    uint32_t *group_off, *group_n, *group_procs;
    size_t ngroups;
    /* search scratch (reset after each search) */
    float *sc_word, *sc_match, *sc_slot;
    uint16_t *sc_phrase_len, *sc_phrase_n, *sc_slots;
    uint32_t *sc_touched;
    uint32_t *sc_sort;          /* radix sort scratch for sc_touched */
    uint8_t *sc_mark;
    uint64_t *sc_qbits;         /* the single query words a candidate holds (bit per word) */
} cat_data;

typedef struct cat_aspects {
    char **phrase;              /* normalised keyword phrases */
    size_t *len;
    catalogue_aspect *aspect;
    size_t n;
    char **question;            /* "question_words": no aspect, never search words */
    size_t nquestion;
    cat_plist phrase_idx, question_idx;     /* of phrase and question */
    char *synonyms;             /* "synonyms": path of the synonyms file, or NULL */
} cat_aspects;

struct catalogue {
    cat_data *cur, *prev;
    cat_aspects *aspects, *prev_aspects;
};

/* catalogue_parse.c: check one file and append its procedures to d.
 * Returns the number of errors reported (0 = file accepted). */
typedef struct cat_load {
    const catalogue_opts *opts;
    char *err;
    size_t errlen;
    int nerr, max_errors;
} cat_load;
int cat_parse_file(cat_data *d, cat_load *ld, const char *path);
void cat_error(cat_load *ld, const char *file, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* catalogue.c */
int cat_code_key(const char *code);                /* d.dddddd -> 0..9999999, or -1 */
const catalogue_proc *cat_code_get(const cat_data *d, const char *code);
void cat_code_put(cat_data *d, size_t proc);
void cat_data_free(cat_data *d);

/* catalogue_index.c: words, postings, phrases, fields, scratch. */
void cat_index_build(cat_data *d);
/* Normalised words of s: start offsets and lengths (at most max). */
size_t cat_tokens(const char *s, size_t *off, size_t *len, size_t max);
/* Bits set in x. */
static inline unsigned cat_popcount(uint64_t x)
{
    x -= (x >> 1) & 0x5555555555555555u;
    x = (x & 0x3333333333333333u) + ((x >> 2) & 0x3333333333333333u);
    x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0fu;
    return (unsigned)((x * 0x0101010101010101u) >> 56);
}
/* Which posting of its word procedure p is, from the word's set (bits and
 * rank of set w->set - 1 in data->set_bits, set_rank), or -1 when the word
 * is not in p. */
static inline long cat_set_rank(const uint64_t *bits, const uint32_t *rank, uint32_t p)
{
    uint64_t b = bits[p >> 6];
    if (!(b >> (p & 63) & 1))
        return -1;
    return (long)rank[p >> 6] + cat_popcount(b & (((uint64_t)1 << (p & 63)) - 1));
}
/* catalogue_postings.c: one query word's weight wt (cw for the name and
 * alias coverage) added to the procedures of its postings, in the sc_*
 * scratch of d. own: 1 a single word (it counts in the match and the
 * coverage), -1 a pair (in the score alone); bit: its bit in sc_qbits.
 * cat_touch makes p a candidate (sc_touched, *nt of them). */
static inline void cat_touch(cat_data *d, uint32_t p, size_t *nt)
{
    if (!d->sc_mark[p]) {
        d->sc_mark[p] = 1;
        d->sc_touched[(*nt)++] = p;
    }
}
/* Walk w's postings (the first limit): touch makes candidates, else only the
 * candidates already made get the weight. */
void cat_post_walk(cat_data *d, const cat_word *w, float wt, float cw, int own, uint64_t bit,
                   int touch, size_t limit, size_t *nt);
/* The same for the nt candidates only, by a galloping search in the postings
 * (sc_touched must be sorted: cat_sort_touched) or by w's set (w->set != 0). */
void cat_post_probe(cat_data *d, const cat_word *w, float wt, float cw, int own, uint64_t bit,
                    size_t nt);
void cat_post_lookup(cat_data *d, const cat_word *w, float wt, float cw, int own, uint64_t bit,
                     size_t nt);
/* Sort the nt candidates of sc_touched ascending. */
void cat_sort_touched(cat_data *d, size_t nt);
/* Word id of s[0..n), or -1. */
long cat_word_find(const cat_data *d, const char *s, size_t n);
long cat_phrase_find(const cat_data *d, uint32_t hash, const uint32_t *ids, size_t n);
uint32_t cat_hash_step(uint32_t h, uint32_t id);
#define CAT_HASH_INIT 2166136261u

/* catalogue_aspect.c: the question words, rewritten with y (may be NULL). */
cat_aspects *cat_aspects_load(const char *path, const cat_syn *y, char *err, size_t errlen);
void cat_aspects_free(cat_aspects *a);
/* The path of the synonyms file named by the aspects file (relative to its
 * directory), or NULL; malloc'd. -1 with err when the file is unreadable. */
int cat_aspects_synonyms(const char *path, char **out, char *err, size_t errlen);
/* The aspect of a rewritten question; blank its aspect phrases and (with
 * question_words) its question words, in place, spaces squeezed. a may be NULL. */
catalogue_aspect cat_aspect_of(const cat_aspects *a, const cat_text *rewritten);
void cat_aspect_strip(const cat_aspects *a, char *rewritten, int question_words);

/* catalogue_group.c */
/* Normalised text of s for the index: level marks removed when levels is
 * set (names, aliases), then rewritten with y. -1 when nothing is left. */
int cat_index_text(const cat_syn *y, const char *s, int levels, char *out, size_t cap);
void cat_groups_build(cat_data *d);
/* cat_index_text(d->syn, p->name, 1, out, cap), from the copy made at load
 * (the request path asks it of every hit it weighs). */
int cat_name_text(const cat_data *d, const catalogue_proc *p, char *out, size_t cap);

/* catalogue_ask.c: a question made ready for the search. */
typedef struct cat_query {
    char words[1024];           /* rewritten search words, one space apart */
    cat_text text;              /* words with the signature of the rewritten question */
    char words0[1024];          /* the whole rewritten question (before words are dropped) */
    cat_text text0;
    catalogue_aspect aspect;    /* of the rewritten question */
    const char *add[CAT_MAX_ADDS];  /* "also" words (point into the synonyms) */
    const cat_syn_also *add_rule[CAT_MAX_ADDS];     /* the rule of each */
    float add_w[CAT_MAX_ADDS];
    const char *trig[CAT_MAX_ADDS][CAT_MAX_TRIG];  /* the "when"/"with" phrases found */
    size_t ntrig[CAT_MAX_ADDS];
    size_t nadd;
    int level;                  /* level named in the question (rank), or -1 */
    uint64_t actions, objects, qualifiers;  /* bits of the phrases in the words and "also" */
    uint64_t objects_beyond;    /* objects of the words outside the "outside" phrases */
    const char *outside;        /* name of an "outside" topic found, or NULL */
    const cat_syn_outside *outside_topic;
    const char *raw;            /* the normalised question (for a code) */
} cat_query;
void cat_query_prepare(const catalogue *cat, const char *normalised, cat_query *q);
/* catalogue_search.c */
size_t cat_search_query(const catalogue *cat, const cat_query *q, catalogue_hit *out, size_t max);

#endif
