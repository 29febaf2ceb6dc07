/* fuzz_zalo.c -- libFuzzer target: the Zalo OA adapter (channels/zalo.c)
 * through the shared push-channel checks of fuzz_push.h, plus the access-token
 * answer parser. */
#include "fuzz.h"

#include "channels/zalo.h"
#include "tests/fuzz/fuzz_push.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_push_input(&zalo_adapter, CHANNEL_ZALO, data, size);
    char *a, *r;
    long ex;
    if (zalo_parse_token((const char *)data, size, &a, &r, &ex) == 0) {
        free(a);
        free(r);
    }
    return 0;
}
