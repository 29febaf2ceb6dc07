/* fuzz_classify.c -- libFuzzer target for the whole classifier: loads
 * config/intents.json once (run from the repository root, or set
 * DVCBOT_INTENTS) and classifies arbitrary bytes; checks the result is
 * well-formed (known intent, score 0..5, NUL-terminated codes). */
#include "fuzz.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "intents/intents.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static intents *fz_in;

static void fz_check(const intent_result *r)
{
    if ((unsigned)r->intent >= INTENT__COUNT || r->score < 0 || r->score > 5 ||
        !memchr(r->dossier_code, 0, sizeof r->dossier_code) ||
        !memchr(r->procedure_code, 0, sizeof r->procedure_code) ||
        !memchr(r->complaint_code, 0, sizeof r->complaint_code))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!fz_in) {
        char err[512];
        const char *path = getenv("DVCBOT_INTENTS");
        fz_in = intents_load(path ? path : "config/intents.json", err, sizeof err);
        if (!fz_in) {
            fprintf(stderr, "fuzz_classify: %s\n", err);
            abort();
        }
    }
    intent_result r = {0};
    int rc = intents_classify(fz_in, (const char *)data, size, &r);
    if (rc != 0 && r.intent != INTENT_UNKNOWN)
        abort();
    fz_check(&r);
    intents_entities(fz_in, (const char *)data, size, &r);
    fz_check(&r);
    intent_result_clear(&r);
    return 0;
}
