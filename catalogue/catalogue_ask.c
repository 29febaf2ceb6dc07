/* catalogue_ask.c -- a citizen's question about a procedure, from words to a
 * verdict (docs/procedures.md "Search"):
 *
 *   1. rewrite with the synonyms ("same": cccd -> căn cước, ko -> không);
 *   2. the aspect (procedure-aspects.json), the level named (ở xã, cấp
 *      tỉnh), an "outside" topic (ly hôn -> the court);
 *   3. drop the aspect phrases, then add the "also" words (mất -> cấp lại)
 *      at their lower weight, then drop the question words and the level
 *      marks: what is left names the procedure ("mất", "căn cước" stay);
 *   4. search (catalogue_search.c), one hit per level group;
 *   5. the verdict: answer, offer choices, or say "not found" when the best
 *      hit explains too little of the question (thresholds measured on
 *      tests/corpus/procedure-questions.tsv, see docs/procedures.md). */
#include "catalogue/catalogue_int.h"

#include <stdio.h>
#include <string.h>

#include "common/xmalloc.h"

/* Verdict thresholds, on the best hit's confidence: the share of the
 * question it explains (catalogue_hit.coverage) times the share of its name
 * (or alias) found in the question; measured on the question set
 * (docs/procedures.md "Confidence"). */
#define CA_FOUND 0.14f              /* below: not found */
#define CA_FOUND_NAME 0.36f         /* ... and so is a best name covered less than this */
#define CA_FOUND_OUTSIDE 0.56f      /* below, when the question names an "outside" topic */
#define CA_SURE 0.50f               /* answer without asking back when this sure, ... */
#define CA_SURE_NAME 0.70f          /* ... the best name this well covered, ... */
#define CA_SURE_MARGIN 8.0f         /* ... and the next group scores this much lower */
#define CA_FOUND_LACKING 0.30f      /* below, when the best hit lacks the action asked for */

/* Blank every whole-word occurrence of phrase p in t (words one space apart). */
static void ca_blank(const cat_text *t, const char *p)
{
    long o;
    while ((o = cat_text_at(t, p)) >= 0)
        memset((char *)t->s + o, ' ', strlen(p));
}

/* The word next to s[o..o+n) on the left (dir -1) or right (+1): *len, or NULL. */
static const char *ca_neighbour(const char *s, size_t o, size_t n, int dir, size_t *len)
{
    size_t i = dir < 0 ? o : o + n, slen = strlen(s);
    if (dir < 0) {
        while (i > 0 && s[i - 1] == ' ')
            i--;
        size_t end = i;
        while (i > 0 && s[i - 1] != ' ')
            i--;
        *len = end - i;
        return *len ? s + i : NULL;
    }
    while (i < slen && s[i] == ' ')
        i++;
    size_t st = i;
    while (i < slen && s[i] != ' ')
        i++;
    *len = i - st;
    return *len ? s + st : NULL;
}

/* The number of procedures holding the word pair "a b" of the index, or 0. */
static uint32_t ca_pair_df(const cat_data *d, const char *a, size_t na, const char *b, size_t nb)
{
    char pair[128];
    if (!a || !b || na + nb + 2 > sizeof(pair))
        return 0;
    memcpy(pair, a, na);
    pair[na] = ' ';
    memcpy(pair + na + 1, b, nb);
    long id = cat_word_find(d, pair, na + nb + 1);
    return id >= 0 ? d->words[id].df : 0;
}

/* Whether "a b" is a word pair of the index. */
static int ca_pair(const cat_data *d, const char *a, size_t na, const char *b, size_t nb)
{
    return ca_pair_df(d, a, na, b, nb) > 0;
}

/* Blank the phrases of list in s. Without diacritics one syllable stands
 * for several ("can" is cần and căn, "hoi" hỏi and hội): a one-word phrase
 * stays where it forms a word pair of the index with a neighbour ("can
 * cuoc", "xa hoi"). */
static void ca_drop(const cat_data *d, const cat_text *t, char *const *list, size_t n,
                    const cat_plist *x)
{
    char *s = (char *)t->s;
    uint32_t buf[256], *may = n <= 256 ? buf : xmalloc(n * sizeof(*may));
    size_t nmay = cat_plist_may(x, t, list, may);   /* t's signature stays as the words go */
    for (size_t k = 0; k < nmay; k++) {
        const char *p = list[may[k]];
        size_t plen = strlen(p);
        int one = !strchr(p, ' ');
        for (long from = 0, o; (o = cat_phrase_at(s + from, p)) >= 0;) {
            size_t at = (size_t)(from + o), ln = 0, rn = 0;
            const char *l = one ? ca_neighbour(s, at, plen, -1, &ln) : NULL;
            const char *r = one ? ca_neighbour(s, at, plen, 1, &rn) : NULL;
            if (one && (ca_pair(d, l, ln, s + at, plen) || ca_pair(d, s + at, plen, r, rn))) {
                from = (long)(at + plen);
                continue;
            }
            memset(s + at, ' ', plen);
        }
    }
    if (may != buf)
        free(may);
}

void cat_squeeze(char *s)
{
    size_t w = 0;
    for (size_t r = 0; s[r]; r++)
        if (s[r] != ' ' || (w && s[w - 1] != ' '))
            s[w++] = s[r];
    while (w && s[w - 1] == ' ')
        w--;
    s[w] = '\0';
}

/* The level the question names (the longest phrase), or -1. */
static int ca_level(const cat_syn *y, const cat_text *t)
{
    int best = -1;
    size_t best_len = 0;
    for (int l = 0; y && l < CAT_NLEVELS; l++)
        for (size_t i = 0; i < y->nlevel_words[l]; i++)
            if (strlen(y->level_words[l][i]) > best_len && cat_text_at(t, y->level_words[l][i]) >= 0) {
                best = l;
                best_len = strlen(y->level_words[l][i]);
            }
    return best;
}

static const cat_syn_outside *ca_outside(const cat_syn *y, const cat_text *t)
{
    for (size_t i = 0; y && i < y->noutside; i++)
        if (cat_text_any(t, y->outside[i].when, y->outside[i].nwhen))
            return &y->outside[i];
    return NULL;
}

/* The objects q names beside its outside topic (ly hôn / kết hôn). */
static uint64_t ca_beyond(const cat_syn *y, const cat_query *q)
{
    char rest[sizeof(q->words)];
    memcpy(rest, q->words, sizeof(rest));
    cat_text t = q->text;   /* the signature still lets every word through */
    t.s = rest;
    for (size_t i = 0; q->outside_topic && i < q->outside_topic->nwhen; i++)
        ca_blank(&t, q->outside_topic->when[i]);
    return cat_plist_mask(&y->objects_idx, &t, y->objects, y->nobjects);
}

/* The longest phrase of list found in t, or NULL. */
static const char *ca_first(const cat_text *t, char *const *list, size_t n)
{
    const char *best = NULL;    /* the longest: it explains the most words of the question */
    for (size_t i = 0; i < n; i++)
        if ((!best || strlen(list[i]) > strlen(best)) && cat_text_at(t, list[i]) >= 0)
            best = list[i];
    return best;
}

/* Whether the occurrence of phrase p at s[at..) is the middle of other
 * words: its first word makes a word pair of the index with the word
 * before and its last word one with the word after ("cong nhan ho ngheo"
 * holds "nhan ho", nhận hộ, across "công nhận" and "hộ nghèo"). Only a
 * two-word phrase can be a bridge, and not one that is itself a pair more
 * than twice as common as the rarer of those: "hợp đồng" in "chứng thực hợp
 * đồng cho con" stays a trigger although "thực hợp" and "đồng cho" occur
 * somewhere. */
static int ca_bridged(const cat_data *d, const char *s, size_t at, const char *p)
{
    size_t plen = strlen(p), fl = strcspn(p, " "), ln = 0, rn = 0;
    const char *last = strrchr(p, ' ');
    last = last ? last + 1 : p;
    const char *l = ca_neighbour(s, at, plen, -1, &ln), *r = ca_neighbour(s, at, plen, 1, &rn);
    if (p[fl] != ' ' || strchr(p + fl + 1, ' '))
        return 0;   /* only a two-word phrase: "mất" in "làm mất giấy", "mã số thuế" in "ký mã số thuế cho" stay */
    uint32_t ldf = ca_pair_df(d, l, ln, s + at, fl);
    uint32_t rdf = ldf ? ca_pair_df(d, s + at + (size_t)(last - p), strlen(last), r, rn) : 0;
    if (!ldf || !rdf)
        return 0;
    uint32_t self = ca_pair_df(d, p, fl, p + fl + 1, strlen(p + fl + 1));
    return self <= 2 * (ldf < rdf ? ldf : rdf);
}

/* The longest phrase of list found in t other than in the middle of other
 * words (ca_bridged), or NULL. */
static const char *ca_first_free(const cat_data *d, const cat_text *t, char *const *list, size_t n)
{
    const char *best = NULL;
    for (size_t i = 0; i < n; i++) {
        if ((best && strlen(list[i]) <= strlen(best)) || !cat_text_may(t, list[i]))
            continue;
        for (long from = 0, o; (o = cat_phrase_at(t->s + from, list[i])) >= 0;) {
            size_t at = (size_t)(from + o);
            if (!ca_bridged(d, t->s, at, list[i])) {
                best = list[i];
                break;
            }
            from = (long)(at + strlen(list[i]));
        }
    }
    return best;
}

/* Remember that phrase t led to addition k (its words are explained when
 * the addition matches; catalogue_search.c). */
static void ca_trigger(cat_query *q, size_t k, const char *t)
{
    for (size_t i = 0; t && i < q->ntrig[k]; i++)
        if (q->trig[k][i] == t)
            return;
    if (t && q->ntrig[k] < CAT_MAX_TRIG)
        q->trig[k][q->ntrig[k]++] = t;
}

static void ca_also(const cat_data *d, const cat_syn *y, cat_query *q)
{
    q->nadd = 0;
    for (size_t i = 0; y && i < y->nalso; i++) {
        const cat_syn_also *a = &y->also[i];
        if (!((a->wsig[0] & q->text.sig[0]) | (a->wsig[1] & q->text.sig[1]) |
              (a->wsig[2] & q->text.sig[2]) | (a->wsig[3] & q->text.sig[3])))
            continue;   /* none of its triggers' first words */
        const char *when = ca_first_free(d, &q->text, a->when, a->nwhen);
        const char *with = when && a->nwith ? ca_first(&q->text, a->with, a->nwith) : NULL;
        /* an addition already in the words adds no weight (its words are
         * repeats) but still explains its trigger ("mất" of "bà mất, khai tử") */
        if (!when || (a->nwith && !with) || cat_text_any(&q->text, a->unless, a->nunless))
            continue;
        size_t k = 0;
        while (k < q->nadd && strcmp(q->add[k], a->add))
            k++;
        if (k == q->nadd) {
            if (q->nadd == CAT_MAX_ADDS)
                continue;
            q->add[k] = a->add;
            q->add_rule[k] = a;
            q->add_w[k] = a->weight;
            q->ntrig[k] = 0;
            q->nadd++;
        }
        ca_trigger(q, k, when);
        ca_trigger(q, k, with);
    }
}

void cat_query_prepare(const catalogue *cat, const char *normalised, cat_query *q)
{
    const cat_syn *y = cat->cur->syn;
    q->raw = normalised;
    cat_syn_rewrite(y, normalised, q->words, sizeof(q->words));
    cat_text_init(&q->text, q->words);
    memcpy(q->words0, q->words, sizeof(q->words0));
    q->text0 = q->text;
    q->text0.s = q->words0;
    q->aspect = cat_aspect_of(cat->aspects, &q->text);
    q->level = ca_level(y, &q->text);
    q->outside_topic = ca_outside(y, &q->text);
    q->outside = q->outside_topic ? q->outside_topic->name : NULL;
    const cat_aspects *as = cat->aspects;
    if (as)
        ca_drop(cat->cur, &q->text, as->phrase, as->n, &as->phrase_idx);
    ca_also(cat->cur, y, q);      /* before the question words go: "làm lại", "xin" count here */
    if (as)
        ca_drop(cat->cur, &q->text, as->question, as->nquestion, &as->question_idx);
    for (size_t i = 0; y && i < y->nmarks; i++)
        ca_blank(&q->text, y->marks[i]);
    cat_squeeze(q->words);
    cat_text_init(&q->text, q->words);  /* the pairs made by the words that went */
    q->actions = q->objects = q->qualifiers = 0;
    q->objects_beyond = y ? ca_beyond(y, q) : 0;
    if (y) {
        q->actions = cat_plist_mask(&y->actions_idx, &q->text, y->actions, y->nactions);
        q->objects = cat_plist_mask(&y->objects_idx, &q->text, y->objects, y->nobjects);
        q->qualifiers = cat_qual_mask(y, &q->text);
    }
    for (size_t i = 0; i < q->nadd; i++) {
        q->actions |= q->add_rule[i]->actions;
        q->objects |= q->add_rule[i]->objects;
        q->qualifiers |= q->add_rule[i]->qualifiers;
    }
}

float catalogue_hit_confidence(const catalogue_hit *h)
{
    if (!h)
        return 0;
    return h->match == CATALOGUE_MATCH_CODE ? 1.0f : h->coverage * h->alias_coverage;
}

/* Whether word w[0..n) is one of the words of s (one space apart). */
static int ca_has_word(const char *s, const char *w, size_t n)
{
    for (const char *p = s; *p;) {
        size_t l = strcspn(p, " ");
        if (l == n && !memcmp(p, w, n))
            return 1;
        p += l;
        while (*p == ' ')
            p++;
    }
    return 0;
}

/* Whether the question names a word of clause (the "đối với ..." part of a
 * name) that its head does not have, skipping the little words. */
static int ca_names_clause(const cat_query *q, const char *head, const char *clause)
{
    static const char *const little[] = {"tu", "va", "cua", "cho", "co", "la", "cac", "nhung", "theo", "trong", "hoac"};
    for (const char *p = clause; *p;) {
        size_t l = strcspn(p, " ");
        char w[64];
        int skip = l >= sizeof(w) || ca_has_word(head, p, l);
        for (size_t i = 0; !skip && i < sizeof(little) / sizeof(little[0]); i++)
            skip = strlen(little[i]) == l && !memcmp(little[i], p, l);
        if (!skip) {
            memcpy(w, p, l);
            w[l] = '\0';
            if (cat_phrase_at(q->text.s, w) >= 0)     /* w is no cat_phrase_new phrase */
                return 1;
        }
        p += l;
        while (*p == ' ')
            p++;
    }
    return 0;
}

/* Split a rewritten name at " doi voi ": the head (without a leading "thu
 * tuc"), the clause after; -1 when the name names no group. */
static int ca_group_split(const cat_data *d, const catalogue_proc *p, char *buf, size_t cap,
                          const char **head, const char **clause)
{
    if (cat_name_text(d, p, buf, cap) < 0)
        return -1;
    char *at = strstr(buf, " doi voi ");
    if (!at)
        return -1;
    *at = '\0';
    *head = buf;
    *clause = at + 9;
    return 0;
}

/* The same procedure for different groups of people ("quyết toán thuế TNCN
 * đối với tổ chức trả thu nhập" / "... đối với hộ kinh doanh"): the heads
 * before "đối với" are equal but for leading words (one ends the other), and
 * the question names no word of either group. Then only the citizen can
 * tell: ask back. */
static int ca_group_tie(const cat_data *d, const cat_query *q, const catalogue_answer *a)
{
    char b0[1024], b1[1024];
    const char *h0, *c0, *h1, *c1;
    if (ca_group_split(d, a->hits[0].proc, b0, sizeof(b0), &h0, &c0) < 0
        || ca_names_clause(q, h0, c0))
        return 0;
    for (size_t i = 1; i < a->nhits && i < 3; i++) {
        if (ca_group_split(d, a->hits[i].proc, b1, sizeof(b1), &h1, &c1) < 0)
            continue;
        size_t l0 = strlen(h0), l1 = strlen(h1);
        const char *lo = l0 >= l1 ? h0 : h1, *sh = l0 >= l1 ? h1 : h0;
        size_t ll = l0 >= l1 ? l0 : l1, ls = l0 >= l1 ? l1 : l0;
        int same = !strcmp(lo + ll - ls, sh) && (ll == ls || lo[ll - ls - 1] == ' ');
        if (same && strcmp(c0, c1) && !ca_names_clause(q, h1, c1))
            return 1;
    }
    return 0;
}

/* What a hit may lack of the question (ca_mismatch). */
enum {
    CA_LACKS_ACTION = 1,        /* an action the question (or an "also" rule) names */
    CA_LACKS_OBJECT = 4,        /* every object of the question */
};

/* Whether procedure p is about something else than the question asks, in
 * the ways of kinds: it lacks every action the question names ("xóa đăng
 * ký tạm trú" / "Đăng ký tạm trú"; "mất cà vẹt" -> cấp lại / "Đăng ký xe
 * lần đầu"), or every object the question names. A small catalogue then
 * holds only a neighbour of the procedure asked for. (A missing qualifier
 * is no mismatch: the sample's first-issue căn cước covers under-14s as a
 * case of its documents; the ranking weighs qualifiers instead.) */
static int ca_mismatch(const cat_data *d, const cat_query *q, uint32_t p, unsigned kinds)
{
    if (!d->syn)
        return 0;
    if ((kinds & CA_LACKS_ACTION) && q->actions && !(d->actions_in[p] & q->actions))
        return 1;
    return (kinds & CA_LACKS_OBJECT) && q->objects && !(d->objects[p] & q->objects);
}

/* Whether the name of procedure p holds a phrase of the question's outside
 * topic: this catalogue has it ("Công nhận hộ nghèo", "Đổi tiền không đủ
 * tiêu chuẩn lưu thông"), so it is not outside here. */
static int ca_outside_here(const cat_data *d, const cat_query *q, const catalogue_proc *p)
{
    char name[2048];
    const cat_syn_outside *o = q->outside_topic;
    if (!o || cat_name_text(d, p, name, sizeof(name)) < 0)
        return 0;
    for (size_t i = 0; i < o->nwhen; i++)
        if (cat_text_at(&q->text0, o->when[i]) >= 0 && cat_phrase_at(name, o->when[i]) >= 0)
            return 1;
    return 0;
}

/* How much of the question the hit explains: not found / choices / sure. */
static catalogue_verdict ca_verdict(const cat_data *d, const cat_query *q, const catalogue_answer *a)
{
    const catalogue_hit *h = &a->hits[0];
    float conf = catalogue_hit_confidence(h);
    if (h->match == CATALOGUE_MATCH_CODE)
        return CATALOGUE_ANSWER;
    /* an outside topic ("ly hôn") needs more, unless the hit is about an
     * object the question names ("kết hôn lần 2 sau khi ly hôn") */
    int outside = a->outside && !(q->objects_beyond & d->objects[h->proc - d->procs]) &&
                  !ca_outside_here(d, q, h->proc);
    if (conf < (outside ? CA_FOUND_OUTSIDE : CA_FOUND) || h->alias_coverage < CA_FOUND_NAME)
        return CATALOGUE_NOT_FOUND;
    uint32_t p = (uint32_t)(h->proc - d->procs);
    if (conf < CA_FOUND_LACKING && ca_mismatch(d, q, p, CA_LACKS_ACTION))
        return CATALOGUE_NOT_FOUND;
    /* not the qualifiers: a procedure may serve them as a case of its documents (the sample's
     * căn cước lần đầu has the under-14 case) */
    int mismatch = ca_mismatch(d, q, p, CA_LACKS_ACTION | CA_LACKS_OBJECT);
    int sure = conf >= CA_SURE && h->alias_coverage >= CA_SURE_NAME;
    if (sure && !mismatch && (a->nhits == 1 || h->score - a->hits[1].score >= CA_SURE_MARGIN)
        && !ca_group_tie(d, q, a))
        return CATALOGUE_ANSWER;
    return CATALOGUE_CHOOSE;
}

void catalogue_ask(const catalogue *cat, const char *normalised, catalogue_answer *a)
{
    memset(a, 0, sizeof(*a));
    if (!cat || !normalised)
        return;
    cat_query q;
    cat_query_prepare(cat, normalised, &q);
    a->aspect = q.aspect;
    a->outside = q.outside;
    a->level = q.level;
    size_t nw = strnlen(q.words, sizeof(a->words) - 1);
    memcpy(a->words, q.words, nw);    /* cut to fit, as snprintf would */
    a->words[nw] = '\0';
    for (size_t i = 0, o = 0; i < q.nadd && o < sizeof(a->also); i++)
        o += (size_t)snprintf(a->also + o, sizeof(a->also) - o, "%s%s", i ? " + " : "", q.add[i]);
    if (!q.words[0]) {
        a->verdict = a->outside ? CATALOGUE_NOT_FOUND : CATALOGUE_EMPTY;
        return;
    }
    a->nfound = a->nhits = cat_search_query(cat, &q, a->hits, CATALOGUE_ASK_MAX);
    a->verdict = a->nhits ? ca_verdict(cat->cur, &q, a) : CATALOGUE_NOT_FOUND;
    if (a->verdict == CATALOGUE_NOT_FOUND)
        a->nhits = 0;
}

const char *catalogue_verdict_name(catalogue_verdict v)
{
    static const char *const names[] = {"empty", "answer", "choose", "not_found"};
    return (unsigned)v < sizeof(names) / sizeof(names[0]) ? names[v] : "empty";
}
