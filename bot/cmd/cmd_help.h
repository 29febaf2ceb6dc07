/* cmd_help.h -- the table of dvcbot's subcommands with their help texts,
 * `dvcbot --help`, `dvcbot CMD --help` and `dvcbot version`.
 *
 * The table is the one list of commands and options: bot/main.c dispatches
 * through it, docs/dvcbot.1 (the man page) documents the same options and
 * tests/integration/test_firstrun.py checks that every option the man page
 * names appears in the command's --help. Texts are static strings. */
#ifndef DVC_BOT_CMD_CMD_HELP_H
#define DVC_BOT_CMD_CMD_HELP_H

#include <stdio.h>

typedef struct cmd_entry {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;    /* one line for `dvcbot --help` */
    const char *usage;      /* every form and option, for `dvcbot CMD --help` */
} cmd_entry;

/* The command called name, or NULL. */
const cmd_entry *cmd_find(const char *name);

/* `dvcbot --help`: every command with its summary, the configuration and
 * the environment. Returns 0 when out is stdout, else 2 (a usage error). */
int cmd_help_main(FILE *out);

/* `dvcbot CMD --help` (on stdout): returns 0. */
int cmd_help_command(const cmd_entry *c);

/* 1 when argv[1..argc) holds --help or -h (the command's help is wanted). */
int cmd_wants_help(int argc, char **argv);

/* `dvcbot version`: "dvcbot VERSION" on stdout, VERSION being `git describe`
 * of the source at build time (build/gen/bot/cmd/version.h). */
int cmd_version(int argc, char **argv);

#endif
