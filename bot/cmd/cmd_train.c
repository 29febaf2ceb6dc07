/* cmd_train.c -- the `train` subcommand (see cmd_train.h): parse options,
 * load the rules, call intents_train and put the model file in place. */
#include "bot/cmd/cmd_train.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "intents/intents.h"
#include "common/xmalloc.h"

static int train_usage(void)
{
    fprintf(stderr, "usage: dvcbot train [--rules FILE] [--out FILE] [--epochs N] [--rate R] "
                    "[--l2 L] [--min-count N] CORPUS.tsv...\n");
    return 2;
}

/* Options into o/rules/out; the corpora stay in argv. Returns the index of
 * the first corpus, or -1 on a usage error. */
static int train_opts(int argc, char **argv, intents_train_opts *o, const char **rules,
                      const char **out)
{
    int i = 1;
    for (; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        char *end = NULL;
        if (!v)
            return -1;
        if (!strcmp(argv[i], "--rules"))
            *rules = v;
        else if (!strcmp(argv[i], "--out"))
            *out = v;
        else if (!strcmp(argv[i], "--epochs"))
            o->epochs = (int)strtol(v, &end, 10);
        else if (!strcmp(argv[i], "--rate"))
            o->rate = strtof(v, &end);
        else if (!strcmp(argv[i], "--l2"))
            o->l2 = strtof(v, &end);
        else if (!strcmp(argv[i], "--min-count"))
            o->min_count = (int)strtol(v, &end, 10);
        else
            return -1;
        if (end && (*end || end == v))
            return -1;
        i++;
    }
    if (o->epochs < 1 || o->rate <= 0 || o->l2 < 0 || o->min_count < 1 || i >= argc)
        return -1;
    return i;
}

int cmd_train(int argc, char **argv)
{
    intents_train_opts o = {.epochs = 30, .rate = 0.3f, .l2 = 1e-5f, .min_count = 2};
    const char *rules = "config/intents.json", *out = NULL;
    int first = train_opts(argc, argv, &o, &rules, &out);
    if (first < 0)
        return train_usage();
    char err[512];
    intents *in = intents_load_rules(rules, err, sizeof err);
    if (!in) {
        fprintf(stderr, "dvcbot train: %s\n", err);
        return 1;
    }
    char *tmp = NULL;
    FILE *f = stdout;
    if (out) {
        tmp = xmalloc(strlen(out) + 8);
        sprintf(tmp, "%s.tmp", out);
        if (!(f = fopen(tmp, "w"))) {
            fprintf(stderr, "dvcbot train: %s: cannot create\n", tmp);
            free(tmp);
            intents_free(in);
            return 1;
        }
    }
    int rc = intents_train(in, (const char *const *)argv + first, (size_t)(argc - first), &o, f,
                           err, sizeof err);
    if (rc < 0)
        fprintf(stderr, "dvcbot train: %s\n", err);
    if (out) {
        if (fclose(f) != 0 && rc == 0) {
            fprintf(stderr, "dvcbot train: %s: write failed\n", tmp);
            rc = -1;
        }
        if (rc == 0 && rename(tmp, out) != 0) {
            fprintf(stderr, "dvcbot train: %s: cannot rename to %s\n", tmp, out);
            rc = -1;
        }
        if (rc < 0)
            remove(tmp);
    }
    free(tmp);
    intents_free(in);
    return rc < 0 ? 1 : 0;
}
