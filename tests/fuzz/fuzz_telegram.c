/* fuzz_telegram.c -- libFuzzer target: the Telegram adapter (channels/telegram.c)
 * through the shared push-channel checks of fuzz_push.h. */
#include "fuzz.h"

#include "channels/telegram.h"
#include "tests/fuzz/fuzz_push.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_push_input(&telegram_adapter, CHANNEL_TELEGRAM, data, size);
    return 0;
}
