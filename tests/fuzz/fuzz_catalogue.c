/* fuzz_catalogue.c -- libFuzzer target: the procedure catalogue's question
 * path and its vocabulary file. The first byte picks the mode:
 *
 *   even: the rest is a citizen's message; once normalised (as the dialog
 *         does) catalogue_ask() on the sample catalogue with its synonyms
 *         must not crash or overflow its fixed buffers, and its answer must
 *         be consistent (hits only for answer/choose, at most 3, one per
 *         level group, words shorter than the buffer);
 *   odd:  the rest is a synonyms file (config/synonyms.json schema), loaded
 *         with a one-procedure catalogue: it loads or fails saying why, and
 *         a loaded one answers a question.
 *
 * Run from the repository root (tests/fuzz/run.sh and replay.sh cd there). */
#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "catalogue/catalogue.h"
#include "intents/normalize.h"

static catalogue *fz_sample;

static void fz_check(const catalogue *c, const char *text, size_t n)
{
    char *norm = malloc(n + 1);
    if (norm_text(text, n, norm, n + 1, NULL) == 0) {
        catalogue_answer a;
        catalogue_ask(c, norm, &a);
        int shows = a.verdict == CATALOGUE_ANSWER || a.verdict == CATALOGUE_CHOOSE;
        if (a.nhits > CATALOGUE_ASK_MAX || a.nfound > CATALOGUE_ASK_MAX || (a.nhits && !shows) ||
            (shows && !a.nhits) || strlen(a.words) >= sizeof(a.words) ||
            (unsigned)a.aspect >= CATALOGUE_ASPECT__COUNT || a.level < -1 || a.level > 3)
            abort();
        for (size_t i = 0; i < a.nhits; i++)
            for (size_t j = 0; j < i; j++)
                for (size_t k = 0; catalogue_variant(c, a.hits[i].proc, k); k++)
                    if (catalogue_variant(c, a.hits[i].proc, k) == a.hits[j].proc)
                        abort();    /* one hit per level group */
    }
    free(norm);
}

static void fz_synonyms(const uint8_t *data, size_t size)
{
    char dir[] = "/tmp/dvc-fz-cat-XXXXXX", path[3][64], err[1024] = "";
    if (!mkdtemp(dir))
        return;
    static const char *const names[] = {"syn.json", "asp.json", "cat.json"};
    for (int i = 0; i < 3; i++)
        snprintf(path[i], sizeof(path[i]), "%s/%s", dir, names[i]);
    FILE *f = fopen(path[0], "wb");
    if (f) {
        fwrite(data, 1, size, f);
        fclose(f);
    }
    if ((f = fopen(path[1], "w")) != NULL) {
        fputs("{\"synonyms\": \"syn.json\", \"aspects\": {\"fee\": [\"lệ phí\"]}, "
              "\"question_words\": [\"cần\", \"gì\"]}", f);
        fclose(f);
    }
    if ((f = fopen(path[2], "w")) != NULL) {
        fputs("{\"procedures\": [{\"code\": \"1.000001\", \"name\": \"Cấp lại thẻ căn cước (thực hiện "
              "tại cấp tỉnh)\", \"aliases\": [\"mất căn cước\"], \"field\": \"Căn cước\", \"level\": "
              "\"tinh\", \"agency\": \"Công an tỉnh\", \"documents\": [{\"name\": \"Tờ khai\", "
              "\"originals\": 1, \"copies\": 0}], \"steps\": [\"Nộp.\"], \"processing_time\": "
              "{\"days\": 7, \"working_days\": true, \"text\": \"07 ngày\"}, \"fees\": "
              "[{\"amount_vnd\": 70000, \"text\": \"70.000 đồng\"}], \"channels\": [\"direct\"], "
              "\"online_level\": 2, \"legal_basis\": [\"Luật Căn cước\"], \"result\": \"Thẻ\"}]}", f);
        fclose(f);
    }
    const char *files[] = {path[2]};
    catalogue *c = catalogue_load_files(files, 1, path[1], NULL, err, sizeof(err));
    if (!c && !err[0])
        abort();    /* a failure must say why */
    if (c) {
        static const char q[] = "mất cccd cần gì, lệ phí bao nhiêu ở cấp tỉnh";
        fz_check(c, q, sizeof(q) - 1);
        catalogue_free(c);
    }
    for (int i = 0; i < 3; i++)
        unlink(path[i]);
    rmdir(dir);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!size)
        return 0;
    if (data[0] & 1) {
        fz_synonyms(data + 1, size - 1);
        return 0;
    }
    if (!fz_sample) {
        char err[1024];
        fz_sample = catalogue_load("config/catalogue", "config/procedure-aspects.json", NULL, err,
                                   sizeof(err));
        if (!fz_sample) {
            fprintf(stderr, "fuzz_catalogue: %s (run from the repository root)\n", err);
            abort();
        }
    }
    fz_check(fz_sample, (const char *)data + 1, size - 1);
    return 0;
}
