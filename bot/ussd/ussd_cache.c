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
 * the route) is remembered the same way, keyed by the nav texts and the
 * items string (st.it, ussd_int.h), for the lists shown most (the
 * catalogue's fields and procedures), and so is that st.it string itself,
 * shared by reference. Everything here is owned by the flow. */
#include "bot/ussd/ussd_int.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "channels/sms.h"
#include "common/buf.h"
#include "common/utf8.h"
#include "common/xmalloc.h"

#define USSD_MEMO_SLOTS 512     /* folded texts kept (direct-mapped by hash) */
#define USSD_MEMO_MAX 512       /* longer texts are folded every time */
#define USSD_LIST_SLOTS 64      /* list layouts kept (direct-mapped by hash) */

typedef struct ussd_items_slot {
    json_t *items;              /* a list's st.it string, its own key */
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

/* The list's layout made from its n labels into slot e (key taken). */
static void ussd_list_make(ussd_call *c, ussd_list_slot *e, const char *const *raw, size_t n,
                           char *key, size_t keylen)
{
    char **labels = xcalloc(n + 1, sizeof(char *));
    free(e->key);
    ussd_layout_clear(&e->l);
    e->key = key;
    e->keylen = keylen;
    for (size_t i = 0; i < n; i++)
        labels[i] = ussd_fold(c, raw[i]);
    ussd_lines_layout(c, labels, n, &e->l);
    e->l.ok = 1;
    for (size_t i = 0; i < n; i++)
        free(labels[i]);
    free(labels);
}

const ussd_menu_layout *ussd_cache_list(ussd_call *c, const char *const *labels, size_t n)
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
    json_t *items = json_object_get(c->st, "it");   /* its labels are in it */
    ussd_key_put(b, json_string_value(items), json_string_length(items));
    ussd_list_slot *e = &c->f->cache->lists[ussd_hash(b->data, b->len) % USSD_LIST_SLOTS];
    if (e->key && e->keylen == b->len && !memcmp(e->key, b->data, b->len))
        return &e->l;
    char *key = xmalloc(b->len + 1);
    memcpy(key, b->data, b->len);
    ussd_list_make(c, e, labels, n, key, b->len);
    return &e->l;
}

void ussd_item_put(buf *b, size_t *n, const char *value, const char *label)
{
    value = value ? value : "";
    label = label ? label : "";
    if (*n >= USSD_LIST_MAX || !utf8_valid(value, strlen(value)) ||
        !utf8_valid(label, strlen(label)))
        return;     /* not UTF-8: left out, as json_string() did */
    ussd_strs_put(b, value);
    ussd_strs_put(b, label);
    (*n)++;
}

/* st.it made afresh from the pairs, each checked. */
static void ussd_items_make(ussd_call *c, const char *const *s, size_t n)
{
    buf b = {0};
    size_t count = 0;
    for (size_t i = 0; i + 1 < n; i += 2)
        ussd_item_put(&b, &count, s[i], s[i + 1]);
    ussd_strs_set(c, "it", &b);
    buf_free(&b);
}

void ussd_cache_items(ussd_call *c, const char *const *s, size_t n)
{
    if (!ussd_cache_on(c) || n == 0) {
        ussd_items_make(c, s, n);
        return;
    }
    buf *b = &c->f->cache->key;     /* the pairs as st.it holds them, unchecked */
    buf_reset(b);
    for (size_t i = 0; i < n - n % 2 && i < 2 * USSD_LIST_MAX; i++)
        ussd_strs_put(b, s[i]);
    ussd_items_slot *e = &c->f->cache->items[ussd_hash(b->data, b->len) % USSD_LIST_SLOTS];
    if (!e->items || json_string_length(e->items) != b->len ||
        memcmp(json_string_value(e->items), b->data, b->len)) {
        if (!utf8_valid(b->data, b->len)) {     /* a text left out: not kept */
            ussd_items_make(c, s, n);
            return;
        }
        json_decref(e->items);
        e->items = json_stringn_nocheck(b->data, b->len);
    }
    json_object_set(c->st, "it", e->items);
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
