/* ussd_route.c -- the route's lists (see ussd_int.h "The route's lists"):
 * "s", "it", "res" and "btn" are each ONE string of NUL-ended entries, read
 * in place, instead of a JSON array of strings (or of [value, label]
 * arrays) that was built, encoded, decoded and freed as one object per
 * entry at every request (docs/performance.md "The USSD route's lists");
 * and the upgrade of a route written in the former array forms. */
#include "bot/ussd/ussd_int.h"

#include <string.h>

#include "common/strs.h"

/* The list at key, "" when missing (or not a string). */
static const char *ussd_strs_raw(ussd_call *c, const char *key, size_t *len)
{
    json_t *v = json_object_get(c->st, key);
    *len = json_string_length(v);
    return json_is_string(v) ? json_string_value(v) : "";
}

/* (The string's value ends with a NUL, as common/strs.h wants.) */
size_t ussd_strs_get(ussd_call *c, const char *key, const char **out, size_t max)
{
    size_t len;
    const char *p = ussd_strs_raw(c, key, &len);
    return strs_split(p, len, out, max);
}

size_t ussd_strs_count(ussd_call *c, const char *key)
{
    size_t len;
    const char *p = ussd_strs_raw(c, key, &len);
    return strs_split(p, len, NULL, 0);
}

const char *ussd_strs_at(ussd_call *c, const char *key, size_t i)
{
    size_t len;
    const char *p = ussd_strs_raw(c, key, &len);
    return strs_at(p, len, i);
}

void ussd_strs_put(buf *b, const char *s)
{
    buf_append(b, s, strlen(s) + 1);
}

void ussd_strs_set(ussd_call *c, const char *key, const buf *b)
{
    if (b->len)     /* UTF-8: the callers' texts are checked or ASCII */
        json_object_set_new(c->st, key, json_stringn_nocheck(b->data, b->len));
    else
        json_object_del(c->st, key);
}

void ussd_strs_drop_last(ussd_call *c, const char *key)
{
    size_t len;
    const char *p = ussd_strs_raw(c, key, &len);
    if (len)    /* the entries before the last, each with its NUL */
        json_object_set_new(c->st, key, json_stringn_nocheck(p, strs_drop_last(p, len)));
}

/* One entry of a former array: a string, or "" for anything else. */
static void ussd_old_put(buf *b, const json_t *e)
{
    ussd_strs_put(b, json_is_string(e) ? json_string_value(e) : "");
}

/* An array of strings (or, for "it", of [value, label]) as the string. */
static void ussd_upgrade_list(ussd_call *c, const char *key, int pairs)
{
    json_t *a = json_object_get(c->st, key), *e;
    size_t i;
    if (!json_is_array(a))
        return;
    buf b = {0};
    json_array_foreach(a, i, e) {
        if (pairs) {
            ussd_old_put(&b, json_array_get(e, 0));
            ussd_old_put(&b, json_array_get(e, 1));
        } else {
            ussd_old_put(&b, e);
        }
    }
    ussd_strs_set(c, key, &b);
    buf_free(&b);
}

void ussd_route_upgrade(ussd_call *c)
{
    ussd_upgrade_list(c, "s", 0);
    ussd_upgrade_list(c, "it", 1);
    ussd_upgrade_list(c, "res", 0);
    ussd_upgrade_list(c, "btn", 0);
}
