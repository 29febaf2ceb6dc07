/* catalogue_index.c -- build the in-memory indexes of one generation at load
 * time: fields (for USSD browsing), the word dictionary with its postings
 * (which procedure holds the word in which alias / name / field, and the
 * word's IDF; every pair of adjacent words "khai sinh" is a word of its own:
 * Vietnamese words are mostly two syllables, and a pair of common syllables
 * is rare), the phrase table (every alias, name and short name as a
 * sequence of word ids, with all its prefixes so a scan can stop early), the
 * per-slot IDF weights and the search scratch space. Every text goes through
 * norm_text() and the synonyms ("same") first, exactly like user input;
 * names and aliases lose their level marks (catalogue_group.c). */
#include "catalogue/catalogue_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/xmalloc.h"

/* Build-time state: postings and phrase/procedure pairs before sorting. */
typedef struct ci_pair {
    uint32_t key, proc;
    uint16_t slots;
    uint8_t src;
} ci_pair;

typedef struct ci_build {
    cat_data *d;
    ci_pair *post;              /* (word, proc) */
    size_t npost, cappost;
    uint32_t *word_last;        /* last post index + 1 of each word for the current proc */
    size_t capwords;
    ci_pair *pp;                /* (phrase, proc); .src 1: the phrase is inside a longer text */
    size_t npp, cappp;
    uint8_t *full;              /* per phrase: 1 when it is a whole alias or name */
    size_t capfull;
    uint32_t *pp_start;         /* per procedure: its first (phrase, proc) pair */
    size_t capphrases, capids;
} ci_build;

size_t cat_tokens(const char *s, size_t *off, size_t *len, size_t max)
{
    size_t n = 0, i = 0;
    while (s[i] && n < max) {
        unsigned char ch = (unsigned char)s[i];
        int w = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch >= 0x80;
        if (!w) {
            i++;
            continue;
        }
        size_t st = i;
        while (s[i] && (((unsigned char)s[i] >= 'a' && (unsigned char)s[i] <= 'z') ||
                        (s[i] >= '0' && s[i] <= '9') || (unsigned char)s[i] >= 0x80))
            i++;
        off[n] = st;
        len[n++] = i - st;
    }
    return n;
}

static uint32_t ci_hash(const char *s, size_t n)
{
    uint32_t h = CAT_HASH_INIT;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h;
}

uint32_t cat_hash_step(uint32_t h, uint32_t id)
{
    h = (h ^ id) * 16777619u;
    return h ^ (h >> 15);
}

long cat_word_find(const cat_data *d, const char *s, size_t n)
{
    if (!d->word_cap)
        return -1;
    for (size_t k = ci_hash(s, n) & (d->word_cap - 1); d->word_tab[k];
         k = (k + 1) & (d->word_cap - 1)) {
        const cat_word *w = &d->words[d->word_tab[k] - 1];
        if (w->len == n && !memcmp(w->s, s, n))
            return (long)d->word_tab[k] - 1;
    }
    return -1;
}

static void ci_word_rehash(cat_data *d, size_t cap)
{
    free(d->word_tab);
    d->word_tab = xcalloc(cap, sizeof(uint32_t));
    d->word_cap = cap;
    for (size_t i = 0; i < d->nwords; i++) {
        size_t k = ci_hash(d->words[i].s, d->words[i].len) & (cap - 1);
        while (d->word_tab[k])
            k = (k + 1) & (cap - 1);
        d->word_tab[k] = (uint32_t)i + 1;
    }
}

static uint32_t ci_word_add(ci_build *b, const char *s, size_t n)
{
    cat_data *d = b->d;
    long id = cat_word_find(d, s, n);
    if (id >= 0)
        return (uint32_t)id;
    if ((d->nwords + 1) * 2 > d->word_cap)
        ci_word_rehash(d, d->word_cap ? d->word_cap * 2 : 1024);
    if (d->nwords == b->capwords) {
        b->capwords = b->capwords ? b->capwords * 2 : 1024;
        d->words = xrealloc(d->words, b->capwords * sizeof(*d->words));
        b->word_last = xrealloc(b->word_last, b->capwords * sizeof(*b->word_last));
    }
    cat_word *w = &d->words[d->nwords];
    memset(w, 0, sizeof(*w));
    w->s = cat_strndup(&d->arena, s, n);
    w->len = (uint32_t)n;
    b->word_last[d->nwords] = 0;
    size_t k = ci_hash(s, n) & (d->word_cap - 1);
    while (d->word_tab[k])
        k = (k + 1) & (d->word_cap - 1);
    d->word_tab[k] = (uint32_t)++d->nwords;
    return (uint32_t)d->nwords - 1;
}

/* Record word id in proc p for slot (or 0xFF for the field) from src. */
static void ci_post(ci_build *b, uint32_t id, uint32_t p, int slot, uint8_t src)
{
    uint32_t last = b->word_last[id];
    ci_pair *e;
    if (last && b->post[last - 1].proc == p) {
        e = &b->post[last - 1];
    } else {
        if (b->npost == b->cappost)
            b->post = xrealloc(b->post, (b->cappost = b->cappost ? b->cappost * 2 : 4096) *
                                            sizeof(*b->post));
        e = &b->post[b->npost++];
        *e = (ci_pair){.key = id, .proc = p};
        b->word_last[id] = (uint32_t)b->npost;
    }
    e->src |= src;
    if (slot >= 0)
        e->slots |= (uint16_t)(1u << slot);
}

long cat_phrase_find(const cat_data *d, uint32_t hash, const uint32_t *ids, size_t n)
{
    if (!d->phrase_cap)
        return -1;
    for (size_t k = hash & (d->phrase_cap - 1); d->phrase_tab[k]; k = (k + 1) & (d->phrase_cap - 1)) {
        const cat_phrase *ph = &d->phrases[d->phrase_tab[k] - 1];
        if (ph->hash == hash && ph->nids == n &&
            !memcmp(d->phrase_ids + ph->ids_off, ids, n * sizeof(*ids)))
            return (long)d->phrase_tab[k] - 1;
    }
    return -1;
}

static void ci_phrase_rehash(cat_data *d, size_t cap)
{
    free(d->phrase_tab);
    d->phrase_tab = xcalloc(cap, sizeof(uint32_t));
    d->phrase_cap = cap;
    for (size_t i = 0; i < d->nphrases; i++) {
        size_t k = d->phrases[i].hash & (cap - 1);
        while (d->phrase_tab[k])
            k = (k + 1) & (cap - 1);
        d->phrase_tab[k] = (uint32_t)i + 1;
    }
}

static uint32_t ci_phrase_add(ci_build *b, uint32_t hash, const uint32_t *ids, size_t n)
{
    cat_data *d = b->d;
    long f = cat_phrase_find(d, hash, ids, n);
    if (f >= 0)
        return (uint32_t)f;
    if ((d->nphrases + 1) * 2 > d->phrase_cap)
        ci_phrase_rehash(d, d->phrase_cap ? d->phrase_cap * 2 : 4096);
    if (d->nphrases == b->capphrases)
        d->phrases = xrealloc(d->phrases, (b->capphrases = b->capphrases ? b->capphrases * 2 : 4096) *
                                              sizeof(*d->phrases));
    size_t off = d->nphrases ? d->phrases[d->nphrases - 1].ids_off + d->phrases[d->nphrases - 1].nids : 0;
    while (off + n > b->capids)
        d->phrase_ids = xrealloc(d->phrase_ids, (b->capids = b->capids ? b->capids * 2 : 16384) *
                                                    sizeof(uint32_t));
    memcpy(d->phrase_ids + off, ids, n * sizeof(*ids));
    d->phrases[d->nphrases] = (cat_phrase){.hash = hash, .ids_off = (uint32_t)off, .nids = (uint32_t)n};
    size_t k = hash & (d->phrase_cap - 1);
    while (d->phrase_tab[k])
        k = (k + 1) & (d->phrase_cap - 1);
    d->phrase_tab[k] = (uint32_t)++d->nphrases;
    return (uint32_t)d->nphrases - 1;
}

/* Whether a text is, once rewritten, just one of the "objects" (the alias
 * "cmnd" is "căn cước"): as a phrase it would match every question about
 * that object. */
static int ci_bare_object(const cat_syn *y, const char *text)
{
    for (size_t i = 0; y && i < y->nobjects; i++)
        if (!strcmp(text, y->objects[i]))
            return 1;
    return 0;
}

static void ci_pp_add(ci_build *b, uint32_t ph, uint32_t p, uint8_t inside)
{
    if (b->npp == b->cappp)
        b->pp = xrealloc(b->pp, (b->cappp = b->cappp ? b->cappp * 2 : 4096) * sizeof(*b->pp));
    b->pp[b->npp++] = (ci_pair){.key = ph, .proc = p, .src = inside};
}

/* Index one text of procedure p: its words, and (slot >= 0) its phrase. */
static void ci_text(ci_build *b, uint32_t p, const char *text, int slot, uint8_t src)
{
    char norm[2048];
    size_t off[CAT_MAX_TEXT_WORDS], len[CAT_MAX_TEXT_WORDS];
    if (cat_index_text(b->d->syn, text, slot >= 0, norm, sizeof(norm)) < 0)
        return;
    size_t n = cat_tokens(norm, off, len, CAT_MAX_TEXT_WORDS);
    if (slot >= 0 && ci_bare_object(b->d->syn, norm))
        slot = -2;      /* words only: "cmnd" is not the phrase of one procedure */
    uint32_t ids[CAT_MAX_PHRASE];
    uint32_t h = CAT_HASH_INIT;
    uint32_t ph = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t id = ci_word_add(b, norm + off[i], len[i]);
        ci_post(b, id, p, slot, src);
        if (i > 0 && off[i] == off[i - 1] + len[i - 1] + 1)  /* the pair "w1 w2" */
            ci_post(b, ci_word_add(b, norm + off[i - 1], len[i - 1] + 1 + len[i]), p, slot, src);
        if (slot < 0 || n > CAT_MAX_PHRASE)
            continue;
        ids[i] = id;
        h = cat_hash_step(h, id);
        ph = ci_phrase_add(b, h, ids, i + 1);
    }
    if (slot < 0 || n == 0 || n > CAT_MAX_PHRASE)
        return;
    if (b->npp && b->pp[b->npp - 1].key == ph && b->pp[b->npp - 1].proc == p)
        return;
    ci_pp_add(b, ph, p, 0);
    while (ph >= b->capfull) {
        size_t cap = b->capfull ? b->capfull * 2 : 4096;
        b->full = xrealloc(b->full, cap);
        memset(b->full + b->capfull, 0, cap - b->capfull);
        b->capfull = cap;
    }
    b->full[ph] = 1;
}

/* Whether procedure p already has phrase ph: among its own pairs (from the
 * first pass) or those of this pass since from. */
static int ci_pp_has(const ci_build *b, size_t from, uint32_t ph, uint32_t p)
{
    for (size_t i = b->pp_start[p]; i < b->pp_start[p + 1]; i++)
        if (b->pp[i].key == ph)
            return 1;
    for (size_t i = from; i < b->npp; i++)
        if (b->pp[i].key == ph)
            return 1;
    return 0;
}

/* The whole aliases and names of any procedure found as a run of words
 * inside one of p's texts ("đăng ký khai sinh" inside "đăng ký khai sinh có
 * yếu tố nước ngoài"): p holds that phrase too, so a question naming it and
 * more of p's words finds p as well as the shorter procedure. */
static void ci_contained(ci_build *b, uint32_t p, const char *text, size_t from)
{
    char norm[2048];
    size_t off[CAT_MAX_TEXT_WORDS], len[CAT_MAX_TEXT_WORDS];
    uint32_t ids[CAT_MAX_TEXT_WORDS];
    if (cat_index_text(b->d->syn, text, 1, norm, sizeof(norm)) < 0)
        return;
    size_t n = cat_tokens(norm, off, len, CAT_MAX_TEXT_WORDS);
    for (size_t i = 0; i < n; i++)
        ids[i] = (uint32_t)cat_word_find(b->d, norm + off[i], len[i]);
    for (size_t i = 0; i < n; i++) {
        uint32_t h = CAT_HASH_INIT;
        for (size_t j = i; j < n && j - i < CAT_MAX_PHRASE; j++) {
            h = cat_hash_step(h, ids[j]);
            long f = cat_phrase_find(b->d, h, ids + i, j - i + 1);
            if (f < 0)
                break;
            if ((size_t)f < b->capfull && b->full[f] && !ci_pp_has(b, from, (uint32_t)f, p))
                ci_pp_add(b, (uint32_t)f, p, 1);
        }
    }
}

/* Counting sort of pairs by key into a flat array of procs (phrases) or posts (words). */
static void ci_flatten(ci_build *b)
{
    cat_data *d = b->d;
    for (size_t i = 0; i < b->npost; i++)
        d->words[b->post[i].key].npost++;
    uint32_t off = 0;
    for (size_t w = 0; w < d->nwords; w++) {
        d->words[w].post_off = off;
        off += d->words[w].npost;
        d->words[w].df = d->words[w].npost;
        d->words[w].idf = logf(1.0f + (float)d->nprocs / (float)(d->words[w].df ? d->words[w].df : 1));
        d->words[w].npost = 0;
    }
    d->posts = xmalloc((b->npost ? b->npost : 1) * sizeof(*d->posts));
    for (size_t i = 0; i < b->npost; i++) {   /* procs stay in ascending order */
        cat_word *w = &d->words[b->post[i].key];
        d->posts[w->post_off + w->npost++] =
            (cat_post){.proc = b->post[i].proc, .slots = b->post[i].slots, .src = b->post[i].src};
    }
    for (size_t i = 0; i < b->npp; i++)
        d->phrases[b->pp[i].key].nprocs++;
    off = 0;
    for (size_t k = 0; k < d->nphrases; k++) {
        d->phrases[k].procs_off = off;
        off += d->phrases[k].nprocs;
        d->phrases[k].nprocs = 0;
    }
    d->phrase_procs = xmalloc((b->npp ? b->npp : 1) * sizeof(uint32_t));
    for (size_t i = 0; i < b->npp; i++) {
        cat_phrase *ph = &d->phrases[b->pp[i].key];
        d->phrase_procs[ph->procs_off + ph->nprocs++] = b->pp[i].proc | (b->pp[i].src ? CAT_PHRASE_INSIDE : 0);
    }
}

/* IDF weight of each slot: the sum over its distinct single words. */
static void ci_slot_weights(cat_data *d)
{
    d->slot_w = xcalloc(d->nprocs * CAT_NSLOTS + 1, sizeof(float));
    for (size_t w = 0; w < d->nwords; w++) {
        const cat_word *cw = &d->words[w];
        if (memchr(cw->s, ' ', cw->len))
            continue;   /* a pair */
        for (uint32_t k = 0; k < cw->npost; k++) {
            const cat_post *p = &d->posts[cw->post_off + k];
            for (int s = 0; s < CAT_NSLOTS; s++)
                if (p->slots & (1u << s))
                    d->slot_w[(size_t)p->proc * CAT_NSLOTS + s] += cw->idf;
        }
    }
}

static void ci_fields(cat_data *d)
{
    size_t cap = 0;
    uint32_t *of = xmalloc((d->nprocs + 1) * sizeof(*of));
    for (size_t i = 0; i < d->nprocs; i++) {
        size_t f = 0;
        while (f < d->nfields && strcmp(d->fields[f], d->procs[i].field))
            f++;
        if (f == d->nfields) {
            if (d->nfields == cap) {
                cap = cap ? cap * 2 : 32;
                const char **nf = cat_alloc(&d->arena, cap * sizeof(*nf));
                if (d->nfields)
                    memcpy(nf, d->fields, d->nfields * sizeof(*nf));
                d->fields = nf;
            }
            d->fields[d->nfields++] = d->procs[i].field;
        }
        of[i] = (uint32_t)f;
        d->procs[i].field_index = f;
    }
    d->field_n = cat_alloc(&d->arena, (d->nfields + 1) * sizeof(size_t));
    d->field_procs = cat_alloc(&d->arena, (d->nfields + 1) * sizeof(*d->field_procs));
    for (size_t i = 0; i < d->nprocs; i++)
        d->field_n[of[i]]++;
    for (size_t f = 0; f < d->nfields; f++) {
        d->field_procs[f] = cat_alloc(&d->arena, d->field_n[f] * sizeof(catalogue_proc *));
        d->field_n[f] = 0;
    }
    for (size_t i = 0; i < d->nprocs; i++)
        d->field_procs[of[i]][d->field_n[of[i]]++] = &d->procs[i];
    free(of);
}

static void ci_by_len(cat_data *d)
{
    memset(d->len_start, 0, sizeof(d->len_start));
    for (size_t w = 0; w < d->nwords; w++)
        d->len_start[(d->words[w].len < 64 ? d->words[w].len : 64) + 1]++;
    for (int l = 1; l < 66; l++)
        d->len_start[l] += d->len_start[l - 1];
    uint32_t fill[66];
    memcpy(fill, d->len_start, sizeof(fill));
    d->by_len = xmalloc((d->nwords + 1) * sizeof(uint32_t));
    d->by_len_ends = xmalloc((d->nwords + 1) * sizeof(uint16_t));
    for (size_t w = 0; w < d->nwords; w++) {
        const cat_word *cw = &d->words[w];
        uint32_t k = fill[cw->len < 64 ? cw->len : 64]++;
        d->by_len[k] = (uint32_t)w;
        d->by_len_ends[k] = CAT_WORD_ENDS(cw->s, cw->len);
    }
}

/* The sets of the words whose postings (8 bytes each) take more room than
 * a set and its ranks (12 bytes per 64 procedures). */
static void ci_sets(cat_data *d)
{
    size_t nb = (d->nprocs + 63) / 64, nsets = 0;
    d->set_blocks = nb;
    for (size_t w = 0; w < d->nwords; w++)
        if (nb && (size_t)d->words[w].npost * 8 >= nb * 12)
            d->words[w].set = (uint32_t)++nsets;
    d->set_bits = xcalloc(nsets * nb + 1, sizeof(uint64_t));
    d->set_rank = xcalloc(nsets * nb + 1, sizeof(uint32_t));
    for (size_t w = 0; w < d->nwords; w++) {
        const cat_word *cw = &d->words[w];
        if (!cw->set)
            continue;
        uint64_t *bits = d->set_bits + (size_t)(cw->set - 1) * nb;
        uint32_t *rank = d->set_rank + (size_t)(cw->set - 1) * nb;
        for (uint32_t k = 0; k < cw->npost; k++) {
            uint32_t p = d->posts[cw->post_off + k].proc;
            bits[p >> 6] |= (uint64_t)1 << (p & 63);
        }
        for (size_t b = 1; b < nb; b++)
            rank[b] = rank[b - 1] + cat_popcount(bits[b - 1]);
    }
}

void cat_index_build(cat_data *d)
{
    ci_build b = {.d = d};
    b.pp_start = xcalloc(d->nprocs + 1, sizeof(uint32_t));
    for (size_t i = 0; i < d->nprocs; i++) {
        const catalogue_proc *p = &d->procs[i];
        b.pp_start[i] = (uint32_t)b.npp;
        for (size_t a = 0; a < p->naliases; a++)
            ci_text(&b, (uint32_t)i, p->aliases[a], (int)a, CAT_SRC_ALIAS);
        ci_text(&b, (uint32_t)i, p->name, CAT_SLOT_NAME, CAT_SRC_NAME);
        ci_text(&b, (uint32_t)i, p->short_name, CAT_SLOT_SHORT, CAT_SRC_NAME);
        ci_text(&b, (uint32_t)i, p->field, -1, CAT_SRC_FIELD);
    }
    b.pp_start[d->nprocs] = (uint32_t)b.npp;
    for (size_t i = 0; i < d->nprocs; i++) {    /* the phrases inside longer texts */
        const catalogue_proc *p = &d->procs[i];
        size_t from = b.npp;
        for (size_t a = 0; a < p->naliases; a++)
            ci_contained(&b, (uint32_t)i, p->aliases[a], from);
        ci_contained(&b, (uint32_t)i, p->name, from);
    }
    free(b.full);
    free(b.pp_start);
    if (!d->word_cap)
        ci_word_rehash(d, 16);
    if (!d->phrase_cap)
        ci_phrase_rehash(d, 16);
    ci_flatten(&b);
    free(b.post);
    free(b.pp);
    free(b.word_last);
    ci_slot_weights(d);
    ci_sets(d);
    ci_fields(d);
    ci_by_len(d);
    cat_groups_build(d);
    size_t n = d->nprocs + 1;
    d->sc_word = xcalloc(n, sizeof(float));
    d->sc_match = xcalloc(n, sizeof(float));
    d->sc_slot = xcalloc(n * CAT_NSLOTS, sizeof(float));
    d->sc_phrase_len = xcalloc(n, sizeof(uint16_t));
    d->sc_phrase_n = xcalloc(n, sizeof(uint16_t));
    d->sc_slots = xcalloc(n, sizeof(uint16_t));
    d->sc_touched = xcalloc(n, sizeof(uint32_t));
    d->sc_sort = xcalloc(n, sizeof(uint32_t));
    d->sc_mark = xcalloc(n, 1);
    d->sc_qbits = xcalloc(n, sizeof(uint64_t));
}
