/* test_corpus.c -- accuracy of the intent engine on the labelled corpora.
 *
 * Reads tests/corpus/intents.tsv and the shared development corpus
 * (../shared/corpus/intents-dev.tsv, or $DVCBOT_SHARED_CORPUS) -- lines
 * "text<TAB>intent<TAB>k=v;k=v" -- and classifies each text with
 * config/intents.json. Every case's code/score entities must be exactly the
 * listed ones; at least 95% of intents must be right. Wrong intents are
 * printed as TAP comments. Run from the repository root. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "intents/intents.h"
#include "t.h"

#define CORPUS_MIN_ACCURACY 0.95

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

static void corpus_run(intents *in, const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        printf("# skipping %s (not found)\n", path);
        return;
    }
    char line[4096], got[256];
    int total = 0, right = 0;
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
        if (strcmp(intent_name(r.intent), intent) == 0)
            right++;
        else
            printf("# %s: \"%s\": got %s, want %s\n", path, text, intent_name(r.intent), intent);
        corpus_entities(&r, got, sizeof got);
        T_STREQ(got, ents ? ents : "", "%s: entities of \"%s\"", path, text);
    }
    fclose(f);
    intent_result_clear(&r);
    double acc = total ? (double)right / total : 0;
    printf("# %s: %d/%d intents right (%.1f%%)\n", path, right, total, 100 * acc);
    T_OK(total > 0 && acc >= CORPUS_MIN_ACCURACY, "%s: intent accuracy %.1f%% >= %.0f%%",
         path, 100 * acc, 100 * CORPUS_MIN_ACCURACY);
}

int main(void)
{
    char err[512];
    intents *in = intents_load("config/intents.json", err, sizeof err);
    T_OK(in != NULL, "load config/intents.json (%s)", in ? "ok" : err);
    if (!in)
        return t_done();
    const char *shared = getenv("DVCBOT_SHARED_CORPUS");
    corpus_run(in, "tests/corpus/intents.tsv");
    corpus_run(in, shared && *shared ? shared : "../shared/corpus/intents-dev.tsv");
    intents_free(in);
    return t_done();
}
