/* literals.c -- necessary literal sets of rule patterns (see literals.h).
 *
 * A recursive-descent walk over the pattern: a sequence's necessary literals
 * are its best mandatory piece (a run of literal characters, or a mandatory
 * group whose every branch has a necessary set); an alternation's are the
 * union of its branches' sets, and exist only if every branch has one. "Best"
 * is the set whose shortest member is longest, then the smallest set. */
#include "intents/literals.h"

#include <stdlib.h>
#include <string.h>

#include "common/xmalloc.h"

void lit_add(lit_set *set, const char *s, size_t n)
{
    if (n > LIT_MAX)
        n = LIT_MAX;
    if (set->n == set->cap) {
        set->cap = set->cap ? set->cap * 2 : 8;
        set->s = xrealloc(set->s, set->cap * sizeof *set->s);
    }
    char *c = xmalloc(n + 1);
    for (size_t i = 0; i < n; i++)
        c[i] = (char)lit_fold((unsigned char)s[i]);
    c[n] = '\0';
    set->s[set->n++] = c;
}

void lit_free(lit_set *set)
{
    for (size_t i = 0; i < set->n; i++)
        free(set->s[i]);
    free(set->s);
    memset(set, 0, sizeof *set);
}

static void lit_move_all(lit_set *dst, lit_set *src)
{
    for (size_t i = 0; i < src->n; i++)
        lit_add(dst, src->s[i], strlen(src->s[i]));
    lit_free(src);
}

typedef struct lx {
    const char *p;
    int bad;              /* unsupported syntax met: give up */
    int lead;             /* groups yield leading sets (lit_lead) */
    int skip_first;       /* top-level branches drop their first piece */
    int depth;            /* group nesting */
} lx;

enum { AT_LIT, AT_ANY, AT_ZERO, AT_GROUP, AT_END };

typedef struct lx_atom {
    int kind;
    char c;               /* AT_LIT */
    int ok;               /* AT_GROUP: set is necessary for the group */
    int exact;            /* AT_GROUP, lead mode: set is all it matches */
    lit_set set;          /* AT_GROUP */
} lx_atom;

/* Working state of one sequence (concatenation). */
typedef struct lx_seq {
    char run[LIT_MAX];
    size_t rlen;
    lit_set best;
    size_t score;         /* shortest member of best */
    int skip;             /* drop the next piece offered (lit_derive_rest) */
} lx_seq;

static int lx_alt(lx *x, lit_set *out);
static int lx_lead_alt(lx *x, lit_set *out, int *exact);

static void lx_offer(lx_seq *q, lit_set *set)
{
    if (q->skip) {
        q->skip = 0;
        lit_free(set);
        return;
    }
    size_t score = (size_t)-1;
    for (size_t i = 0; i < set->n; i++)
        if (strlen(set->s[i]) < score)
            score = strlen(set->s[i]);
    if (set->n && (!q->best.n || score > q->score ||
                   (score == q->score && set->n < q->best.n))) {
        lit_free(&q->best);
        q->best = *set;
        q->score = score;
        memset(set, 0, sizeof *set);
    }
    lit_free(set);
}

static void lx_flush(lx_seq *q)
{
    if (q->rlen) {
        lit_set one = {0};
        lit_add(&one, q->run, q->rlen);
        lx_offer(q, &one);
    }
    q->rlen = 0;
}

/* Escape after the backslash: a literal, a class or an assertion. */
static int lx_escape(lx *x, lx_atom *a)
{
    char c = *x->p++;
    if (c == 'd') {
        a->c = '0';
        return AT_LIT;
    }
    if (c && strchr("bBAzZG", c))
        return AT_ZERO;
    if (c && strchr("sSwWDhHvVNRX", c))
        return AT_ANY;
    if (c && (unsigned char)c < 0x80 && !strchr("abcdefghijklmnopqrstuvwxyz"
                                             "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", c)) {
        a->c = c;
        return AT_LIT;
    }
    x->bad = 1;
    return AT_END;
}

/* A bracket class: a literal if it holds one character or only digits. */
static int lx_class(lx *x, lx_atom *a)
{
    int neg = *x->p == '^', single = -1, count = 0, digits = 1;
    x->p += neg;
    const char *start = x->p;
    while (*x->p && (*x->p != ']' || x->p == start)) {
        char c = *x->p++, hi = c;
        if (c == '[' && *x->p == ':') {
            x->bad = 1;
            return AT_END;
        }
        if (c == '\\') {
            c = hi = *x->p ? *x->p++ : '\0';
            if (c == 'd') {
                c = '0';
                hi = '9';
            } else if (strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", c)) {
                digits = 0; /* \s \w ... : not a single known character */
                count += 2;
            }
        } else if (*x->p == '-' && x->p[1] && x->p[1] != ']') {
            hi = x->p[1] == '\\' ? '\0' : x->p[1];
            x->p += 2 + (x->p[1] == '\\');
        }
        digits &= c >= '0' && hi <= '9' && hi != '\0';
        count += 1 + (hi != c);
        single = c;
    }
    if (*x->p != ']') {
        x->bad = 1;
        return AT_END;
    }
    x->p++;
    if (neg || count == 0)
        return AT_ANY;
    if (digits) {
        a->c = '0';
        return AT_LIT;
    }
    if (count == 1) {
        a->c = (char)single;
        return AT_LIT;
    }
    return AT_ANY;
}

/* A group after its '(': its necessary set, or AT_ZERO for a lookaround. */
static int lx_group(lx *x, lx_atom *a)
{
    int look = 0;
    if (*x->p == '?') {
        const char *p = x->p + 1;
        if (*p == ':' || *p == '>' || *p == '|') {
            p++;
        } else if (*p == '=' || *p == '!') {
            p++;
            look = 1;
        } else if (*p == '<' && (p[1] == '=' || p[1] == '!')) {
            p += 2;
            look = 1;
        } else if (*p == '<' || *p == '\'' || (*p == 'P' && p[1] == '<')) {
            p += 1 + (*p == 'P');
            while (*p && *p != '>' && *p != '\'' && *p != ')')
                p++;
            if (*p != '>' && *p != '\'') {
                x->bad = 1;
                return AT_END;
            }
            p++;
        } else {
            x->bad = 1; /* inline options, comments, conditionals, ... */
            return AT_END;
        }
        x->p = p;
    } else if (*x->p == '*') {
        x->bad = 1;
        return AT_END;
    }
    x->depth++;
    a->ok = x->lead ? lx_lead_alt(x, &a->set, &a->exact) : lx_alt(x, &a->set);
    x->depth--;
    if (*x->p != ')') {
        x->bad = 1;
        return AT_END;
    }
    x->p++;
    if (look) {
        lit_free(&a->set);
        return AT_ZERO;
    }
    return AT_GROUP;
}

static int lx_atom_next(lx *x, lx_atom *a)
{
    char c = *x->p;
    if (c == '\0' || c == '|' || c == ')')
        return AT_END;
    x->p++;
    switch (c) {
    case '\\': return lx_escape(x, a);
    case '[':  return lx_class(x, a);
    case '(':  return lx_group(x, a);
    case '.':  return AT_ANY;
    case '^': case '$': return AT_ZERO;
    case '*': case '+': case '?': case '{':
        x->bad = 1;
        return AT_END;
    default:
        a->c = c;
        return AT_LIT;
    }
}

static unsigned lx_number(lx *x)
{
    unsigned v = 0;
    while (*x->p >= '0' && *x->p <= '9' && v < 100000)
        v = v * 10 + (unsigned)(*x->p++ - '0');
    return v;
}

/* Quantifier after an atom: *min, *max (UINT_MAX-ish for none). */
static void lx_quant(lx *x, unsigned *min, unsigned *max)
{
    *min = *max = 1;
    char c = *x->p;
    if (c == '?' || c == '*' || c == '+') {
        x->p++;
        *min = c == '+';
        *max = c == '?' ? 1 : 1000000;
    } else if (c == '{') {
        x->p++;
        *min = lx_number(x);
        *max = *min;
        if (*x->p == ',') {
            x->p++;
            *max = (*x->p >= '0' && *x->p <= '9') ? lx_number(x) : 1000000;
        }
        if (*x->p != '}') {
            x->bad = 1;
            return;
        }
        x->p++;
    } else {
        return;
    }
    if (*x->p == '?' || *x->p == '+')
        x->p++;
}

/* One branch of an alternation; 1 with *out if it has a necessary set. */
static int lx_seq_parse(lx *x, lit_set *out)
{
    lx_seq q = {0};
    q.skip = x->skip_first && x->depth == 0;
    for (;;) {
        lx_atom a = {0};
        int kind = lx_atom_next(x, &a);
        if (kind == AT_END) {
            lit_free(&a.set); /* a group cut short by bad syntax */
            break;
        }
        unsigned min, max;
        lx_quant(x, &min, &max);
        if (kind == AT_LIT && min > 0) {
            for (unsigned i = 0; i < min && q.rlen < LIT_MAX; i++)
                q.run[q.rlen++] = a.c;
            if (max != min)
                lx_flush(&q);
            continue;
        }
        lx_flush(&q);
        if (kind == AT_GROUP && a.ok && min > 0)
            lx_offer(&q, &a.set);
        else
            lit_free(&a.set);
    }
    lx_flush(&q);
    *out = q.best;
    return q.best.n > 0 && !x->bad;
}

static int lx_alt(lx *x, lit_set *out)
{
    int ok = 1;
    memset(out, 0, sizeof *out);
    for (;;) {
        lit_set branch;
        ok &= lx_seq_parse(x, &branch);
        if (ok)
            lit_move_all(out, &branch);
        else
            lit_free(&branch);
        if (*x->p != '|' || x->bad)
            break;
        x->p++;
    }
    if (!ok || x->bad)
        lit_free(out);
    return ok && !x->bad;
}

int lit_derive(const char *pat, lit_set *out)
{
    lx x = {pat, 0, 0, 0, 0};
    int ok = lx_alt(&x, out);
    if (!ok || *x.p != '\0') {
        lit_free(out);
        return -1;
    }
    return 0;
}

int lit_derive_rest(const char *pat, lit_set *out)
{
    lx x = {pat, 0, 0, 1, 0};
    int ok = lx_alt(&x, out);
    if (!ok || *x.p != '\0') {
        lit_free(out);
        return -1;
    }
    return 0;
}

/* Leading sets (lit_lead). A sequence's set is the product of its mandatory
 * pieces from the left, up to the first piece that is not a fixed literal
 * or an exact group (that piece still contributes its own leading set). */
#define LIT_LEAD_CAP 4096

/* cur := cur x add (each member of cur followed by each of add); 0 if the
 * product would grow too big or too long (cur is then left as it was). */
static int lx_cross(lit_set *cur, const lit_set *add)
{
    if (cur->n * add->n > LIT_LEAD_CAP)
        return 0;
    lit_set out = {0};
    char tmp[2 * LIT_MAX];
    for (size_t i = 0; i < cur->n; i++)
        for (size_t j = 0; j < add->n; j++) {
            size_t a = strlen(cur->s[i]), b = strlen(add->s[j]);
            memcpy(tmp, cur->s[i], a);
            memcpy(tmp + a, add->s[j], b);
            lit_add(&out, tmp, a + b); /* cut to LIT_MAX: still a prefix */
        }
    lit_free(cur);
    *cur = out;
    return 1;
}

/* Whether a member may have been cut to LIT_MAX (nothing may follow it). */
static int lx_long(const lit_set *set)
{
    for (size_t i = 0; i < set->n; i++)
        if (strlen(set->s[i]) >= LIT_MAX)
            return 1;
    return 0;
}

/* One branch in lead mode; 1 with *out (no empty member) on success. */
static int lx_lead_seq(lx *x, lit_set *out, int *exact)
{
    int open = 1;
    *exact = 1;
    memset(out, 0, sizeof *out);
    lit_add(out, "", 0);
    for (;;) {
        lx_atom a = {0};
        int kind = lx_atom_next(x, &a);
        if (kind == AT_END)
            break;
        unsigned min, max;
        lx_quant(x, &min, &max);
        if (!open || kind == AT_ZERO) {
            lit_free(&a.set);
            continue;
        }
        lit_set one = {0};
        if (kind == AT_LIT && min > 0) {
            char run[LIT_MAX];
            unsigned k = min < LIT_MAX ? min : LIT_MAX;
            memset(run, a.c, k);
            lit_add(&one, run, k);
        } else if (kind == AT_GROUP && a.ok && min > 0) {
            one = a.set;
            memset(&a.set, 0, sizeof a.set);
        }
        int fixed = one.n && max == min && (kind == AT_LIT || (a.exact && max == 1));
        if (!one.n || !lx_cross(out, &one) || !fixed || lx_long(out)) {
            open = 0;
            *exact = 0;
        }
        lit_free(&one);
        lit_free(&a.set);
    }
    int ok = !x->bad;
    for (size_t i = 0; i < out->n; i++)
        ok &= out->s[i][0] != '\0';
    *exact &= ok;
    return ok;
}

static int lx_lead_alt(lx *x, lit_set *out, int *exact)
{
    int ok = 1;
    *exact = 1;
    memset(out, 0, sizeof *out);
    for (;;) {
        lit_set branch;
        int ex;
        ok &= lx_lead_seq(x, &branch, &ex);
        *exact &= ex;
        if (ok && out->n + branch.n <= LIT_LEAD_CAP)
            lit_move_all(out, &branch);
        else
            ok = 0;
        lit_free(&branch);
        if (*x->p != '|' || x->bad)
            break;
        x->p++;
    }
    if (!ok || x->bad)
        lit_free(out);
    return ok && !x->bad;
}

int lit_lead(const char *pat, lit_set *out)
{
    lx x = {pat, 0, 1, 0, 0};
    int exact;
    int ok = lx_lead_alt(&x, out, &exact);
    if (!ok || *x.p != '\0') {
        lit_free(out);
        return -1;
    }
    return 0;
}
