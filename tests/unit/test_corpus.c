/* test_corpus.c -- accuracy of the intent engine on the labelled corpora.
 *
 * Reads the corpora of tests/corpus/ and the shared development corpus
 * (../shared/corpus/intents-dev.tsv, or $DVCBOT_SHARED_CORPUS) -- lines
 * "text<TAB>intent<TAB>k=v;k=v" -- and classifies each text with
 * config/intents.json (rules and model). Each corpus has a floor: the
 * training corpora (the Makefile's TRAIN_CORPORA) and the shared one 95%,
 * tests/corpus/heldout.tsv, which the model never sees, 95% too. For every
 * case whose intent is right, the code/score entities must be exactly the
 * listed ones. Wrong intents are printed as TAP comments. Never a
 * destructive guess: no case labelled otherwise may come out unsubscribe.
 * Run from the repository root. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "intents/intents.h"
#include "t.h"

#define CORPUS_MIN_ACCURACY 0.95
#define CORPUS_HELDOUT_MIN 0.95

/* Entities of r as "k=v;k=v" in the corpus' key order. */
static void corpus_entities(const intent_result *r, char *out, size_t cap)
{
    size_t n = 0;
    out[0] = '\0';
#define CORPUS_PUT(...) n += (size_t)snprintf(out + n, n < cap ? cap - n : 0, __VA_ARGS__)
    if (r->dossier_code[0])
        CORPUS_PUT("%sdossier_code=%s", n ? ";" : "", r->dossier_code);
    if (r->procedure_code[0])
        CORPUS_PUT("%sprocedure_code=%s", n ? ";" : "", r->procedure_code);
    if (r->complaint_code[0])
        CORPUS_PUT("%scomplaint_code=%s", n ? ";" : "", r->complaint_code);
    if (r->score)
        CORPUS_PUT("%sscore=%d", n ? ";" : "", r->score);
#undef CORPUS_PUT
}

static void corpus_run(intents *in, const char *path, double floor, int required)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        T_OK(!required, "%s: not found", path);
        printf("# skipping %s (not found)\n", path);
        return;
    }
    char line[4096], got[256];
    int total = 0, right = 0, destructive = 0;
    intent_result r = {0};
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = '\0';
        char *text = line, *intent = strchr(line, '\t');
        if (line[0] == '#' || !intent)
            continue;
        *intent++ = '\0';
        char *ents = strchr(intent, '\t');
        if (ents)
            *ents++ = '\0';
        intents_classify(in, text, strlen(text), &r);
        total++;
        if (strcmp(intent_name(r.intent), intent) != 0) {
            printf("# %s: \"%s\": got %s, want %s\n", path, text, intent_name(r.intent), intent);
            destructive += r.intent == INTENT_UNSUBSCRIBE;
            continue;
        }
        right++;
        corpus_entities(&r, got, sizeof got);
        T_STREQ(got, ents ? ents : "", "%s: entities of \"%s\"", path, text);
    }
    fclose(f);
    intent_result_clear(&r);
    double acc = total ? (double)right / total : 0;
    printf("# %s: %d/%d intents right (%.1f%%)\n", path, right, total, 100 * acc);
    T_OK(total > 0 && acc >= floor, "%s: intent accuracy %.1f%% >= %.0f%%", path, 100 * acc,
         100 * floor);
    T_OK(destructive == 0, "%s: %d texts wrongly taken as unsubscribe", path, destructive);
}

int main(void)
{
    char err[512];
    intents *in = intents_load("config/intents.json", err, sizeof err);
    T_OK(in != NULL, "load config/intents.json (%s)", in ? "ok" : err);
    if (!in)
        return t_done();
    const char *shared = getenv("DVCBOT_SHARED_CORPUS");
    corpus_run(in, "tests/corpus/intents.tsv", CORPUS_MIN_ACCURACY, 1);
    corpus_run(in, "tests/corpus/citizens.tsv", CORPUS_MIN_ACCURACY, 1);
    corpus_run(in, "tests/corpus/complaints.tsv", CORPUS_MIN_ACCURACY, 1);
    corpus_run(in, "tests/corpus/heldout.tsv", CORPUS_HELDOUT_MIN, 1);
    corpus_run(in, shared && *shared ? shared : "../shared/corpus/intents-dev.tsv",
               CORPUS_MIN_ACCURACY, 0);
    intents_free(in);
    return t_done();
}
