/* catalogue_search.c -- ranked search over the indexes of catalogue_index.c.
 *
 * One pass over the query words: an exact code wins outright; every alias,
 * name or short name found as a run of whole words scores high (longer runs
 * higher); then each query word adds its IDF to the procedures holding it
 * (alias words count fully, name words 0.7, field words 0.3), and the best
 * share of one alias's (and of the name's) weight found in the query adds a
 * coverage bonus. Ended procedures lose a little. Only the procedures the
 * query touches are scored, and the scratch arrays are reset as they are
 * read, so a search costs a few postings walks (well under 100 µs with
 * 6,000 procedures; tests/bench/catalogue_bench.c). */
#include "catalogue/catalogue_int.h"

#include <string.h>

#define CS_PHRASE_BASE 100.0f
#ifndef CS_PHRASE_WORD
#define CS_PHRASE_WORD 10.0f
#endif
#ifndef CS_ALIAS_COV
#define CS_ALIAS_COV 30.0f
#endif
#ifndef CS_NAME_COV
#define CS_NAME_COV 20.0f
#endif
#define CS_ENDED 3.0f
#ifndef CS_INSIDE
#define CS_INSIDE 3.0f       /* the phrase found is only inside a longer text of the procedure */
#endif
#define CS_ACTION 10.0f      /* the name starts with an action the question does not name */
#ifndef CS_ACTION_MISS
#define CS_ACTION_MISS 8.0f  /* the question names an action ("mất" -> cấp lại) the name lacks */
#endif
#ifndef CS_OBJECT
#define CS_OBJECT 12.0f      /* the name has none of the question's objects */
#endif
#ifndef CS_QUALIFIER
#define CS_QUALIFIER 5.0f    /* per qualifier in the name or the question, not both (at most 2) */
#endif
#ifndef CS_CLOSED
#define CS_CLOSED 40.0f      /* the procedure's field is for a group (the police's own) the question does not name */
#endif
#ifndef CS_HEAD
#define CS_HEAD 6.0f         /* the name is about another object; the question's only in passing */
#endif
#define CS_LEVEL 3.0f        /* bonus: the procedure is at the level the question names */
#define CS_FUZZY 0.7f
#define CS_UNKNOWN_WEIGHT 2.5f
#define CS_MAX_CAND 256
#ifndef CS_COMMON_MAX
#define CS_COMMON_MAX 200
#endif
#define CS_MAX_TOUCH 96      /* candidates made by rare words (the rarest first) */

#define CS_PAIR 1.0f          /* weight of a pair of adjacent words, times its IDF */
#ifndef CS_QUERY_COV
#define CS_QUERY_COV 50.0f   /* share of the question's weight matched (10 before the phrases inside) */
#endif
#ifndef CS_NAME_FULL
#define CS_NAME_FULL 15.0f   /* every word of the name is in the question */
#endif
#ifndef CS_NAME_CAP
#define CS_NAME_CAP 40.0f    /* the name coverage of the verdict: a long name counts as this long */
#endif
#define CS_MAX_OWN 20         /* the question's own words looked at */
#define CS_MAX_SINGLE 40      /* single words with the "also" ones (the rest of CAT_MAX_QWORDS: pairs) */
#define CS_KEEP 24            /* best procedures kept before the level groups are merged */

typedef struct cs_query {
    const cat_query *cq;
    size_t n, nuni;             /* words; the first nuni are single words, then the pairs */
    long ids[CAT_MAX_QWORDS];
    float w[CAT_MAX_QWORDS];    /* IDF (discounted when fuzzy or added by "also") */
    float cw[CAT_MAX_QWORDS];   /* for the name/alias coverage: as w */
    float idf[CAT_MAX_QWORDS];  /* the word's IDF (discounted when fuzzy), also for repeats */
    uint8_t seg[CAT_MAX_QWORDS];    /* 0: the question's words; k: the k-th "also" addition */
    uint8_t trig[CAT_MAX_QWORDS];   /* own words: bit k-1 when they led to addition k */
    uint8_t add_only[CAT_MAX_QWORDS];   /* a pair of which one word is rare: no candidates */
    uint8_t first[CAT_MAX_QWORDS];  /* single words: the first one with the same id (itself) */
    long exact[CAT_MAX_QWORDS];     /* single words: the id of the word as written, or -1 */
    float total;                /* weight of the single words (own and "also") */
    /* for cs_explained, which every kept candidate asks: */
    size_t nown;                /* the question's own words: the first nown */
    int dups;                   /* some single word repeats an earlier one */
    float own_total;            /* weight of the own words */
    float seg_all[CAT_MAX_ADDS + 1];    /* IDF of the words of each "also" addition */
} cs_query;

/* Whether word i counts in the coverage (single words, the question's own
 * and the "also" ones): 1, or -1 for a pair. */
#define CS_OWN(q, i) ((i) >= (q)->nuni ? -1 : 1)
/* The bit of single word i in sc_qbits (pairs have none). */
#define CS_BIT(q, i) ((i) < (q)->nuni ? (uint64_t)1 << (i) : 0)

/* One edit (substitution, adjacent transposition, insertion or deletion)? */
static int cs_edit1(const char *a, size_t na, const char *b, size_t nb)
{
    if (na == nb) {
        size_t i = 0;
        while (i < na && a[i] == b[i])
            i++;
        if (i == na)
            return 1;
        if (!memcmp(a + i + 1, b + i + 1, na - i - 1))
            return 1;
        return i + 1 < na && a[i] == b[i + 1] && a[i + 1] == b[i] &&
               !memcmp(a + i + 2, b + i + 2, na - i - 2);
    }
    if (na + 1 == nb)
        return cs_edit1(b, nb, a, na);
    if (na != nb + 1)
        return 0;
    size_t i = 0;
    while (i < nb && a[i] == b[i])
        i++;
    return !memcmp(a + i + 1, b + i, nb - i);
}

/* The most frequent dictionary word one edit away from s (n >= 5), or -1.
 * A word sharing neither end byte with s is more than one edit away. */
static long cs_fuzzy(const cat_data *d, const char *s, size_t n)
{
    long best = -1;
    uint16_t ends = CAT_WORD_ENDS(s, n);
    for (size_t l = n - 1; l <= n + 1 && l < 65; l++)
        for (uint32_t k = d->len_start[l]; k < d->len_start[l + 1]; k++) {
            uint16_t e = d->by_len_ends[k];
            if ((e ^ ends) >> 8 && (e ^ ends) & 255)
                continue;
            const cat_word *w = &d->words[d->by_len[k]];
            if (cs_edit1(s, n, w->s, w->len) && (best < 0 || w->df > d->words[best].df))
                best = (long)d->by_len[k];
        }
    return best;
}

/* Whether word w (n bytes) is one of the words of phrase p. */
static int cs_in_phrase(const char *w, size_t n, const char *p)
{
    for (const char *at = p; *at;) {
        const char *end = strchr(at, ' ');
        size_t len = end ? (size_t)(end - at) : strlen(at);
        if (len == n && !memcmp(at, w, n))
            return 1;
        if (!end)
            break;
        at = end + 1;
    }
    return 0;
}

/* A word in more procedures than this is common: it only adds to the
 * candidates the rarer words made (1/40 of the catalogue, at least 64 and
 * at most CS_COMMON_MAX, so a big catalogue does not score thousands). */
static uint32_t cs_common(const cat_data *d)
{
    size_t c = d->nprocs / 40;
    return c < 64 ? 64 : c > CS_COMMON_MAX ? CS_COMMON_MAX : (uint32_t)c;
}

/* Look up word w (n bytes) of segment seg at weight mult into q. */
static void cs_word(const cat_data *d, cs_query *q, const char *w, size_t n, uint8_t seg, float mult)
{
    size_t i = q->n++;
    q->seg[i] = seg;
    q->ids[i] = q->exact[i] = cat_word_find(d, w, n);
    q->cw[i] = q->ids[i] >= 0 ? d->words[q->ids[i]].idf : 0;
    if (q->ids[i] < 0 && n >= 5 && (q->ids[i] = cs_fuzzy(d, w, n)) >= 0)
        q->cw[i] = d->words[q->ids[i]].idf * CS_FUZZY;
    q->idf[i] = q->cw[i];
    q->cw[i] *= mult;
    q->w[i] = q->cw[i];
    int dup = 0;
    q->first[i] = (uint8_t)i;
    for (size_t k = 0; k < i && !dup; k++)
        if ((dup = q->ids[i] >= 0 && q->ids[k] == q->ids[i]))
            q->first[i] = (uint8_t)k;
    q->dups |= dup;
    if (dup)
        q->w[i] = q->cw[i] = 0;   /* counted once */
    else if (seg == 0 || q->ids[i] >= 0)    /* an "also" word the index lacks is no loss */
        q->total += q->ids[i] >= 0 ? q->w[i] : CS_UNKNOWN_WEIGHT;
}

/* The pairs of adjacent words of one segment (known to the index only). */
static void cs_pairs(const cat_data *d, cs_query *q, const char *s, const size_t *off,
                     const size_t *len, const long *exact, size_t n, uint8_t seg, float mult)
{
    for (size_t i = 1; i < n && q->n < CAT_MAX_QWORDS; i++) {
        if (off[i] != off[i - 1] + len[i - 1] + 1)
            continue;
        long id = cat_word_find(d, s + off[i - 1], len[i - 1] + 1 + len[i]);
        int dup = id < 0;
        for (size_t k = q->nuni; k < q->n && !dup; k++)
            dup = q->ids[k] == id;
        if (dup)
            continue;
        long a = exact[i - 1], b = exact[i];    /* cat_word_find of either word */
        uint32_t common = cs_common(d);
        /* the rare word of the pair makes the candidates already */
        q->add_only[q->n] = (a >= 0 && d->words[a].df <= common) || (b >= 0 && d->words[b].df <= common);

        q->seg[q->n] = seg;
        q->ids[q->n] = id;
        q->cw[q->n] = q->idf[q->n] = 0;
        q->w[q->n++] = d->words[id].idf * mult * CS_PAIR;
    }
}

static void cs_parse(const cat_data *d, const cat_query *cq, cs_query *q)
{
    size_t off[CAT_MAX_ADDS + 1][CAT_MAX_QWORDS], len[CAT_MAX_ADDS + 1][CAT_MAX_QWORDS];
    size_t cnt[CAT_MAX_ADDS + 1], first[CAT_MAX_ADDS + 1];
    const char *text[CAT_MAX_ADDS + 1];
    q->n = 0;
    q->total = 0;
    q->dups = 0;
    q->cq = cq;
    text[0] = cq->words;
    for (size_t a = 0; a < cq->nadd; a++)
        text[a + 1] = cq->add[a];
    for (size_t a = 0; a <= cq->nadd; a++) {
        size_t cap = a ? CS_MAX_SINGLE : CS_MAX_OWN;   /* the additions may name a whole procedure */
        cnt[a] = cat_tokens(text[a], off[a], len[a], q->n < cap ? cap - q->n : 0);
        first[a] = q->n;
        for (size_t i = 0; i < cnt[a]; i++)
            cs_word(d, q, text[a] + off[a][i], len[a][i], (uint8_t)a, a ? cq->add_w[a - 1] : 1.0f);
    }
    q->nuni = q->n;
    for (size_t a = 0; a <= cq->nadd; a++)
        cs_pairs(d, q, text[a], off[a], len[a], q->exact + first[a], cnt[a], (uint8_t)a,
                 a ? cq->add_w[a - 1] : 1.0f);
    q->nown = cnt[0];
    q->own_total = 0;
    memset(q->seg_all, 0, sizeof(q->seg_all));
    for (size_t i = 0; i < q->nuni; i++) {
        q->add_only[i] = 0;
        if (q->seg[i])
            q->seg_all[q->seg[i]] += q->idf[i];
        else
            q->own_total += q->ids[i] >= 0 ? q->w[i] : CS_UNKNOWN_WEIGHT;
    }
    for (size_t i = 0; i < cnt[0]; i++) {   /* which own words led to which addition */
        q->trig[i] = 0;
        for (size_t a = 0; a < cq->nadd; a++)
            for (size_t t = 0; t < cq->ntrig[a]; t++)
                if (cs_in_phrase(cq->words + off[0][i], len[0][i], cq->trig[a][t]))
                    q->trig[i] |= (uint8_t)(1u << a);
    }
}

/* The share of the question's own words that procedure p explains: words it
 * holds (bits: the single words of q it holds, sc_qbits; a repeated word as
 * its first), and words that led to an "also" addition p mostly holds (so
 * "nhập khẩu cho vợ" is explained by "đăng ký thường trú"). */
static float cs_explained(const cs_query *q, uint64_t bits)
{
    float have[CAT_MAX_ADDS + 1] = {0}, got = 0;
    uint64_t held = bits;   /* bits has the first of each word only: the repeats too */
    for (size_t i = 0; q->dups && i < q->nuni; i++)
        if (bits & ((uint64_t)1 << (q->first[i])))
            held |= (uint64_t)1 << i;
    for (size_t i = q->nown; i < q->nuni; i++)  /* the "also" words */
        if (held & ((uint64_t)1 << i))
            have[q->seg[i]] += q->idf[i];
    unsigned ok = 0;
    for (unsigned a = 1; a <= CAT_MAX_ADDS; a++)
        if (q->seg_all[a] > 0 && have[a] >= 0.5f * q->seg_all[a])
            ok |= 1u << (a - 1);
    for (size_t i = 0; i < q->nown; i++)
        if ((held & ((uint64_t)1 << i)) || (q->trig[i] & ok))
            got += q->ids[i] >= 0 ? q->w[i] : CS_UNKNOWN_WEIGHT;
    return q->own_total > 0 ? got / q->own_total : 0;
}

/* Every alias/name phrase that occurs as a run of query words. */
static void cs_phrases(cat_data *d, const cs_query *q, size_t *nt)
{
    uint32_t ids[CAT_MAX_QWORDS];
    for (size_t i = 0; i < q->nuni; i++)
        ids[i] = (uint32_t)q->ids[i];
    for (size_t i = 0; i < q->nuni; i++) {
        uint32_t h = CAT_HASH_INIT;
        for (size_t j = i; j < q->nuni && j - i < CAT_MAX_PHRASE && q->ids[j] >= 0 &&
                           q->seg[j] == q->seg[i]; j++) {
            h = cat_hash_step(h, ids[j]);
            long f = cat_phrase_find(d, h, ids + i, j - i + 1);
            if (f < 0)
                break;
            const cat_phrase *ph = &d->phrases[f];
            for (uint32_t k = 0; k < ph->nprocs; k++) {
                uint32_t v = d->phrase_procs[ph->procs_off + k], p = v & ~CAT_PHRASE_INSIDE;
                uint16_t len = (uint16_t)(ph->nids * 2 + !(v & CAT_PHRASE_INSIDE));
                cat_touch(d, p, nt);
                if (d->sc_phrase_len[p] < len)
                    d->sc_phrase_len[p] = len;  /* words * 2, + 1 when it is a whole text of p */
                d->sc_phrase_n[p]++;
            }
        }
    }
}

/* Rare words make candidates, rarest first, until there are CS_MAX_TOUCH;
 * the rest, and common words (df above 1/40 of the catalogue), only add to
 * them, unless nothing else matched: then the rarest word's first
 * CS_MAX_CAND procedures are the candidates. */
static void cs_words(cat_data *d, const cs_query *q, size_t *nt)
{
    uint32_t common = cs_common(d);
    size_t order[CAT_MAX_QWORDS], n = 0;
    for (size_t i = 0; i < q->n; i++) {     /* the words, rarest first, add-only ones last */
        if (q->ids[i] < 0 || q->w[i] == 0)
            continue;
        uint32_t df = q->add_only[i] ? UINT32_MAX : d->words[q->ids[i]].df;
        size_t k = n++;
        while (k > 0 && (q->add_only[order[k - 1]] ? UINT32_MAX : d->words[q->ids[order[k - 1]]].df) > df) {
            order[k] = order[k - 1];
            k--;
        }
        order[k] = i;
    }
    /* rare words make candidates, until there are CS_MAX_TOUCH of them */
    size_t made = 0;
    while (made < n && !q->add_only[order[made]] && d->words[q->ids[order[made]]].df <= common &&
           *nt < CS_MAX_TOUCH) {
        size_t i = order[made++];
        cat_post_walk(d, &d->words[q->ids[i]], q->w[i], q->cw[i], CS_OWN(q, i), CS_BIT(q, i), 1, (size_t)-1, nt);
    }
    if (*nt == 0 && made < n && !q->add_only[order[made]]) {  /* only common words: the rarest's */
        size_t i = order[made++];
        cat_post_walk(d, &d->words[q->ids[i]], q->w[i], q->cw[i], CS_OWN(q, i), CS_BIT(q, i), 1, CS_MAX_CAND, nt);
    }
    int sorted = 0;
    for (size_t k = made; k < n; k++) {     /* the others only add to the candidates */
        size_t i = order[k];
        const cat_word *w = &d->words[q->ids[i]];
        size_t gap = *nt ? w->df / *nt + 2 : 2, log2gap = 1;
        while (((size_t)1 << log2gap) < gap)
            log2gap++;
        /* a set lookup costs about four postings of a walk (callgrind) */
        int lookup = w->set && *nt * 4 < w->df, probe = !lookup && *nt * 2 * log2gap < w->df;
        if (probe && !sorted++)
            cat_sort_touched(d, *nt);    /* the probe needs them in order, nothing else does */
        if (lookup)
            cat_post_lookup(d, w, q->w[i], q->cw[i], CS_OWN(q, i), CS_BIT(q, i), *nt);
        else if (probe)
            cat_post_probe(d, w, q->w[i], q->cw[i], CS_OWN(q, i), CS_BIT(q, i), *nt);
        else
            cat_post_walk(d, w, q->w[i], q->cw[i], CS_OWN(q, i), CS_BIT(q, i), 0, (size_t)-1, nt);
    }
}

/* The penalty of procedure p for the key phrases of the question (the
 * "actions", "objects" and "qualifiers" of the synonyms), less the level
 * bonus. */
static float cs_marks(const cat_data *d, uint32_t p, const cat_query *cq)
{
    float pen = 0;
    if (d->action && d->action[p] && !(cq->actions & ((uint64_t)1 << (d->action[p] - 1))))
        pen += CS_ACTION;
    if (d->actions_in && cq->actions && !(d->actions_in[p] & cq->actions))
        pen += CS_ACTION_MISS;
    if (d->objects && cq->objects && !(d->objects[p] & cq->objects))
        pen += CS_OBJECT;
    else if (d->head && cq->objects && d->head[p] && !(d->head[p] & cq->objects))
        pen += CS_HEAD;     /* about another object, the question's only in passing */
    if (d->qualifiers && (d->qualifiers[p] | cq->qualifiers)) {
        int n = (int)cat_popcount(d->qualifiers[p] ^ cq->qualifiers);
        pen += CS_QUALIFIER * (float)(n > 2 ? 2 : n);
    }
    if (d->closed && (d->closed[p] & ~cq->qualifiers))
        pen += CS_CLOSED;
    if (cq->level >= 0 && cat_level_rank(d->procs[p].level) == cq->level)
        pen -= CS_LEVEL;
    return pen;
}

/* A candidate: its hit and the single words of the question it holds. */
typedef struct cs_cand {
    catalogue_hit h;
    uint64_t bits;
} cs_cand;

/* Score procedure p from the scratch arrays, then clear them. */
static cs_cand cs_score(cat_data *d, uint32_t p, const cs_query *q)
{
    float *slot = d->sc_slot + (size_t)p * CAT_NSLOTS;
    const float *sw = d->slot_w + (size_t)p * CAT_NSLOTS;
    float alias_cov = 0, name_cov = 0, told = 0;
    int naliases = 0;
    for (unsigned bits = d->sc_slots[p]; bits; bits &= bits - 1) {
        int s = __builtin_ctz(bits);
        float cov = sw[s] > 0 ? slot[s] / sw[s] : 0;
        cov = cov > 1 ? 1 : cov;
        float capped = sw[s] > 0 ? slot[s] / (sw[s] < CS_NAME_CAP ? sw[s] : CS_NAME_CAP) : 0;
        told = capped > told ? (capped > 1 ? 1 : capped) : told;
        if (s < CAT_MAX_ALIASES) {
            naliases++;
            alias_cov = cov > alias_cov ? cov : alias_cov;
        } else if (cov > name_cov) {
            name_cov = cov;
        }
        slot[s] = 0;
    }
    d->sc_slots[p] = 0;
    catalogue_hit h = {.proc = &d->procs[p], .match = CATALOGUE_MATCH_WORDS};
    h.coverage = q->total > 0 ? d->sc_match[p] / q->total : 0;
    h.coverage = h.coverage > 1 ? 1 : h.coverage;
    h.alias_coverage = told;
    h.score = d->sc_word[p] + CS_QUERY_COV * h.coverage + CS_ALIAS_COV * alias_cov +
              CS_NAME_COV * name_cov + (name_cov > 0.999f ? CS_NAME_FULL : 0) +
              (float)(naliases > 6 ? 5 : naliases > 1 ? naliases - 1 : 0);
    if (d->sc_phrase_len[p]) {
        h.score += CS_PHRASE_BASE + CS_PHRASE_WORD * (float)(d->sc_phrase_len[p] / 2) -
                   (d->sc_phrase_len[p] & 1 ? 0 : CS_INSIDE) + 3.0f * (float)(d->sc_phrase_n[p] - 1);
        h.match = CATALOGUE_MATCH_PHRASE;
    }
    if (d->procs[p].ended)
        h.score -= CS_ENDED;
    h.score -= cs_marks(d, p, q->cq);
    d->sc_word[p] = d->sc_match[p] = 0;
    d->sc_phrase_len[p] = d->sc_phrase_n[p] = 0;
    d->sc_mark[p] = 0;
    cs_cand c = {.h = h, .bits = d->sc_qbits[p]};
    d->sc_qbits[p] = 0;
    return c;
}

/* Whether candidate a ranks below b (lower score; at equal scores the later procedure). */
static inline int cs_below(const catalogue_hit *a, const catalogue_hit *b)
{
    return a->score < b->score || (a->score == b->score && a->proc > b->proc);
}

/* Insert c into the best-first list out[0..*n) of capacity max. */
static void cs_keep(cs_cand *out, size_t *n, size_t max, cs_cand c)
{
    const catalogue_hit h = c.h;
    size_t i = *n;
    if (i == max) {
        /* cppcheck-suppress uninitvar ; out[0..max) is filled when *n == max */
        const catalogue_hit *last = &out[max - 1].h;
        if (h.score < last->score || (h.score == last->score && h.proc > last->proc))
            return;
        i--;
    } else {
        (*n)++;
    }
    /* out[0..i) is filled: i <= *n - 1 here */
    /* cppcheck-suppress uninitvar */
    while (i > 0 && (out[i - 1].h.score < h.score ||
                     (out[i - 1].h.score == h.score && out[i - 1].h.proc > h.proc))) {
        out[i] = out[i - 1];
        i--;
    }
    out[i] = c;
}

/* The best candidates again, with the share of the question they explain
 * counting the words that led to an "also" addition they match
 * (cs_explained: "lấy vợ" is explained by "Đăng ký kết hôn"), best first. */
static void cs_rescore(const cs_query *q, cs_cand *cand, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        catalogue_hit *h = &cand[i].h;
        if (h->match == CATALOGUE_MATCH_CODE)
            continue;
        float e = cs_explained(q, cand[i].bits);
        if (e > h->coverage)
            h->score += CS_QUERY_COV * (e - h->coverage);
        h->coverage = e;
    }
    for (size_t i = 1; i < n; i++) {
        cs_cand c = cand[i];
        size_t k = i;
        while (k > 0 && (cand[k - 1].h.score < c.h.score ||
                         (cand[k - 1].h.score == c.h.score && cand[k - 1].h.proc > c.h.proc))) {
            cand[k] = cand[k - 1];
            k--;
        }
        cand[k] = c;
    }
}

/* A procedure code "d.dddddd" (or d,dddddd) standing alone in the query. */
static const catalogue_proc *cs_code(const cat_data *d, const char *s)
{
    size_t len = strlen(s);
    for (size_t i = 0; i + 8 <= len; i++) {
        if (s[i] < '0' || s[i] > '9' || (i && s[i - 1] >= '0' && s[i - 1] <= '9'))
            continue;
        if (i + 8 < len && s[i + 8] >= '0' && s[i + 8] <= '9')
            continue;
        char c[9];
        memcpy(c, s + i, 8);
        c[8] = '\0';
        const catalogue_proc *p = cat_code_get(d, c);
        if (p)
            return p;
    }
    return NULL;
}

/* The variant of p's group to show: the level asked for, else the lowest. */
static const catalogue_proc *cs_variant(const cat_data *d, const catalogue_proc *p, int level)
{
    uint32_t g = d->group[p - d->procs];
    const uint32_t *m = d->group_procs + d->group_off[g];
    for (uint32_t i = 0; level >= 0 && i < d->group_n[g]; i++)
        if (cat_level_rank(d->procs[m[i]].level) == level)
            return &d->procs[m[i]];
    return &d->procs[m[0]];
}

/* Copy the best hits to out, one per level group, at most max. */
static size_t cs_merge(const cat_data *d, const cs_cand *cand, size_t n, int level,
                       catalogue_hit *out, size_t max)
{
    size_t k = 0;
    for (size_t i = 0; i < n && k < max; i++) {
        uint32_t g = d->group[cand[i].h.proc - d->procs];
        int seen = 0;
        for (size_t j = 0; j < k && !seen; j++)
            seen = d->group[out[j].proc - d->procs] == g;
        if (seen)
            continue;
        out[k] = cand[i].h;
        if (cand[i].h.match != CATALOGUE_MATCH_CODE)
            out[k].proc = cs_variant(d, cand[i].h.proc, level);
        k++;
    }
    return k;
}

size_t cat_search_query(const catalogue *cat, const cat_query *cq, catalogue_hit *out, size_t max)
{
    cat_data *d = cat->cur;     /* the scratch space is ours to change */
    cs_cand cand[CS_KEEP];
    size_t n = 0, nt = 0;
    const catalogue_proc *code = cs_code(d, cq->raw);
    if (code)
        cs_keep(cand, &n, CS_KEEP, (cs_cand){.h = {.proc = code, .score = 1e6f,
                                                   .match = CATALOGUE_MATCH_CODE, .coverage = 1,
                                                   .alias_coverage = 1}});
    cs_query q;
    cs_parse(d, cq, &q);
    cs_phrases(d, &q, &nt);
    cs_words(d, &q, &nt);
    for (size_t i = 0; i < nt; i++) {
        cs_cand c = cs_score(d, d->sc_touched[i], &q);
        if (c.h.proc != code && (n < CS_KEEP || !cs_below(&c.h, &cand[CS_KEEP - 1].h)))
            cs_keep(cand, &n, CS_KEEP, c);
    }
    cs_rescore(&q, cand, n);
    return cs_merge(d, cand, n, cq->level, out, max);
}

size_t catalogue_search(const catalogue *cat, const char *query, catalogue_hit *out, size_t max)
{
    if (!cat || !query || !max)
        return 0;
    cat_query q;
    cat_query_prepare(cat, query, &q);
    return cat_search_query(cat, &q, out, max);
}

int catalogue_hit_confident(const catalogue_hit *h)
{
    return h && (h->match >= CATALOGUE_MATCH_PHRASE ||
                 (h->coverage >= 0.6f && h->alias_coverage >= 0.5f));
}
