/* ussd_menu.c -- load and check the USSD menu tree (see ussd_menu.h).
 *
 * Strings point into the parsed JSON, which the menu keeps until it is
 * freed. Patterns are compiled with PCRE2 (UTF, anchored by the author) and
 * matched with match and depth limits, so no input can backtrack for long. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "bot/ussd/ussd_menu.h"

#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/dossiers.h"
#include "common/xmalloc.h"

struct ussd_menu {
    json_t *root;
    ussd_screen *screens;
    size_t nscreens;
    ussd_item *items;           /* every menu's items, one array */
    ussd_agency *agencies;
    size_t nagencies;
    const ussd_screen *home;
    pcre2_match_data *md;
    pcre2_match_context *mctx;
    const ussd_screen **index;  /* screens by id hash, open addressing, nindex slots */
    size_t nindex;
};

typedef struct ussd_load {
    ussd_menu *m;
    const messages *msgs;
    const char *path;
    char *err;
    size_t errlen;
} ussd_load;

static const char *const ussd_sources[] = {"my_dossiers", "my_returned", "my_open", "my_due",
                                           "agencies", "fields", "procedures", NULL};
static const char *const ussd_actions[] = {"dossier_status", "dossier_status_parts",
                                           "procedure_info", "complaint_file",
                                           "complaint_status", "rating", "subscribe",
                                           "payment", "payment_sms", NULL};

static size_t ussd_id_hash(const char *id)
{
    size_t h = 5381;
    for (; *id; id++)
        h = h * 33 + (unsigned char)*id;
    return h;
}

/* The id index (twice the screens, a power of two). */
static void ussd_index(ussd_menu *m)
{
    m->nindex = 8;
    while (m->nindex < 2 * m->nscreens)
        m->nindex *= 2;
    m->index = xcalloc(m->nindex, sizeof(*m->index));
    for (size_t i = 0; i < m->nscreens; i++) {
        size_t k = ussd_id_hash(m->screens[i].id) & (m->nindex - 1);
        while (m->index[k])
            k = (k + 1) & (m->nindex - 1);
        m->index[k] = &m->screens[i];
    }
}

static int ussd_in(const char *const *list, const char *s)
{
    for (size_t i = 0; s && list[i]; i++)
        if (!strcmp(list[i], s))
            return 1;
    return 0;
}

static int ussd_bad(ussd_load *l, const char *jpath, const char *problem)
{
    snprintf(l->err, l->errlen, "%s: %s: %s", l->path, jpath, problem);
    return -1;
}

/* A required string member that is a messages key (when msgs is known). */
static int ussd_key(ussd_load *l, json_t *o, const char *name, const char *jp, const char **out)
{
    char p[256];
    snprintf(p, sizeof(p), "%s.%s", jp, name);
    json_t *v = json_object_get(o, name);
    if (!json_is_string(v) || !json_string_length(v))
        return ussd_bad(l, p, "expected a non-empty string");
    *out = json_string_value(v);
    if (l->msgs && messages_get(l->msgs, *out, "vi") == *out)
        return ussd_bad(l, p, "not a key of the messages file");
    return 0;
}

static int ussd_str(ussd_load *l, json_t *o, const char *name, const char *jp, const char **out)
{
    char p[256];
    snprintf(p, sizeof(p), "%s.%s", jp, name);
    json_t *v = json_object_get(o, name);
    if (!json_is_string(v) || !json_string_length(v))
        return ussd_bad(l, p, "expected a non-empty string");
    *out = json_string_value(v);
    return 0;
}

static int ussd_items(ussd_load *l, ussd_screen *sc, json_t *o, const char *jp, size_t *used)
{
    json_t *arr = json_object_get(o, "items");
    char p[256];
    snprintf(p, sizeof(p), "%s.items", jp);
    if (!json_is_array(arr) || json_array_size(arr) == 0 || json_array_size(arr) > 9)
        return ussd_bad(l, p, "expected an array of 1 to 9 items");
    sc->items = l->m->items + *used;
    sc->nitems = json_array_size(arr);
    for (size_t i = 0; i < sc->nitems; i++) {
        ussd_item *it = &l->m->items[(*used)++];
        json_t *e = json_array_get(arr, i), *set = json_object_get(e, "set");
        snprintf(p, sizeof(p), "%s.items[%zu]", jp, i);
        if (ussd_key(l, e, "label", p, &it->label) < 0 || ussd_str(l, e, "next", p, &it->next) < 0)
            return -1;
        const char *k;
        json_t *v;
        if (set && !json_is_object(set))
            return ussd_bad(l, p, "set: expected an object");
        json_object_foreach(set, k, v)
            if (!json_is_string(v))
                return ussd_bad(l, p, "set: values must be strings");
        it->set = set;
    }
    return 0;
}

static int ussd_pattern(ussd_load *l, ussd_screen *sc, json_t *o, const char *jp)
{
    const char *pat;
    char p[256];
    snprintf(p, sizeof(p), "%s.pattern", jp);
    if (ussd_str(l, o, "pattern", jp, &pat) < 0)
        return -1;
    int ec;
    PCRE2_SIZE off;
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED,
                                   PCRE2_UTF | PCRE2_NO_UTF_CHECK, &ec, &off, NULL);
    if (!re) {
        PCRE2_UCHAR msg[200];
        char what[300];
        pcre2_get_error_message(ec, msg, sizeof(msg));
        snprintf(what, sizeof(what), "bad pattern at offset %zu: %s", (size_t)off, (char *)msg);
        return ussd_bad(l, p, what);
    }
    sc->re = re;
    return 0;
}

static int ussd_screen_load(ussd_load *l, ussd_screen *sc, json_t *o, size_t *used)
{
    char jp[200];
    snprintf(jp, sizeof(jp), "screens.%s", sc->id);
    const char *type;
    if (!json_is_object(o))
        return ussd_bad(l, jp, "expected an object");
    if (ussd_str(l, o, "type", jp, &type) < 0)
        return -1;
    if (!strcmp(type, "menu")) {
        sc->type = USSD_MENU;
        return ussd_key(l, o, "title", jp, &sc->title) < 0 ? -1 : ussd_items(l, sc, o, jp, used);
    }
    if (!strcmp(type, "end")) {
        sc->type = USSD_END;
        return ussd_key(l, o, "title", jp, &sc->title);
    }
    if (!strcmp(type, "action")) {
        sc->type = USSD_ACTION;
        sc->end = json_is_true(json_object_get(o, "end"));
        if (ussd_str(l, o, "action", jp, &sc->action) < 0)
            return -1;
        return ussd_in(ussd_actions, sc->action) ? 0 : ussd_bad(l, jp, "unknown action");
    }
    if (ussd_key(l, o, "title", jp, &sc->title) < 0 || ussd_str(l, o, "var", jp, &sc->var) < 0 ||
        ussd_str(l, o, "next", jp, &sc->next) < 0)
        return -1;
    if (!strcmp(type, "list")) {
        sc->type = USSD_LIST;
        if (ussd_str(l, o, "source", jp, &sc->source) < 0 || ussd_key(l, o, "empty", jp, &sc->empty) < 0)
            return -1;
        return ussd_in(ussd_sources, sc->source) ? 0 : ussd_bad(l, jp, "unknown source");
    }
    if (!strcmp(type, "input")) {
        sc->type = USSD_INPUT;
        return ussd_key(l, o, "error", jp, &sc->error) < 0 ? -1 : ussd_pattern(l, sc, o, jp);
    }
    return ussd_bad(l, jp, "type: expected menu, list, input, action or end");
}

/* Every "next" names a screen; the home exists. */
static int ussd_links(ussd_load *l, const char *home)
{
    ussd_menu *m = l->m;
    char jp[256];
    if (!(m->home = ussd_menu_screen(m, home)))
        return ussd_bad(l, "home", "names no screen");
    for (size_t i = 0; i < m->nscreens; i++) {
        const ussd_screen *sc = &m->screens[i];
        snprintf(jp, sizeof(jp), "screens.%s.next", sc->id);
        if (sc->next && !ussd_menu_screen(m, sc->next))
            return ussd_bad(l, jp, "names no screen");
        for (size_t k = 0; k < sc->nitems; k++) {
            snprintf(jp, sizeof(jp), "screens.%s.items[%zu].next", sc->id, k);
            if (!ussd_menu_screen(m, sc->items[k].next))
                return ussd_bad(l, jp, "names no screen");
        }
    }
    return 0;
}

static int ussd_agencies(ussd_load *l, json_t *arr)
{
    if (!json_is_array(arr) || json_array_size(arr) == 0 || json_array_size(arr) > 97)
        return ussd_bad(l, "agencies", "expected an array of 1 to 97 agencies");
    l->m->nagencies = json_array_size(arr);
    l->m->agencies = xcalloc(l->m->nagencies, sizeof(ussd_agency));
    for (size_t i = 0; i < l->m->nagencies; i++) {
        char jp[64], code[96];
        ussd_agency *a = &l->m->agencies[i];
        snprintf(jp, sizeof(jp), "agencies[%zu]", i);
        json_t *e = json_array_get(arr, i);
        if (ussd_str(l, e, "id", jp, &a->id) < 0 || ussd_key(l, e, "label", jp, &a->label) < 0)
            return -1;
        snprintf(code, sizeof(code), "%s-240101-0001", a->id);
        if (!ids_dossier_code_valid(code))
            return ussd_bad(l, jp, "id: not an agency e-id");
    }
    return 0;
}

static int ussd_parse(ussd_load *l)
{
    ussd_menu *m = l->m;
    json_t *screens = json_object_get(m->root, "screens");
    const char *home, *id;
    json_t *o;
    if (!json_is_object(m->root))
        return ussd_bad(l, "(root)", "expected an object");
    if (ussd_str(l, m->root, "home", "(root)", &home) < 0)
        return -1;
    if (!json_is_object(screens) || json_object_size(screens) == 0)
        return ussd_bad(l, "screens", "expected a non-empty object");
    if (ussd_agencies(l, json_object_get(m->root, "agencies")) < 0)
        return -1;
    size_t nitems = 0, used = 0;
    json_object_foreach(screens, id, o)
        nitems += json_array_size(json_object_get(o, "items"));
    m->items = xcalloc(nitems + 1, sizeof(ussd_item));
    m->screens = xcalloc(json_object_size(screens), sizeof(ussd_screen));
    json_object_foreach(screens, id, o) {
        ussd_screen *sc = &m->screens[m->nscreens];
        sc->index = m->nscreens++;
        sc->id = id;
        if (ussd_screen_load(l, sc, o, &used) < 0)
            return -1;
    }
    ussd_index(m);
    return ussd_links(l, home);
}

ussd_menu *ussd_menu_load(const char *path, const messages *msgs, char *err, size_t errlen)
{
    json_error_t je;
    ussd_menu *m = xcalloc(1, sizeof(*m));
    ussd_load l = {m, msgs, path, err, errlen};
    m->root = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
    if (!m->root) {
        snprintf(err, errlen, "%s: line %d: %s", path, je.line, je.text);
        ussd_menu_free(m);
        return NULL;
    }
    if (ussd_parse(&l) < 0) {
        ussd_menu_free(m);
        return NULL;
    }
    m->md = pcre2_match_data_create(4, NULL);
    m->mctx = pcre2_match_context_create(NULL);
    pcre2_set_match_limit(m->mctx, 100000);
    pcre2_set_depth_limit(m->mctx, 1000);
    return m;
}

void ussd_menu_free(ussd_menu *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->nscreens; i++)
        pcre2_code_free(m->screens[i].re);
    pcre2_match_data_free(m->md);
    pcre2_match_context_free(m->mctx);
    free(m->screens);
    free(m->index);
    free(m->items);
    free(m->agencies);
    json_decref(m->root);
    free(m);
}

const ussd_screen *ussd_menu_home(const ussd_menu *m) { return m->home; }
size_t ussd_menu_nagencies(const ussd_menu *m) { return m->nagencies; }
size_t ussd_menu_nscreens(const ussd_menu *m) { return m->nscreens; }

const ussd_agency *ussd_menu_agency(const ussd_menu *m, size_t i)
{
    return i < m->nagencies ? &m->agencies[i] : NULL;
}

const ussd_screen *ussd_menu_screen_at(const ussd_menu *m, size_t i)
{
    return i < m->nscreens ? &m->screens[i] : NULL;
}

const ussd_screen *ussd_menu_screen(const ussd_menu *m, const char *id)
{
    if (!id || !m->index)
        return NULL;
    for (size_t k = ussd_id_hash(id) & (m->nindex - 1); m->index[k]; k = (k + 1) & (m->nindex - 1))
        if (!strcmp(m->index[k]->id, id))
            return m->index[k];
    return NULL;
}

int ussd_menu_match(const ussd_menu *m, const ussd_screen *sc, const char *s, size_t n)
{
    if (!sc->re)
        return 0;
    int rc = pcre2_match(sc->re, (PCRE2_SPTR)s, n, 0, PCRE2_NO_UTF_CHECK, m->md, m->mctx);
    return rc >= 0;
}
