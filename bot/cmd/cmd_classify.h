/* cmd_classify.h -- `dvcbot classify`: classify stdin lines, JSON lines out.
 *
 *   dvcbot classify [--config FILE] [--rules FILE] [--all]
 *
 * --config names dvcbot.json (default config/dvcbot.json); the rules file is
 * its files.intents (or $DVCBOT_FILES_INTENTS), relative to the config file's
 * directory. --rules names the intents file directly. Without either, and
 * when the default config file is absent, config/intents.json is used.
 * --all also prints the query and text entities and the runner-up intent.
 *
 * Output, one line per input line, in order (SPEC.md):
 *   {"text": "...", "intent": "...", "confidence": 0.97, "entities": {...}}
 * (with --all, "alternative" and "alternative_confidence" follow
 * "confidence").
 * A line that is not valid UTF-8 gives intent "unknown" and its text with
 * U+FFFD for the bad bytes. */
#ifndef DVC_BOT_CMD_CMD_CLASSIFY_H
#define DVC_BOT_CMD_CMD_CLASSIFY_H

/* argv[0] is the subcommand name ("classify"). Returns the exit status:
 * 0, 1 on a configuration error, 2 on a usage error. */
int cmd_classify(int argc, char **argv);

#endif
