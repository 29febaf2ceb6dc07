/* cmd_help.c -- the command table and its help texts (see cmd_help.h). */
#include "bot/cmd/cmd_help.h"

#include <string.h>

#include "bot/cmd/cmd_classify.h"
#include "bot/cmd/cmd_train.h"
#include "bot/cmd/commands.h"
#include "bot/cmd/version.h"

#define CONFIG_OPT "  --config FILE   dvcbot.json to read (default $DVCBOT_CONFIG, else config/dvcbot.json)\n"

static const cmd_entry cmd_table[] = {
    {"serve", cmd_serve, "run the gateway (HTTP, WebSocket) until SIGINT/SIGTERM; SIGHUP reloads",
     "usage: dvcbot serve [--config FILE] [--insecure-channels] [--demo-sms]\n"
     CONFIG_OPT
     "  --insecure-channels  let any caller use the SMS and USSD endpoints when neither\n"
     "                  channels.secret nor channels.allow_ips is set (a demo on one machine)\n"
     "  --demo-sms      keep the SMS that scripts/demo-smsc.py received from Kannel's fake SMSC\n"
     "                  for the simulator's SMS thread (/sms/demo; make run, never production)\n"
     "signals: SIGTERM/SIGINT stop cleanly; SIGHUP reloads the catalogue, the texts and the\n"
     "intent rules and model, keeping every connection open.\n"
     "health: GET /healthz (alive, Redis answers), GET /readyz (Redis master reachable and\n"
     "catalogue loaded), GET /metrics. Logs: one JSON object per line on stderr.\n"},
    {"check-config", cmd_check_config, "validate every configuration file, then exit",
     "usage: dvcbot check-config [--config FILE]\n" CONFIG_OPT},
    {"classify", cmd_classify, "read UTF-8 lines on stdin, write one JSON intent per line",
     "usage: dvcbot classify [--config FILE] [--rules FILE] [--all]\n"
     CONFIG_OPT
     "  --rules FILE    intent rules to use instead of files.intents of the config\n"
     "  --all           also print the query and text entities and the runner-up intent\n"},
    {"train", cmd_train, "fit the intent model on labelled corpora",
     "usage: dvcbot train [--rules FILE] [--out FILE] [--epochs N] [--rate R] [--l2 L]\n"
     "                    [--min-count N] CORPUS.tsv...\n"
     "  --rules FILE    intent rules (default config/intents.json)\n"
     "  --out FILE      model file to write (default stdout)\n"
     "  --epochs N      passes over the examples\n"
     "  --rate R        AdaGrad step\n"
     "  --l2 L          L2 penalty\n"
     "  --min-count N   drop features seen in fewer examples\n"
     "CORPUS.tsv: lines \"text<TAB>intent\", '#' comments (docs/intents.md).\n"},
    {"keys", cmd_keys, "agency API keys and operator keys: create, list, revoke",
     "usage: dvcbot keys create --agency E-ID [--name NAME] [--config FILE]\n"
     "       dvcbot keys create --operator NAME [--config FILE]\n"
     "       dvcbot keys list [--config FILE]\n"
     "       dvcbot keys revoke --hash PREFIX [--config FILE]\n"
     "  --agency E-ID   a key for the agency API: NNN.NN.NN.Xnn (000.00.12.H18) or Xnn.N[.N..]\n"
     "  --name NAME     a label kept with the key\n"
     "  --operator NAME a key for the operator console (/agent)\n"
     "  --hash PREFIX   the key to revoke, by the start of its SHA-256 (keys list shows it)\n"
     CONFIG_OPT
     "create prints the new key alone on stdout, once; only its SHA-256 is stored.\n"
     "Redis: redis.url of the config, or DVCBOT_REDIS_URL.\n"},
    {"catalogue", cmd_catalogue, "procedure catalogue: import, search, eval",
     "usage: dvcbot catalogue import FILE [--replace] [--config FILE]\n"
     "       dvcbot catalogue search WORDS... [--catalogue PATH] [--config FILE]\n"
     "       dvcbot catalogue eval QUESTIONS.tsv [--expect COLUMN] [--catalogue PATH]\n"
     "                             [--quiet] [--dump] [--config FILE]\n"
     "  --replace       import: overwrite an earlier import of the same name\n"
     "  --catalogue PATH  a directory or one file instead of files.catalogue\n"
     "  --expect COLUMN eval: the column of accepted codes (default \"sample\")\n"
     "  --quiet         eval: print only the totals\n"
     "  --dump          eval: one tab-separated line per question (implies --quiet)\n"
     CONFIG_OPT
     "An import is used by the server after SIGHUP or a restart (docs/catalogue.md).\n"},
    {"version", cmd_version, "print the version (git describe of the source at build time)",
     "usage: dvcbot version\n"},
    {"help", NULL, "this list; dvcbot CMD --help shows one command's options",
     "usage: dvcbot help [CMD]\n"},
};
#define CMD_N (sizeof(cmd_table) / sizeof(cmd_table[0]))

const cmd_entry *cmd_find(const char *name)
{
    for (size_t i = 0; i < CMD_N; i++)
        if (!strcmp(cmd_table[i].name, name))
            return &cmd_table[i];
    return NULL;
}

int cmd_help_main(FILE *out)
{
    fprintf(out, "usage: dvcbot <command> [options]   (dvcbot <command> --help for its options)\n\n"
                 "commands:\n");
    for (size_t i = 0; i < CMD_N; i++)
        fprintf(out, "  %-14s %s\n", cmd_table[i].name, cmd_table[i].summary);
    fprintf(out, "\nConfiguration: config/dvcbot.json (or $DVCBOT_CONFIG); every setting can be\n"
                 "overridden by DVCBOT_<SECTION>_<KEY>, e.g. DVCBOT_HTTP_PORT=9000 or\n"
                 "DVCBOT_REDIS_URL=redis://127.0.0.1:6379/0. Manual: man dvcbot (docs/dvcbot.1).\n");
    return out == stdout ? 0 : 2;
}

int cmd_help_command(const cmd_entry *c)
{
    fputs(c->usage, stdout);
    return 0;
}

int cmd_wants_help(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
            return 1;
    return 0;
}

int cmd_version(int argc, char **argv)
{
    (void)argv;
    if (argc > 1) {
        fputs(cmd_find("version")->usage, stderr);
        return 2;
    }
    printf("dvcbot %s\n", DVC_VERSION);
    return 0;
}
