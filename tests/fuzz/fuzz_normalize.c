/* fuzz_normalize.c -- libFuzzer target for intents/normalize.c: norm_text,
 * norm_text_map and norm_fold on arbitrary bytes must not crash, must agree
 * with each other, and must never grow the text. */
#include "fuzz.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "intents/normalize.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *in = (const char *)data;
    char *a = malloc(size + 1), *b = malloc(size + 1);
    size_t *map = malloc((size + 1) * sizeof *map);
    size_t na = 0, nb = 0;
    int ra = norm_text(in, size, a, size + 1, &na);
    int rb = norm_text_map(in, size, b, size + 1, &nb, map);
    if (ra != rb || (ra == 0 && (na != nb || na > size || memcmp(a, b, na) != 0 || strlen(a) != na)))
        abort();
    for (size_t k = 0; ra == 0 && k <= nb; k++)
        if (map[k] > size)
            abort();
    if (norm_fold(in, size, b, size + 1, &nb) != ra || (ra == 0 && nb > size))
        abort();
    unsigned cp;
    if (size && norm_utf8_next(in, size, &cp) > (int)size)
        abort();
    free(a);
    free(b);
    free(map);
    return 0;
}
