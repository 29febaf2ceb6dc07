/* cmd_check.c -- `dvcbot check-config`: validate every configuration file and
 * name the file, the JSON path and the problem of each error. Also home of
 * the option parsing shared by the subcommands. */
#include <stdio.h>
#include <string.h>

#include "catalogue/catalogue.h"
#include "bot/cmd/commands.h"
#include "bot/app/config.h"
#include "bot/app/messages.h"
#include "bot/ussd/ussd_menu.h"
#include "intents/intents.h"

const char *cmd_config_arg(int argc, char **argv)
{
    const char *path = config_default_path();
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--config") && i + 1 < argc) {
            path = argv[++i];
        } else {
            fprintf(stderr, "dvcbot %s: unknown option '%s'\n", argv[0], argv[i]);
            return NULL;
        }
    }
    return path;
}

static void check_on_error(void *arg, const char *line)
{
    (void)arg;
    fprintf(stderr, "error: %s\n", line);
}

/* The procedure catalogue and its question words: every error, one a line. */
static int check_catalogue(const config *cfg)
{
    char err[1024];
    catalogue_opts o = {.on_error = check_on_error, .max_errors = 50};
    catalogue *cat = catalogue_load(cfg->files.catalogue, cfg->files.procedure_aspects, &o, err,
                                    sizeof(err));
    if (!cat)
        return 1;   /* every error was printed by check_on_error */
    printf("ok: %s (%zu procedures, %zu fields), %s\n", cfg->files.catalogue,
           catalogue_count(cat), catalogue_nfields(cat), cfg->files.procedure_aspects);
    catalogue_free(cat);
    return 0;
}

int cmd_check_config(int argc, char **argv)
{
    const char *path = cmd_config_arg(argc, argv);
    if (!path)
        return 2;
    char err[512];
    int errors = 0;
    config *cfg = config_load(path, err, sizeof(err));
    if (!cfg) {
        fprintf(stderr, "error: %s\n", err);
        return 1;
    }
    messages *m = messages_load(cfg->files.messages, err, sizeof(err));
    if (!m) {
        fprintf(stderr, "error: %s\n", err);
        errors++;
    }
    intents *in = intents_load(cfg->files.intents, err, sizeof(err));
    if (!in) {
        fprintf(stderr, "error: %s\n", err);
        errors++;
    }
    errors += check_catalogue(cfg);
    ussd_menu *um = ussd_menu_load(cfg->files.ussd, m, err, sizeof(err));
    if (!um) {
        fprintf(stderr, "error: %s\n", err);
        errors++;
    } else {
        printf("ok: %s (%zu screens)\n", cfg->files.ussd, ussd_menu_nscreens(um));
    }
    ussd_menu_free(um);
    if (!errors)
        printf("ok: %s, %s, %s\n", cfg->path, cfg->files.messages, cfg->files.intents);
    intents_free(in);
    messages_free(m);
    config_free(cfg);
    return errors ? 1 : 0;
}
