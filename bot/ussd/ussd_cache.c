/* ussd_cache.c -- what the USSD engine composes once instead of at every
 * request (see ussd_int.h "The flow's cache"): texts folded to GSM-7 and
 * counted, remembered by their content, and the numbered, paginated lines
 * and footers of every menu screen, made when the flow is created.
 *
 * Both are checked against the texts they came from, so a SIGHUP that
 * changes messages.vi.json shows the new texts at the next request: the
 * fold memo is keyed by the raw text itself; a menu's layout keeps a copy
 * of every raw text it used (its labels, the nav lines) and is made again
 * when one of them differs. Everything here is owned by the flow. */
#include "bot/ussd/ussd_int.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "channels/sms.h"
#include "common/xmalloc.h"

#define USSD_MEMO_SLOTS 512     /* folded texts kept (direct-mapped by hash) */
#define USSD_MEMO_MAX 512       /* longer texts are folded every time */

typedef struct ussd_memo_slot {
    char *raw;                  /* the text as given, or NULL (empty slot) */
    size_t rawlen;
    ussd_folded f;
} ussd_memo_slot;

struct ussd_cache {
    ussd_memo_slot memo[USSD_MEMO_SLOTS];
    int unicode;                /* the memo's texts are folded for this */
    ussd_menu_layout *menus;    /* by screen index; built only for menus */
    size_t nmenus;
};

static uint64_t ussd_hash(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
    return h;
}

static void ussd_folded_make(ussd_folded *f, const char *s, size_t n, int unicode)
{
    f->text = unicode ? xstrndup(s, n) : sms_gsm_fold(s, n, &f->len);
    if (unicode)
        f->len = n;
    f->units = ussd_units(f->text, f->len, unicode);
}

const ussd_folded *ussd_cache_fold(ussd_cache *k, const char *s, size_t n, ussd_folded *tmp)
{
    if (n > USSD_MEMO_MAX) {
        ussd_folded_make(tmp, s, n, k->unicode);
        return tmp;
    }
    ussd_memo_slot *e = &k->memo[ussd_hash(s, n) % USSD_MEMO_SLOTS];
    if (e->raw && e->rawlen == n && !memcmp(e->raw, s, n))
        return &e->f;
    free(e->raw);
    free(e->f.text);
    e->raw = xstrndup(s, n);
    e->rawlen = n;
    ussd_folded_make(&e->f, s, n, k->unicode);
    return &e->f;
}

static void ussd_layout_clear(ussd_menu_layout *l)
{
    for (size_t i = 0; i < l->ndeps; i++)
        free(l->deps[i]);
    for (size_t i = 0; i < 2 * l->npages; i++)
        free(l->tail[i]);
    free(l->tail);
    free(l->used);
    memset(l, 0, sizeof(*l));
}

/* The raw texts a menu's layout comes from: its labels, then the nav keys
 * its footers use. NULL-terminated in keys (at most 9 + 2). */
static size_t ussd_layout_keys(const ussd_screen *sc, const char **keys)
{
    size_t n = 0;
    for (size_t i = 0; i < sc->nitems; i++)
        keys[n++] = sc->items[i].label;
    keys[n++] = "ussd.nav.more";
    keys[n++] = "ussd.nav.back";
    return n;
}

static int ussd_layout_current(ussd_call *c, const ussd_menu_layout *l, const ussd_screen *sc)
{
    const char *keys[USSD_LAYOUT_DEPS];
    size_t n = ussd_layout_keys(sc, keys);
    if (n != l->ndeps)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (strcmp(messages_get(c->f->d.msgs, keys[i], "vi"), l->deps[i]))
            return 0;
    return 1;
}

/* Make the layout of menu sc from the current texts (0), or leave it
 * empty (-1: a label with a placeholder depends on the route). */
static int ussd_layout_make(ussd_call *c, ussd_menu_layout *l, const ussd_screen *sc)
{
    const char *keys[USSD_LAYOUT_DEPS];
    size_t n = ussd_layout_keys(sc, keys);
    ussd_layout_clear(l);
    for (size_t i = 0; i < n; i++)
        if (strchr(messages_get(c->f->d.msgs, keys[i], "vi"), '{'))
            return -1;
    for (size_t i = 0; i < n; i++)
        l->deps[l->ndeps++] = xstrdup(messages_get(c->f->d.msgs, keys[i], "vi"));
    ussd_menu_lines_layout(c, sc, l);
    l->ok = 1;
    return 0;
}

const ussd_menu_layout *ussd_cache_menu(ussd_call *c, const ussd_screen *sc)
{
    ussd_cache *k = c->f->cache;
    if (!k || sc->type != USSD_MENU || sc->index >= k->nmenus)
        return NULL;
    ussd_menu_layout *l = &k->menus[sc->index];
    if (l->ok && ussd_layout_current(c, l, sc))
        return l;
    return ussd_layout_make(c, l, sc) == 0 ? l : NULL;
}

ussd_cache *ussd_cache_new(ussd_flow *f)
{
    ussd_cache *k = xcalloc(1, sizeof(*k));
    const ussd_menu *m = f->d.menu;
    k->unicode = f->d.cfg->ussd.unicode;
    f->cache = k;
    if (!m)
        return k;
    k->nmenus = ussd_menu_nscreens(m);
    k->menus = xcalloc(k->nmenus ? k->nmenus : 1, sizeof(ussd_menu_layout));
    ussd_call c = {.f = f};
    for (size_t i = 0; i < k->nmenus; i++)
        (void)ussd_cache_menu(&c, ussd_menu_screen_at(m, i));
    return k;
}

void ussd_cache_free(ussd_cache *k)
{
    if (!k)
        return;
    for (size_t i = 0; i < USSD_MEMO_SLOTS; i++) {
        free(k->memo[i].raw);
        free(k->memo[i].f.text);
    }
    for (size_t i = 0; i < k->nmenus; i++)
        ussd_layout_clear(&k->menus[i]);
    free(k->menus);
    free(k);
}

void ussd_cache_off(ussd_flow *f, int off)
{
    f->no_cache = off;
}
