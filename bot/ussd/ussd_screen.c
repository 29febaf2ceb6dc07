/* ussd_screen.c -- compose the screen of the USSD route's top (see
 * ussd_int.h): texts from messages keys with {var} placeholders, folded to
 * GSM-7 unless ussd.unicode, menus and lists numbered and paginated with
 * "98" / "0" / "00" lines, every screen cut to the budget. */
#include "bot/ussd/ussd_int.h"

#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "channels/sms.h"
#include "common/num.h"
#include "common/utf8.h"
#include "common/xmalloc.h"

#define USSD_PREFIX 4           /* "CON " / "END " */
#define USSD_ERR_RESERVE 30     /* room kept on every page for a title or an error */

/* s (n bytes) folded and counted: from the flow's memo, or in *tmp when
 * the cache is off or s is long (tmp->text is then the caller's). */
static const ussd_folded *ussd_folded_get(ussd_call *c, const char *s, size_t n,
                                          ussd_folded *tmp)
{
    int uni = c->f->d.cfg->ussd.unicode;
    if (ussd_cache_on(c))
        return ussd_cache_fold(c->f->cache, s, n, tmp);
    tmp->text = uni ? xstrndup(s, n) : sms_gsm_fold(s, n, &tmp->len);
    if (uni)
        tmp->len = n;
    tmp->units = ussd_units(tmp->text, tmp->len, uni);
    return tmp;
}

char *ussd_fold(ussd_call *c, const char *s)
{
    ussd_folded tmp;
    const ussd_folded *f = ussd_folded_get(c, s, strlen(s), &tmp);
    return f == &tmp ? tmp.text : xstrndup(f->text, f->len);
}

size_t ussd_budget(ussd_call *c)
{
    return (c->f->d.cfg->ussd.unicode ? USSD_SCREEN_UCS2 : USSD_SCREEN_MAX) - USSD_PREFIX;
}

static size_t ussd_u(ussd_call *c, const char *s)
{
    return ussd_units(s, strlen(s), c->f->d.cfg->ussd.unicode);
}

/* t with its {var} placeholders filled from the route's variables. */
static char *ussd_fill(ussd_call *c, const char *t)
{
    json_t *vars = ussd_vars(c);
    buf b = {0};
    for (const char *open; (open = strchr(t, '{'));) {
        buf_append(&b, t, (size_t)(open - t));
        t = open;
        const char *close = strchr(t, '}');
        json_t *v = NULL;
        if (close && close - t < 64) {
            char name[64];
            memcpy(name, t + 1, (size_t)(close - t - 1));
            name[close - t - 1] = '\0';
            v = json_object_get(vars, name);
        }
        if (json_is_string(v)) {
            buf_puts(&b, json_string_value(v));
            t = close + 1;
        } else {
            buf_putc(&b, *t++);
        }
    }
    buf_puts(&b, t);
    return buf_detach(&b, NULL);
}

char *ussd_text(ussd_call *c, const char *key)
{
    const char *t = messages_get(c->f->d.msgs, key, "vi");
    if (!strchr(t, '{'))
        return ussd_fold(c, t);
    char *raw = ussd_fill(c, t);
    char *out = ussd_fold(c, raw);
    free(raw);
    return out;
}

void ussd_set_result(ussd_call *c, const char *text)
{
    char *f = ussd_fold(c, text);
    char *more = ussd_text(c, "ussd.nav.more"), *back = ussd_text(c, "ussd.nav.back");
    char *home = ussd_text(c, "ussd.nav.home");
    size_t fa = ussd_u(c, more) + ussd_u(c, back), fb = ussd_u(c, back) + ussd_u(c, home);
    size_t foot = (fa > fb ? fa : fb) + 2, budget = ussd_budget(c);
    size_t room = budget > foot + USSD_ERR_RESERVE ? budget - foot - USSD_ERR_RESERVE : 1;
    ussd_pages pg;
    ussd_paginate(f, room, c->f->d.cfg->ussd.unicode, (size_t)c->f->d.cfg->ussd.max_pages, &pg);
    buf res = {0};
    for (size_t i = 0; i < pg.n; i++)
        if (utf8_valid(pg.page[i], strlen(pg.page[i])))    /* else left out, as json_string() did */
            ussd_strs_put(&res, pg.page[i]);
    ussd_strs_set(c, "res", &res);
    buf_free(&res);
    ussd_pages_free(&pg);
    free(f);
    free(more);
    free(back);
    free(home);
}

/* Body and footer joined, the body cut so that both fit with the header's
 * line break; *used gets their units and separators. Takes both. */
static char *ussd_tail(ussd_call *c, char *body, char *footer, size_t *used_out)
{
    size_t budget = ussd_budget(c), used = 0, parts = 0;
    size_t ub = body && *body ? ussd_u(c, body) : 0, uf = footer && *footer ? ussd_u(c, footer) : 0;
    int uni = c->f->d.cfg->ussd.unicode;
    if (body && *body) {
        used += ub;
        parts++;
    }
    if (footer && *footer) {
        used += uf;
        parts++;
    }
    if (used + parts > budget && body) {
        ussd_fit(body, budget > parts + uf ? budget - parts - uf : 0, uni);
        ub = ussd_u(c, body);
    }
    *used_out = ub + uf + parts;
    buf b = {0};
    const char *p[2] = {body, footer};
    for (int i = 0; i < 2; i++) {
        if (!p[i] || !*p[i])
            continue;
        if (b.len)
            buf_putc(&b, '\n');
        buf_puts(&b, p[i]);
    }
    free(body);
    free(footer);
    char *out = buf_detach(&b, NULL);
    return out ? out : xstrdup("");
}

/* The header (cut to what the tail leaves) above the tail, within the
 * budget. Takes both. */
static char *ussd_join_tail(ussd_call *c, char *header, char *tail, size_t used)
{
    size_t budget = ussd_budget(c);
    int uni = c->f->d.cfg->ussd.unicode;
    if (header)
        ussd_fit(header, used < budget ? budget - used : 0, uni);
    if (!header || !*header) {
        free(header);
        header = NULL;
    } else if (*tail) {
        buf b = {0};
        buf_puts(&b, header);
        buf_putc(&b, '\n');
        buf_puts(&b, tail);
        free(header);
        free(tail);
        tail = buf_detach(&b, NULL);
    } else {
        free(tail);
        tail = header;
    }
    if (used > budget) /* else header + tail fit already */
        ussd_fit(tail, budget, uni);
    return tail;
}

/* Join header (cut first), body and footer within the budget. Takes all. */
static char *ussd_join(ussd_call *c, char *header, char *body, char *footer)
{
    size_t used;
    char *tail = ussd_tail(c, body, footer, &used);
    return ussd_join_tail(c, header, tail, used);
}

/* Footer lines for nav keys (NULL-terminated). malloc'd. */
static char *ussd_footer(ussd_call *c, const char *k1, const char *k2)
{
    buf b = {0};
    const char *k[2] = {k1, k2};
    for (int i = 0; i < 2; i++) {
        if (!k[i])
            continue;
        char *t = ussd_text(c, k[i]);
        if (b.len)
            buf_putc(&b, '\n');
        buf_puts(&b, t);
        free(t);
    }
    char *out = buf_detach(&b, NULL);
    return out;
}

/* The header: error (if any) then the title; malloc'd. */
static char *ussd_header(ussd_call *c, const char *title)
{
    char *t = title ? ussd_text(c, title) : xstrdup("");
    if (!c->err)
        return t;
    char *e = ussd_text(c, c->err);
    buf b = {0};
    buf_puts(&b, e);
    if (*t) {
        buf_putc(&b, '\n');
        buf_puts(&b, t);
    }
    char *out = buf_detach(&b, NULL);
    free(e);
    free(t);
    return out;
}

/* Clamp the page to [0, npages): past the end shows the last with an error. */
static int ussd_clamp(ussd_call *c, int npages)
{
    int p = (int)json_integer_value(json_object_get(c->st, "p"));
    if (p >= npages) {
        p = npages > 0 ? npages - 1 : 0;
        c->err = "ussd.error.no_more";
        json_object_set_new(c->st, "p", json_integer(p));
    }
    return p < 0 ? 0 : p;
}

/* Numbered lines (folded labels), one malloc'd string each in *lines, and
 * the greedy page starts: start[p] for p < *np (at most 100 pages). */
static char **ussd_numbered(ussd_call *c, char **labels, size_t n, size_t *start, size_t *np)
{
    size_t budget = ussd_budget(c), used = 0;
    char *more = ussd_footer(c, "ussd.nav.more", "ussd.nav.back");
    size_t room = budget - ussd_u(c, more) - 1 - USSD_ERR_RESERVE;
    free(more);
    char **line = xcalloc(n + 1, sizeof(char *));
    start[0] = 0;
    *np = 1;
    for (size_t i = 0; i < n; i++) {
        char num[NUM_MAX];
        size_t k = num_format(num, (long long)i + 1), ll = strlen(labels[i]);
        line[i] = xmalloc(k + 2 + ll + 1);
        memcpy(line[i], num, k);
        memcpy(line[i] + k, ". ", 2);
        memcpy(line[i] + k + 2, labels[i], ll + 1);
        size_t u = ussd_u(c, line[i]) + 1;
        if (used && used + u > room && *np < 100) {
            start[(*np)++] = i;
            used = 0;
        }
        used += u;
    }
    return line;
}

/* Page p's lines joined (page starts as ussd_numbered() made them). */
static char *ussd_page_lines(char **line, size_t n, const size_t *start, size_t np, size_t p)
{
    size_t from = start[p], to = p + 1 < np ? start[p + 1] : n;
    buf b = {0};
    for (size_t i = from; i < to; i++) {
        if (b.len)
            buf_putc(&b, '\n');
        buf_puts(&b, line[i]);
    }
    return buf_detach(&b, NULL);
}

static void ussd_lines_free(char **line, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(line[i]);
    free(line);
}

/* The footer of page p of np: "more" unless last, "back" when deep. */
static char *ussd_lines_footer(ussd_call *c, size_t p, size_t np, int depth)
{
    return ussd_footer(c, p + 1 < np ? "ussd.nav.more" : NULL, depth ? "ussd.nav.back" : NULL);
}

/* Numbered lines (folded labels) paginated greedily. */
static char *ussd_lines(ussd_call *c, const ussd_screen *sc, char **labels, size_t n)
{
    size_t start[100], np;
    char **line = ussd_numbered(c, labels, n, start, &np);
    int p = ussd_clamp(c, (int)np);
    char *body = ussd_page_lines(line, n, start, np, (size_t)p);
    ussd_lines_free(line, n);
    int depth = ussd_strs_count(c, "s") > 1 || p > 0;
    char *footer = ussd_lines_footer(c, (size_t)p, np, depth);
    return ussd_join(c, ussd_header(c, sc->title), body, footer);
}

static char **ussd_menu_labels(ussd_call *c, const ussd_screen *sc)
{
    char **labels = xcalloc(sc->nitems + 1, sizeof(char *));
    for (size_t i = 0; i < sc->nitems; i++)
        labels[i] = ussd_text(c, sc->items[i].label);
    return labels;
}

void ussd_lines_layout(ussd_call *c, char **labels, size_t n, ussd_menu_layout *l)
{
    size_t start[100], np;
    char **line = ussd_numbered(c, labels, n, start, &np);
    l->npages = np;
    l->tail = xcalloc(2 * np, sizeof(char *));
    l->used = xcalloc(2 * np, sizeof(size_t));
    for (size_t p = 0; p < np; p++)
        for (int d = 0; d < 2; d++)
            l->tail[2 * p + (size_t)d] =
                ussd_tail(c, ussd_page_lines(line, n, start, np, p),
                          ussd_lines_footer(c, p, np, d), &l->used[2 * p + (size_t)d]);
    ussd_lines_free(line, n);
}

void ussd_menu_lines_layout(ussd_call *c, const ussd_screen *sc, ussd_menu_layout *l)
{
    char **labels = ussd_menu_labels(c, sc);
    ussd_lines_layout(c, labels, sc->nitems, l);
    ussd_lines_free(labels, sc->nitems);
}

/* A menu or list from its layout: the same text as ussd_lines(), only the
 * header made. */
static char *ussd_menu_cached(ussd_call *c, const ussd_screen *sc, const ussd_menu_layout *l)
{
    int p = ussd_clamp(c, (int)l->npages);
    int depth = ussd_strs_count(c, "s") > 1 || p > 0;
    size_t k = 2 * (size_t)p + (size_t)depth;
    return ussd_join_tail(c, ussd_header(c, sc->title), xstrdup(l->tail[k]), l->used[k]);
}

static char *ussd_menu_screen_text(ussd_call *c, const ussd_screen *sc)
{
    const ussd_menu_layout *l = ussd_cache_menu(c, sc);
    if (l)
        return ussd_menu_cached(c, sc, l);
    char **labels = ussd_menu_labels(c, sc);
    char *out = ussd_lines(c, sc, labels, sc->nitems);
    ussd_lines_free(labels, sc->nitems);
    return out;
}

static char *ussd_list_screen_text(ussd_call *c, const ussd_screen *sc)
{
    const char *it[2 * USSD_LIST_MAX], *labels[USSD_LIST_MAX];
    size_t n = ussd_strs_get(c, "it", it, 2 * USSD_LIST_MAX) / 2;
    for (size_t i = 0; i < n; i++)
        labels[i] = it[2 * i + 1];
    if (n == 0) {
        ussd_clamp(c, 1);
        return ussd_join(c, ussd_header(c, NULL), ussd_text(c, sc->empty),
                         ussd_footer(c, "ussd.nav.back", "ussd.nav.home"));
    }
    const ussd_menu_layout *l = ussd_cache_list(c, labels, n);
    if (l)
        return ussd_menu_cached(c, sc, l);
    char **folded = xcalloc(n, sizeof(char *));
    for (size_t i = 0; i < n; i++)
        folded[i] = ussd_fold(c, labels[i]);
    char *out = ussd_lines(c, sc, folded, n);
    ussd_lines_free(folded, n);
    return out;
}

static char *ussd_result_text(ussd_call *c, const ussd_screen *sc, int *end)
{
    size_t n = ussd_strs_count(c, "res");
    int p = ussd_clamp(c, n ? (int)n : 1);
    const char *page = ussd_strs_at(c, "res", (size_t)p);
    int last = (size_t)p + 1 >= n;
    char *footer;
    if (!last)
        footer = ussd_footer(c, "ussd.nav.more", "ussd.nav.back");
    else if (sc->end)
        footer = xstrdup("");
    else
        footer = ussd_footer(c, "ussd.nav.back", "ussd.nav.home");
    *end = last && sc->end;
    return ussd_join(c, ussd_header(c, NULL), xstrdup(page ? page : ""), footer);
}

char *ussd_compose(ussd_call *c, int *end)
{
    const ussd_screen *sc = ussd_top(c);
    *end = 0;
    switch (sc->type) {
    case USSD_END:
        *end = 1;
        return ussd_join(c, NULL, ussd_text(c, sc->title), NULL);
    case USSD_MENU:
        return ussd_menu_screen_text(c, sc);
    case USSD_LIST:
        return ussd_list_screen_text(c, sc);
    case USSD_INPUT:
        ussd_clamp(c, 1);
        return ussd_join(c, ussd_header(c, sc->title), NULL,
                         ussd_footer(c, "ussd.nav.back", NULL));
    case USSD_ACTION:
    default:
        return ussd_result_text(c, sc, end);
    }
}
