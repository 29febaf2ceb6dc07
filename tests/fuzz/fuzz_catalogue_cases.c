/* fuzz_catalogue_cases.c -- libFuzzer target: the split of a procedure's
 * documents by case (catalogue_cases, catalogue_case_pick). The input is a
 * list of documents, one a line, "name<TAB>note" (the note optional); the
 * last line is also the question. The cases must stay within their bounds
 * (at most CATALOGUE_CASES_MAX, labels NUL-terminated and shorter than
 * CATALOGUE_CASE_LABEL, every document's case 0..n), and the pick is -1 or
 * a case, on the sample catalogue with its synonyms.
 *
 * Run from the repository root (tests/fuzz/run.sh and replay.sh cd there). */
#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalogue/catalogue.h"
#include "intents/normalize.h"

#define FZ_DOCS 24

static catalogue *fz_sample;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[1024];
    if (!fz_sample &&
        !(fz_sample = catalogue_load("config/catalogue", "config/procedure-aspects.json", NULL, err,
                                     sizeof(err))))
        abort();
    char *text = malloc(size + 1);
    memcpy(text, data, size);
    text[size] = '\0';
    catalogue_doc docs[FZ_DOCS];
    size_t n = 0;
    char *last = text;
    for (char *line = text; line && n < FZ_DOCS;) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        char *tab = strchr(line, '\t');
        if (tab)
            *tab = '\0';
        docs[n++] = (catalogue_doc){.name = line, .originals = 1, .note = tab ? tab + 1 : NULL};
        last = line;
        line = nl ? nl + 1 : NULL;
    }
    catalogue_proc p = {.code = "9.999999", .name = "Thủ tục thử nghiệm", .docs = docs, .ndocs = n};
    catalogue_cases_t c;
    size_t k = catalogue_cases(&p, &c);
    if (k != c.n || k > CATALOGUE_CASES_MAX)
        abort();
    for (size_t i = 0; i < k; i++)
        if (!memchr(c.label[i], '\0', CATALOGUE_CASE_LABEL) || !c.label[i][0])
            abort();
    for (size_t i = 0; i < n && i < CATALOGUE_CASES_DOCS; i++)
        if (c.doc_case[i] > k)
            abort();
    size_t len = strlen(last);
    char *norm = malloc(len + 1);
    if (norm_text(last, len, norm, len + 1, NULL) == 0) {
        int pick = catalogue_case_pick(fz_sample, &p, &c, norm);
        if (pick < -1 || pick >= (int)k)
            abort();
    }
    free(norm);
    free(text);
    return 0;
}
