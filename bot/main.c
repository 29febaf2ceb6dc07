/* main.c -- dvcbot's command line: one subcommand per job.
 *
 *   dvcbot serve         run the gateway (HTTP, WebSocket) until SIGINT/SIGTERM
 *   dvcbot classify      classify stdin lines, one JSON object per line
 *   dvcbot train         fit the intent model on labelled corpora
 *   dvcbot check-config  validate every configuration file */
#include <stdio.h>
#include <string.h>

#include "bot/cmd/cmd_classify.h"
#include "bot/cmd/cmd_train.h"
#include "bot/cmd/commands.h"

static const struct {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *help;
} main_commands[] = {
    {"serve", cmd_serve, "run the gateway until SIGINT/SIGTERM [--config FILE] [--insecure-channels]"},
    {"classify", cmd_classify, "read UTF-8 lines on stdin, write one JSON intent per line [--config FILE]"},
    {"train", cmd_train, "fit the intent model: train [--rules FILE] [--out FILE] CORPUS.tsv..."},
    {"check-config", cmd_check_config, "validate every configuration file [--config FILE]"},
    {"keys", cmd_keys, "agency API keys: keys create --agency E-ID [--name NAME]"},
    {"catalogue", cmd_catalogue, "procedure catalogue: catalogue import FILE [--replace] | catalogue search WORDS..."},
};
#define MAIN_NCOMMANDS (sizeof(main_commands) / sizeof(main_commands[0]))

static int main_usage(FILE *out)
{
    fprintf(out, "usage: dvcbot <command> [options]\n\ncommands:\n");
    for (size_t i = 0; i < MAIN_NCOMMANDS; i++)
        fprintf(out, "  %-14s %s\n", main_commands[i].name, main_commands[i].help);
    fprintf(out, "\nConfiguration: config/dvcbot.json (or $DVCBOT_CONFIG); every setting can be\n"
                 "overridden by DVCBOT_<SECTION>_<KEY>, e.g. DVCBOT_HTTP_PORT=9000.\n");
    return out == stdout ? 0 : 2;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return main_usage(stderr);
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help"))
        return main_usage(stdout);
    for (size_t i = 0; i < MAIN_NCOMMANDS; i++)
        if (!strcmp(argv[1], main_commands[i].name))
            return main_commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "dvcbot: unknown command '%s'\n", argv[1]);
    return main_usage(stderr);
}
