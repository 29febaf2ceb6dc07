/* fuzz_http_gate.c -- libFuzzer target: the request scanner that runs before
 * lws (bot/http/http_gate_scan.c) must take any bytes, cut into reads of any
 * sizes, without crashing or reading/writing out of bounds, never produce
 * more than HG_ROOM bytes over its input, hold at most HG_HOLD_MAX bytes,
 * and pass a stream unchanged when it flags nothing. */
#include "fuzz.h"
#include <stdlib.h>
#include <string.h>

#include "bot/http/http_gate_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    /* the first byte chooses the read sizes */
    size_t step = (size_t)data[0] % 61 + 1;
    data++, size--;
    hg_scan s;
    hg_init(&s);
    unsigned char *in = malloc(size + HG_HOLD_MAX + 1), *out = malloc(size + HG_HOLD_MAX + HG_ROOM + 1);
    unsigned char *all = malloc(size * 2 + HG_ROOM * 2 + 64);
    size_t total = 0, pos = 0;
    while (pos < size) {
        size_t k = size - pos < step ? size - pos : step;
        size_t h = s.hold_len;
        memcpy(in, s.hold, h);
        memcpy(in + h, data + pos, k);
        pos += k;
        size_t w = hg_feed(&s, in, h + k, out);
        if (w > h + k + HG_ROOM || s.hold_len > HG_HOLD_MAX)
            abort();
        if (total + w <= size * 2 + HG_ROOM * 2 + 64) {
            memcpy(all + total, out, w);
            total += w;
        }
        step = step % 7 + 1 + (data[pos - 1] & 3);
    }
    /* nothing flagged, nothing injected: lws gets exactly what came (less a
     * held tail) */
    if (!s.rewritten && total + s.hold_len == size && memcmp(all, data, total))
        abort();
    free(in);
    free(out);
    free(all);
    return 0;
}
