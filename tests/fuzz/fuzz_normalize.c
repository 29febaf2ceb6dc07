/* fuzz_normalize.c -- libFuzzer target for intents/normalize.c and the
 * UTF-8 primitives under it (common/utf8.c). On arbitrary bytes norm_text,
 * norm_text_map and utf8_fold must not crash; norm_text and norm_text_map
 * (two fold loops, by design) must give the same text; all three must agree
 * on validity with utf8_valid and never grow the text; the map stays in
 * bounds; normalising the folded text gives the same result as normalising
 * the text (the fold is exactly the normaliser's, without case and spacing). */
#include "fuzz.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/utf8.h"
#include "intents/normalize.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *in = (const char *)data;
    char *a = malloc(size + 1), *b = malloc(size + 1), *f = malloc(size + 1);
    size_t *map = malloc((size + 1) * sizeof *map);
    size_t na = 0, nb = 0, nf = 0;
    int ra = norm_text(in, size, a, size + 1, &na);
    int rb = norm_text_map(in, size, b, size + 1, &nb, map);
    if (ra != rb || (ra == 0 && (na != nb || na > size || memcmp(a, b, na) != 0 || strlen(a) != na)))
        abort();
    for (size_t k = 0; ra == 0 && k <= nb; k++)
        if (map[k] > size)
            abort();
    int rf = utf8_fold(in, size, f, size + 1, &nf);
    if (rf != ra || (ra == 0) != utf8_valid(in, size) || (rf == 0 && nf > size))
        abort();
    if (rf == 0 && (norm_text(f, nf, b, size + 1, &nb) != 0 || nb != na || memcmp(a, b, na) != 0))
        abort();
    unsigned cp;
    if (size && utf8_next(in, size, &cp) > (int)size)
        abort();
    free(a);
    free(b);
    free(f);
    free(map);
    return 0;
}
