/* fuzz_sesscodec.c -- libFuzzer target: sesscodec_decode (store/sesscodec.c),
 * the reader of every session and USSD route in Redis, must take any bytes
 * without crashing or reading out of bounds. Whatever it accepts must encode
 * again (version 1), decode again, and encode to the same bytes
 * (encode(decode(encode(v))) == encode(v); json_equal is not used: it stops
 * at a NUL byte in a key). */
#include "fuzz.h"
#include <stdlib.h>
#include <string.h>

#include "store/sesscodec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int legacy;
    json_t *v = sesscodec_decode((const char *)data, size, &legacy);
    if (!v)
        return 0;
    buf a = {0}, b = {0};
    if (sesscodec_encode(v, &a) < 0) {
        /* only a legacy JSON text may nest deeper than version 1 allows */
        if (!legacy)
            abort();
        json_decref(v);
        return 0;
    }
    int again;
    json_t *w = sesscodec_decode(a.data, a.len, &again);
    if (!w || again || sesscodec_encode(w, &b) < 0 || a.len != b.len ||
        memcmp(a.data, b.data, a.len))
        abort();
    json_decref(v);
    json_decref(w);
    buf_free(&a);
    buf_free(&b);
    return 0;
}
