/* main.c -- dvcbot's command line: one subcommand per job, dispatched
 * through the table of bot/cmd/cmd_help.c (`dvcbot --help` lists it; the
 * man page is docs/dvcbot.1).
 *
 *   dvcbot serve         run the gateway (HTTP, WebSocket) until SIGINT/SIGTERM
 *   dvcbot classify      classify stdin lines, one JSON object per line
 *   dvcbot train         fit the intent model on labelled corpora
 *   dvcbot check-config  validate every configuration file
 *   dvcbot keys, catalogue, version, help */
#include <stdio.h>
#include <string.h>

#include "bot/cmd/cmd_help.h"

int main(int argc, char **argv)
{
    if (argc < 2)
        return cmd_help_main(stderr);
    const char *name = argv[1];
    if (!strcmp(name, "--help") || !strcmp(name, "-h") || !strcmp(name, "help")) {
        const cmd_entry *c = argc > 2 ? cmd_find(argv[2]) : NULL;
        return c ? cmd_help_command(c) : cmd_help_main(stdout);
    }
    if (!strcmp(name, "--version"))
        name = "version";
    const cmd_entry *c = cmd_find(name);
    if (!c || !c->run) {
        fprintf(stderr, "dvcbot: unknown command '%s'\n", name);
        return cmd_help_main(stderr);
    }
    if (cmd_wants_help(argc - 1, argv + 1))
        return cmd_help_command(c);
    return c->run(argc - 1, argv + 1);
}
