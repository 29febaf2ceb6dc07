/* fuzz_model.c -- libFuzzer target for the intent model file parser
 * (intents/model.c): arbitrary bytes are written to a private temporary file
 * and loaded; a model that loads must predict a probability distribution on
 * a few texts (finite, in [0, 1], summing to 1). */
#include "fuzz.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "intents/model.h"

static char fz_path[64];

static void fz_check(const model *m, const char *s)
{
    float p[INTENT__COUNT], sum = 0;
    model_predict(m, s, strlen(s), (int)INTENT_HELP, p);
    for (int i = 0; i < INTENT__COUNT; i++) {
        if (!isfinite(p[i]) || p[i] < 0 || p[i] > 1.0001f)
            abort();
        sum += p[i];
    }
    if (fabsf(sum - 1) > 1e-3f)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!fz_path[0]) {
        snprintf(fz_path, sizeof fz_path, "/tmp/fuzz_model.XXXXXX");
        int fd = mkstemp(fz_path);
        if (fd < 0)
            abort();
        close(fd);
    }
    FILE *f = fopen(fz_path, "w");
    if (!f)
        abort();
    fwrite(data, 1, size, f);
    fclose(f);
    char err[512];
    model *m = model_load(fz_path, err, sizeof err);
    if (m) {
        fz_check(m, "xin chao");
        fz_check(m, "");
        fz_check(m, "thu tuc dang ky khai sinh can giay to gi 000 00");
    } else if (!memchr(err, 0, sizeof err)) {
        abort();
    }
    model_free(m);
    return 0;
}
