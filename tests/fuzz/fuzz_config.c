/* fuzz_config.c -- libFuzzer target: dvcbot.json loading (bot/config.c,
 * config_load_buf) must take any bytes without crashing or leaking; a
 * failure always says why, and a loaded config is within the schema's
 * ranges. Env overrides are not set here (run.sh runs with a clean set). */
#include "fuzz.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bot/app/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[512] = "";
    config *c = config_load_buf((const char *)data, size, "fuzz/dvcbot.json", err, sizeof(err));
    if (!c) {
        if (!err[0])
            abort(); /* a failure must say why */
        return 0;
    }
    if (c->http.port < 1 || c->http.port > 65535 || !c->http.bind || !c->files.messages ||
        strncmp(c->path, "fuzz/dvcbot.json", 17))
        abort();
    config_free(c);
    return 0;
}
