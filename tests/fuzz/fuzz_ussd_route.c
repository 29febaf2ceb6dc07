/* fuzz_ussd_route.c -- libFuzzer target: any stored USSD route (the bytes of
 * store/sesscodec.h: corrupt, foreign, or saved by an earlier version with
 * its lists as JSON arrays) is upgraded and read through bot/ussd/
 * ussd_route.c's accessors without crashing, leaking or reading out of
 * bounds; after the upgrade no list is an array, and the accessors agree
 * with each other (count, get, at, drop of the last entry). */
#include "fuzz.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bot/ussd/ussd_int.h"
#include "store/sesscodec.h"

#define MAXE 64

static void fuzz_list(ussd_call *c, const char *key)
{
    const char *e[MAXE];
    if (strcmp(key, "v") && json_is_array(json_object_get(c->st, key)))
        abort();    /* the upgrade left an array ("v" is no list: read as none) */
    size_t n = ussd_strs_get(c, key, e, MAXE), count = ussd_strs_count(c, key);
    if (n != (count < MAXE ? count : MAXE) || ussd_strs_at(c, key, count))
        abort();
    for (size_t i = 0; i < n; i++)
        if (ussd_strs_at(c, key, i) != e[i])
            abort();
    ussd_strs_drop_last(c, key);
    if (ussd_strs_count(c, key) != (count ? count - 1 : 0))
        abort();
    buf b = {0};
    ussd_strs_put(&b, "home");
    ussd_strs_set(c, key, &b);
    if (ussd_strs_count(c, key) != 1)
        abort();
    buf_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *st = sesscodec_decode((const char *)data, size, NULL);
    if (json_is_object(st)) {
        ussd_call c = {.st = st};
        ussd_route_upgrade(&c);
        static const char *const keys[] = {"s", "it", "res", "btn", "v"};
        for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
            fuzz_list(&c, keys[i]);
    }
    json_decref(st);
    return 0;
}
