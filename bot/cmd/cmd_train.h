/* cmd_train.h -- `dvcbot train`: fit the intent model on labelled corpora.
 *
 *   dvcbot train [--rules FILE] [--out FILE] [--epochs N] [--rate R] [--l2 L]
 *                [--min-count N] CORPUS.tsv...
 *
 * --rules names the intents file whose rules are a feature (default
 * config/intents.json; its current model is not used). The model is written
 * to --out (default: stdout), through a temporary file renamed into place.
 * Same corpora and options, same file (docs/intents.md). */
#ifndef DVC_BOT_CMD_CMD_TRAIN_H
#define DVC_BOT_CMD_CMD_TRAIN_H

/* argv[0] is "train". Returns 0, 1 on a data or I/O error, 2 on a usage error. */
int cmd_train(int argc, char **argv);

#endif
