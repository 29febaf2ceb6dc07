/* cmd_keys.c -- `dvcbot keys`: issue, list and revoke agency API keys.
 *
 *   dvcbot keys create --agency E-ID [--name NAME] [--config FILE]
 *   dvcbot keys create --operator NAME [--config FILE]   (the /agent console)
 *   dvcbot keys list [--config FILE]
 *   dvcbot keys revoke --hash PREFIX [--config FILE]
 *
 * `create` prints the new key alone on stdout, once; only its SHA-256 is
 * stored (store/keys.h). Redis is reached through redis.url of the config
 * (DVCBOT_REDIS_URL overrides it) with a blocking connection: this is a
 * command-line tool, never the server. */
#include <stdio.h>
#include <string.h>

#include "bot/cmd/commands.h"
#include "bot/app/config.h"
#include "store/keys.h"

typedef struct keys_args {
    const char *action;
    const char *agency;
    const char *operator_name;  /* --operator NAME: a key for the /agent console */
    const char *name;
    const char *hash;
    const char *config;
} keys_args;

static int cmd_keys_usage(void)
{
    fprintf(stderr, "usage: dvcbot keys create --agency E-ID [--name NAME] [--config FILE]\n"
                    "       dvcbot keys create --operator NAME [--config FILE]\n"
                    "       dvcbot keys list [--config FILE]\n"
                    "       dvcbot keys revoke --hash PREFIX [--config FILE]\n"
                    "E-ID: NNN.NN.NN.Xnn (000.00.12.H18) or Xnn.N[.N..] (H56.14), upper-case\n");
    return 2;
}

static int cmd_keys_parse(int argc, char **argv, keys_args *a)
{
    memset(a, 0, sizeof(*a));
    a->config = config_default_path();
    if (argc < 2)
        return -1;
    a->action = argv[1];
    for (int i = 2; i < argc; i++) {
        const char **slot = !strcmp(argv[i], "--agency") ? &a->agency
                            : !strcmp(argv[i], "--operator") ? &a->operator_name
                            : !strcmp(argv[i], "--name") ? &a->name
                            : !strcmp(argv[i], "--hash") ? &a->hash
                            : !strcmp(argv[i], "--config") ? &a->config : NULL;
        if (!slot || i + 1 >= argc) {
            fprintf(stderr, "dvcbot keys: unknown option or missing value: '%s'\n", argv[i]);
            return -1;
        }
        *slot = argv[++i];
    }
    return 0;
}

/* A name is a label: 1-100 bytes, no control characters. */
static int cmd_keys_name_ok(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n > 100)
        return 0;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)name[i] < 0x20 || name[i] == 0x7f)
            return 0;
    return 1;
}

static int cmd_keys_create(redisContext *c, const keys_args *a)
{
    char text[KEYS_TEXT_LEN + 1], hex[KEYS_HASH_HEX], err[256];
    if (keys_generate(text, hex) < 0) {
        fprintf(stderr, "dvcbot keys: no randomness from the kernel\n");
        return 1;
    }
    int rc = a->operator_name ? keys_store_operator_sync(c, hex, a->operator_name, err, sizeof(err))
                              : keys_store_sync(c, hex, a->agency, a->name, err, sizeof(err));
    if (rc < 0) {
        fprintf(stderr, "dvcbot keys: %s\n", err);
        return 1;
    }
    printf("%s\n", text);
    fflush(stdout);
    fprintf(stderr, "key for %s %s created (hash %.12s...). It is shown only now: "
                    "store it safely.\n", a->operator_name ? "operator" : "agency",
            a->operator_name ? a->operator_name : a->agency, hex);
    memset(text, 0, sizeof(text));
    return 0;
}

static int cmd_keys_run(redisContext *c, const keys_args *a)
{
    char err[256], hex[KEYS_HASH_HEX];
    if (!strcmp(a->action, "create"))
        return cmd_keys_create(c, a);
    if (!strcmp(a->action, "list")) {
        printf("hash\tagency\tname\trole\tcreated_at\n");
        if (keys_list_sync(c, stdout, err, sizeof(err)) < 0) {
            fprintf(stderr, "dvcbot keys: %s\n", err);
            return 1;
        }
        return 0;
    }
    if (keys_revoke_sync(c, a->hash, hex, err, sizeof(err)) < 0) {
        fprintf(stderr, "dvcbot keys: %s\n", err);
        return 1;
    }
    printf("revoked %s\n", hex);
    return 0;
}

/* Arguments that fit the action, checked before Redis is touched. */
static int cmd_keys_check(const keys_args *a)
{
    if (!strcmp(a->action, "create") && a->operator_name) {
        if (a->agency || a->name || a->hash || !cmd_keys_name_ok(a->operator_name)) {
            fprintf(stderr, "dvcbot keys create: --operator needs a name of 1-100 printable "
                            "bytes, and no --agency, --name or --hash\n");
            return -1;
        }
        return 0;
    }
    if (!strcmp(a->action, "create")) {
        if (!a->agency || a->hash || !keys_agency_valid(a->agency)) {
            fprintf(stderr, "dvcbot keys create: --agency needs an agency e-id like "
                            "000.00.12.H18 or H56.14 (upper-case)\n");
            return -1;
        }
        if (a->name && !cmd_keys_name_ok(a->name)) {
            fprintf(stderr, "dvcbot keys create: --name must be 1-100 printable bytes\n");
            return -1;
        }
        return 0;
    }
    if (!strcmp(a->action, "list"))
        return a->agency || a->operator_name || a->name || a->hash ? -1 : 0;
    if (!strcmp(a->action, "revoke"))
        return a->hash && !a->agency && !a->operator_name && !a->name ? 0 : -1;
    return -1;
}

int cmd_keys(int argc, char **argv)
{
    keys_args a;
    if (cmd_keys_parse(argc, argv, &a) < 0 || cmd_keys_check(&a) < 0)
        return cmd_keys_usage();
    char err[512];
    config *cfg = config_load(a.config, err, sizeof(err));
    if (!cfg) {
        fprintf(stderr, "dvcbot keys: %s\n", err);
        return 1;
    }
    store_options so = {.url = cfg->redis.url, .sentinels = cfg->redis.sentinels,
                        .master_name = cfg->redis.master_name, .password = cfg->redis.password};
    redisContext *c = store_connect_sync(&so, err, sizeof(err));  /* the fleet's master */
    config_free(cfg);
    if (!c) {
        fprintf(stderr, "dvcbot keys: %s\n", err);
        return 1;
    }
    int rc = cmd_keys_run(c, &a);
    redisFree(c);
    return rc;
}
