/* commands.h -- the subcommands of bot/main.c. Each takes argv from its own
 * name on and returns the process exit status. */
#ifndef DVC_BOT_CMD_COMMANDS_H
#define DVC_BOT_CMD_COMMANDS_H

int cmd_serve(int argc, char **argv);
int cmd_check_config(int argc, char **argv);
int cmd_keys(int argc, char **argv);        /* bot/cmd_keys.c */
int cmd_catalogue(int argc, char **argv);   /* bot/cmd_catalogue.c */

/* Value of "--config FILE" in argv, or the default path. Returns NULL and
 * prints a message if an option is not known. */
const char *cmd_config_arg(int argc, char **argv);

#endif
