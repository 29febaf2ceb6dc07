/* ussd_int.h -- internals shared by ussd_flow.c, ussd_screen.c and
 * ussd_actions.c (the USSD engine, see ussd_flow.h). Owner: [ussd].
 *
 * One ussd_call is the heap state of one request: it survives the route
 * load, list sources and actions (router or store calls) and the route
 * save, and is freed after the callback ran. Requests of one USSD session are
 * one turn at a time across instances: the route is read under its lease
 * and written with it (store/sessions.h), stored in store/sesscodec.h's
 * encoding. The route (st) is a JSON object:
 *   "s"  stack of screen ids (home first)     "v"  variables (strings)
 *   "p"  page of the top screen               "it" the top list's items (value, label)
 *   "res" the top action's result pages        "seen" the AT path handled
 *   "n"  inputs handled                        "last", "end"  the last screen (AT retries)
 *   "btn" the payloads of a procedure's cases  "picked" a case was picked
 *
 * The route's lists ("s", "it", "res", "btn") are each one string of
 * NUL-ended entries: "home\0procedures\0"; "it" a value and a label per
 * item, in order ("0\0Ho tich\0" "1\0Dat dai\0"...). Routes written before 2026-12-03
 * kept JSON arrays ([id, ...], [[value, label], ...], [page, ...],
 * [payload, ...]); ussd_route_upgrade() rewrites them as strings when the
 * route is loaded, and the next save stores the strings. An older instance
 * reading a route saved here finds no array "s" and starts that caller
 * afresh at home (docs/operations.md "Backups and upgrades"). */
#ifndef DVC_BOT_USSD_USSD_INT_H
#define DVC_BOT_USSD_USSD_INT_H

#include <jansson.h>

#include "bot/ussd/ussd_flow.h"
#include "common/buf.h"
#include "store/sessions.h"

typedef struct ussd_cache ussd_cache;

struct ussd_flow {
    ussd_flow_deps d;
    unsigned long turns;        /* lease tokens: store_instance() + ":u" + this */
    ussd_cache *cache;          /* ussd_cache.c, made by ussd_flow_new() */
    int no_cache;               /* 1: compose everything afresh (the unit test's reference) */
};

typedef struct ussd_call {
    ussd_flow *f;
    ussd_req req;
    char key[MSISDN_MAX + USSD_SESSION_MAX + 2];
    char token[SESSIONS_TOKEN_MAX + 1];
    int leased;                 /* the route's lease is (or may still be) token's */
    json_t *st;
    const char *err;            /* messages key of the error to show, or NULL */
    ussd_flow_fn *fn;
    void *ctx;
} ussd_call;

/* ussd_flow.c */
json_t *ussd_vars(ussd_call *c);
const ussd_screen *ussd_top(ussd_call *c);
/* Show the top screen (page st.p, error c->err), save the route, answer. */
void ussd_show(ussd_call *c);
/* Redis failed: answer 503 with the unavailable text, free the call. */
void ussd_flow_fail(ussd_call *c);
/* Go back one screen (no entry run), for a failed action. */
void ussd_pop(ussd_call *c);

/* ussd_route.c -- the route's lists (above). Entries are borrowed from the
 * route: valid until the list at key is set again. */
/* Up to max entries of the list at key in out; returns how many. */
size_t ussd_strs_get(ussd_call *c, const char *key, const char **out, size_t max);
/* The number of entries of the list at key (0: none, or no such list). */
size_t ussd_strs_count(ussd_call *c, const char *key);
/* Entry i of the list at key, or NULL past its end. */
const char *ussd_strs_at(ussd_call *c, const char *key, size_t i);
/* Append s and its NUL to a list being made in b. */
void ussd_strs_put(buf *b, const char *s);
/* The list at key becomes b's entries (the caller checked they are UTF-8);
 * an empty b deletes it. b stays the caller's. */
void ussd_strs_set(ussd_call *c, const char *key, const buf *b);
/* Drop the last entry of the list at key (none: nothing happens). */
void ussd_strs_drop_last(ussd_call *c, const char *key);
/* Rewrite the former array forms of the lists as strings (a route saved by
 * an earlier version); the string forms are left as they are. */
void ussd_route_upgrade(ussd_call *c);

/* ussd_screen.c */
/* The text of key with {var} placeholders from the route, folded unless
 * unicode; malloc'd. */
char *ussd_text(ussd_call *c, const char *key);
/* Fold a UTF-8 text unless unicode; malloc'd. */
char *ussd_fold(ussd_call *c, const char *s);
/* The screen budget in units (without "CON "). */
size_t ussd_budget(ussd_call *c);
/* Compose the top screen; *end set for final screens. malloc'd. */
char *ussd_compose(ussd_call *c, int *end);
/* Paginate a result text into st.res. */
void ussd_set_result(ussd_call *c, const char *text);

/* ussd_cache.c -- the flow's cache. A text folded (unless unicode) with its
 * length and units; owned by the cache (or by the caller for *tmp). */
typedef struct ussd_folded {
    char *text;
    size_t len, units;
} ussd_folded;

#define USSD_LAYOUT_DEPS 11     /* 9 labels + the two nav lines */

/* A menu screen's lines, paginated, with their footers: what ussd_lines()
 * would make for page p at depth d (0: home, first page), for any header. */
typedef struct ussd_menu_layout {
    int ok;                     /* 1: made from the texts in deps */
    char *deps[USSD_LAYOUT_DEPS];   /* copies of the raw texts it came from */
    size_t ndeps;
    size_t npages;
    char **tail;                /* [2 * p + d]: lines + footer, joined and fitted */
    size_t *used;               /* [2 * p + d]: their units + separators */
} ussd_menu_layout;

/* Make the cache and every menu's layout (sets f->cache). */
ussd_cache *ussd_cache_new(ussd_flow *f);
void ussd_cache_free(ussd_cache *k);
/* s (n bytes) folded and counted: remembered in k (valid until the next
 * call), or made in *tmp for a long text (tmp->text then the caller's). */
const ussd_folded *ussd_cache_fold(ussd_cache *k, const char *s, size_t n, ussd_folded *tmp);
/* The layout of menu sc, current with the texts; NULL when sc is not a
 * menu or a label has a placeholder. */
const ussd_menu_layout *ussd_cache_menu(ussd_call *c, const ussd_screen *sc);
/* The layout of the list screen showing st.it (n labels, borrowed),
 * remembered by the items and the nav texts it came from; NULL when the
 * cache is off. */
const ussd_menu_layout *ussd_cache_list(ussd_call *c, const char *const *labels, size_t n);
/* Set st.it to the n/2 (value, label) pairs in s (as ussd_item_put()
 * takes them): a new reference to a string shared with other routes
 * showing the same list (jansson strings are never changed in place here),
 * or made afresh when the cache is off. */
void ussd_cache_items(ussd_call *c, const char *const *s, size_t n);
/* Append value NUL label NUL to b, *n the items in b so far (counted up):
 * at most USSD_LIST_MAX; a text that is not UTF-8 leaves the item out. */
void ussd_item_put(buf *b, size_t *n, const char *value, const char *label);
#define USSD_LIST_MAX 97        /* 98 is "next page" */
/* 1 when the cache may be used (there, on, made for the current encoding). */
int ussd_cache_on(ussd_call *c);
/* 1: the flow composes every screen afresh, as without a cache (tests). */
void ussd_cache_off(ussd_flow *f, int off);

/* ussd_screen.c: fill l (empty) with menu sc's layout, composed afresh;
 * the same from n folded labels (borrowed). */
void ussd_menu_lines_layout(ussd_call *c, const ussd_screen *sc, ussd_menu_layout *l);
void ussd_lines_layout(ussd_call *c, char **labels, size_t n, ussd_menu_layout *l);

/* ussd_actions.c */
/* Fill st.it for a list screen, then ussd_show(). */
void ussd_list_enter(ussd_call *c, const ussd_screen *sc);
/* Run the action, then ussd_show() its result. */
void ussd_action_enter(ussd_call *c, const ussd_screen *sc);
/* Route a button payload (a case the caller picked on an action screen) as
 * a button press; the answer replaces the result, from its first page. */
void ussd_action_payload(ussd_call *c, const char *payload);
/* The same for a case the caller picked: its answer first, the other cases after. */
void ussd_action_pick(ussd_call *c, const char *payload);

#endif
