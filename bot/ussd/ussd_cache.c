/* ussd_cache.c -- what the USSD engine composes once instead of at every
 * request (see ussd_int.h "The flow's cache"): texts folded to GSM-7 and
 * counted, remembered by their content, and the numbered, paginated lines
 * and footers of every menu screen, made when the flow is created.
 *
 * Both are checked against the texts they came from, so a SIGHUP that
 * changes messages.vi.json shows the new texts at the next request: the
 * fold memo is keyed by the raw text itself; a menu's layout keeps a copy
 * of every raw text it used (its labels, the nav lines) and is made again
 * when one of them differs. A list screen's layout (its items come with
 * the route) is remembered the same way, keyed by the raw labels and nav
 * texts, for the lists shown most (the catalogue's fields and procedures). Everything here is owned by the flow. */
#include "bot/ussd/ussd_int.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "channels/sms.h"
#include "common/buf.h"
#include "common/xmalloc.h"

#define USSD_MEMO_SLOTS 512     /* folded texts kept (direct-mapped by hash) */
#define USSD_MEMO_MAX 512       /* longer texts are folded every time */
#define USSD_LIST_SLOTS 64      /* list layouts kept (direct-mapped by hash) */

typedef struct ussd_items_slot {
    char *key;                  /* the pairs, length-prefixed */
    size_t keylen;
    json_t *items;
} ussd_items_slot;

typedef struct ussd_list_slot {
    char *key;                  /* the raw texts it came from, length-prefixed */
    size_t keylen;
    ussd_menu_layout l;
} ussd_list_slot;

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
    ussd_list_slot lists[USSD_LIST_SLOTS];
    ussd_items_slot items[USSD_LIST_SLOTS];
    buf key;                    /* scratch for the lists' keys (kept allocated) */
};

/* A hash for the direct-mapped tables (a hit is always checked in full):
 * eight bytes a step. */
static uint64_t ussd_hash(const char *s, size_t n)
{
    uint64_t h = 0x9E3779B97F4A7C15ULL ^ n;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        h = (h ^ w) * 0xFF51AFD7ED558CCDULL;
        h ^= h >> 32;
    }
    for (; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
    return h ^ (h >> 29);
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

int ussd_cache_on(ussd_call *c)
{
    const ussd_cache *k = c->f->cache;
    return k && !c->f->no_cache && k->unicode == c->f->d.cfg->ussd.unicode;
}

const ussd_menu_layout *ussd_cache_menu(ussd_call *c, const ussd_screen *sc)
{
    ussd_cache *k = c->f->cache;
    if (!ussd_cache_on(c) || sc->type != USSD_MENU || sc->index >= k->nmenus)
        return NULL;
    ussd_menu_layout *l = &k->menus[sc->index];
    if (l->ok && ussd_layout_current(c, l, sc))
        return l;
    return ussd_layout_make(c, l, sc) == 0 ? l : NULL;
}

static void ussd_key_put(buf *b, const char *s, size_t n)
{
    uint32_t len = (uint32_t)n;
    buf_append(b, &len, sizeof(len));
    buf_append(b, s, n);
}

/* The list's layout made from its folded labels into slot e (key taken). */
static void ussd_list_make(ussd_call *c, ussd_list_slot *e, json_t *items, char *key, size_t n)
{
    size_t count = json_array_size(items);
    char **labels = xcalloc(count + 1, sizeof(char *));
    free(e->key);
    ussd_layout_clear(&e->l);
    e->key = key;
    e->keylen = n;
    for (size_t i = 0; i < count; i++)
        labels[i] = ussd_fold(c, json_string_value(json_array_get(json_array_get(items, i), 1)));
    ussd_lines_layout(c, labels, count, &e->l);
    e->l.ok = 1;
    for (size_t i = 0; i < count; i++)
        free(labels[i]);
    free(labels);
}

const ussd_menu_layout *ussd_cache_list(ussd_call *c, json_t *items)
{
    if (!ussd_cache_on(c))
        return NULL;
    buf *b = &c->f->cache->key;
    buf_reset(b);
    const char *nav[2] = {"ussd.nav.more", "ussd.nav.back"};
    for (int i = 0; i < 2; i++) {
        const char *t = messages_get(c->f->d.msgs, nav[i], "vi");
        ussd_key_put(b, t, strlen(t));
    }
    for (size_t i = 0; i < json_array_size(items); i++) {
        json_t *l = json_array_get(json_array_get(items, i), 1);
        if (!json_is_string(l))
            return NULL;
        ussd_key_put(b, json_string_value(l), json_string_length(l));
    }
    ussd_list_slot *e = &c->f->cache->lists[ussd_hash(b->data, b->len) % USSD_LIST_SLOTS];
    if (e->key && e->keylen == b->len && !memcmp(e->key, b->data, b->len))
        return &e->l;
    char *key = xmalloc(b->len + 1);
    memcpy(key, b->data, b->len);
    ussd_list_make(c, e, items, key, b->len);
    return &e->l;
}

void ussd_item_add(json_t *items, const char *value, const char *label)
{
    if (json_array_size(items) >= USSD_LIST_MAX)
        return;
    json_t *v = json_string(value ? value : ""), *l = json_string(label ? label : "");
    if (!v || !l) { /* not UTF-8: left out, as json_pack() did */
        json_decref(v);
        json_decref(l);
        return;
    }
    json_t *e = json_array();
    json_array_append_new(e, v);
    json_array_append_new(e, l);
    json_array_append_new(items, e);
}

static json_t *ussd_items_make(const char *const *s, size_t n)
{
    json_t *items = json_array();
    for (size_t i = 0; i + 1 < n; i += 2)
        ussd_item_add(items, s[i], s[i + 1]);
    return items;
}

json_t *ussd_cache_items(ussd_call *c, const char *const *s, size_t n)
{
    if (!ussd_cache_on(c) || n == 0)
        return ussd_items_make(s, n);
    buf *b = &c->f->cache->key;
    buf_reset(b);
    for (size_t i = 0; i < n; i++)
        ussd_key_put(b, s[i], strlen(s[i]));
    ussd_items_slot *e = &c->f->cache->items[ussd_hash(b->data, b->len) % USSD_LIST_SLOTS];
    if (!e->key || e->keylen != b->len || memcmp(e->key, b->data, b->len)) {
        free(e->key);
        json_decref(e->items);
        e->key = xmalloc(b->len + 1);
        memcpy(e->key, b->data, b->len);
        e->keylen = b->len;
        e->items = ussd_items_make(s, n);
    }
    return json_incref(e->items);
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
    for (size_t i = 0; i < USSD_LIST_SLOTS; i++) {
        free(k->items[i].key);
        json_decref(k->items[i].items);
        free(k->lists[i].key);
        ussd_layout_clear(&k->lists[i].l);
    }
    free(k->menus);
    buf_free(&k->key);
    free(k);
}

void ussd_cache_off(ussd_flow *f, int off)
{
    f->no_cache = off;
}
