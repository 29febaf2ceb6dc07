/* cmd_catalogue.c -- `dvcbot catalogue`: maintain the procedure catalogue.
 *
 *   dvcbot catalogue import FILE [--replace] [--config FILE]
 *       Validate FILE (same JSON shape as the files of config/catalogue/, any size),
 *       check that none of its codes is already in the catalogue, and install
 *       it atomically as <files.catalogue>/import-<name>.json. An existing
 *       import of the same name is only overwritten with --replace (its codes
 *       then do not count as clashes). Nothing is installed on any error.
 *       The server uses it after a restart or SIGHUP.
 *   dvcbot catalogue search WORDS... [--config FILE]
 *       Print the best 3 procedures for the words (like procedure_info).
 *
 * Exit status: 0 ok, 1 refused / no match, 2 bad usage. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "catalogue/catalogue.h"
#include "bot/cmd/commands.h"
#include "bot/app/config.h"
#include "common/buf.h"
#include "intents/normalize.h"
#include "common/xmalloc.h"

typedef struct cc_args {
    const char *config;
    int replace;
    const char *pos[64];
    size_t npos;
} cc_args;

static int cc_parse(int argc, char **argv, cc_args *a)
{
    memset(a, 0, sizeof(*a));
    a->config = config_default_path();
    a->pos[a->npos++] = argv[1];
    for (int i = 2; i < argc; i++) {
        if (!strcmp(argv[i], "--config") && i + 1 < argc)
            a->config = argv[++i];
        else if (!strcmp(argv[i], "--replace"))
            a->replace = 1;
        else if (argv[i][0] == '-' && argv[i][1] == '-') {
            fprintf(stderr, "dvcbot catalogue: unknown option '%s'\n", argv[i]);
            return -1;
        } else if (a->npos < sizeof(a->pos) / sizeof(a->pos[0]))
            a->pos[a->npos++] = argv[i];
    }
    return 0;
}

static int cc_usage(void)
{
    fprintf(stderr, "usage: dvcbot catalogue import FILE [--replace] [--config FILE]\n"
                    "       dvcbot catalogue search WORDS... [--config FILE]\n");
    return 2;
}

static void cc_on_error(void *arg, const char *line)
{
    int *progress = arg;
    if (*progress)
        fputc('\n', stderr);
    *progress = 0;
    fprintf(stderr, "error: %s\n", line);
}

static void cc_on_progress(void *arg, const char *file, size_t done, size_t total)
{
    (void)file;
    int *progress = arg;
    if (total < 1000)
        return;
    fprintf(stderr, "\rvalidated %zu/%zu", done, total);
    *progress = done < total;
    if (done == total)
        fputc('\n', stderr);
    fflush(stderr);
}

/* "dir/import-<basename without .json>.json", with odd characters replaced. */
static char *cc_target(const char *dir, const char *file)
{
    const char *base = strrchr(file, '/') ? strrchr(file, '/') + 1 : file;
    size_t n = strlen(base);
    if (n > 5 && !strcmp(base + n - 5, ".json"))
        n -= 5;
    if (n > 100)
        n = 100;
    buf b = {0};
    buf_printf(&b, "%s/import-", dir);
    for (size_t i = 0; i < n; i++) {
        char c = base[i];
        int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 c == '-' || c == '_' || (c == '.' && i > 0);
        buf_putc(&b, ok ? c : '_');
    }
    buf_puts(&b, ".json");
    return buf_detach(&b, NULL);
}

/* Codes of fresh already in cur (other than in target). Prints the first ten. */
static size_t cc_clashes(const catalogue *cur, const catalogue *fresh, const char *target)
{
    size_t n = 0;
    for (size_t i = 0; cur && i < catalogue_count(fresh); i++) {
        const catalogue_proc *p = catalogue_at(fresh, i);
        const catalogue_proc *old = catalogue_find_code(cur, p->code);
        if (!old || !strcmp(old->file, target))
            continue;
        if (n++ < 10)
            fprintf(stderr, "error: code %s (%s) is already in the catalogue: %s\n", p->code,
                    p->name, old->file);
    }
    return n;
}

/* Copy src to dst through a temporary file in the same directory + rename. */
static int cc_copy(const char *src, const char *dst)
{
    char tmp[4096];
    snprintf(tmp, sizeof(tmp), "%s.tmp-%ld", dst, (long)getpid());
    FILE *in = fopen(src, "rb"), *out = in ? fopen(tmp, "wb") : NULL;
    int rc = in && out ? 0 : -1;
    char chunk[65536];
    size_t n;
    while (rc == 0 && (n = fread(chunk, 1, sizeof(chunk), in)) > 0)
        if (fwrite(chunk, 1, n, out) != n)
            rc = -1;
    if (in && ferror(in))
        rc = -1;
    if (out && (fflush(out) != 0 || fsync(fileno(out)) != 0))
        rc = -1;
    if (out && fclose(out) != 0)
        rc = -1;
    if (in)
        fclose(in);
    if (rc == 0 && rename(tmp, dst) != 0)
        rc = -1;
    if (rc < 0) {
        fprintf(stderr, "error: cannot write %s: %s\n", dst, strerror(errno));
        unlink(tmp);
    }
    return rc;
}

/* Check the installed directory loads as a whole; undo the install if not. */
static int cc_verify(const config *cfg, const char *target, size_t *total)
{
    char err[1024];
    catalogue *all = catalogue_load(cfg->files.catalogue, NULL, NULL, err, sizeof(err));
    if (!all) {
        fprintf(stderr, "error: %s\nrefused: the catalogue would not load; %s removed\n", err,
                target);
        unlink(target);
        return -1;
    }
    *total = catalogue_count(all);
    catalogue_free(all);
    return 0;
}

static int cc_import(const config *cfg, const cc_args *a)
{
    const char *file = a->pos[1];
    char err[1024];
    int progress = 0;
    catalogue_opts o = {.on_error = cc_on_error, .on_progress = cc_on_progress, .arg = &progress,
                        .max_errors = 20};
    catalogue *fresh = catalogue_load_files(&file, 1, NULL, &o, err, sizeof(err));
    if (!fresh) {
        fprintf(stderr, "refused: %s is not a valid catalogue file; nothing installed\n", file);
        return 1;
    }
    char *target = cc_target(cfg->files.catalogue, file);
    int exists = access(target, F_OK) == 0, rc = 1;
    catalogue *cur = catalogue_load(cfg->files.catalogue, NULL, NULL, err, sizeof(err));
    size_t clashes = 0, total = 0;
    if (exists && !a->replace)
        fprintf(stderr, "refused: %s is already installed (use --replace to overwrite it)\n",
                target);
    else if ((clashes = cc_clashes(cur, fresh, exists ? target : "")) > 0)
        fprintf(stderr, "refused: %zu code(s) of %s are already in the catalogue; nothing "
                        "installed\n", clashes, file);
    else if (cc_copy(file, target) == 0 && cc_verify(cfg, target, &total) == 0) {
        printf("installed %zu procedures (%zu fields) from %s as %s; the catalogue now has %zu "
               "procedures. Restart dvcbot or send it SIGHUP to use them.\n",
               catalogue_count(fresh), catalogue_nfields(fresh), file, target, total);
        rc = 0;
    }
    catalogue_free(cur);
    catalogue_free(fresh);
    free(target);
    return rc;
}

static int cc_search(const config *cfg, const cc_args *a)
{
    char err[1024];
    catalogue *cat = catalogue_load(cfg->files.catalogue, NULL, NULL, err, sizeof(err));
    if (!cat) {
        fprintf(stderr, "error: %s\n", err);
        return 1;
    }
    buf q = {0};
    for (size_t i = 1; i < a->npos; i++) {
        buf_puts(&q, a->pos[i]);
        buf_putc(&q, ' ');
    }
    char *norm = xmalloc(q.len + 1);
    if (norm_text(q.data, q.len, norm, q.len + 1, NULL) < 0)
        norm[0] = '\0';
    catalogue_hit hits[3];
    size_t n = catalogue_search(cat, norm, hits, 3);
    static const char *const kinds[] = {"", "words", "phrase", "code"};
    for (size_t i = 0; i < n; i++)
        printf("%zu. %s  %s  (score %.1f, %s%s)\n", i + 1, hits[i].proc->code, hits[i].proc->name,
               hits[i].score, kinds[hits[i].match], hits[i].proc->ended ? ", ended" : "");
    if (!n)
        printf("no match\n");
    free(norm);
    buf_free(&q);
    catalogue_free(cat);
    return n ? 0 : 1;
}

int cmd_catalogue(int argc, char **argv)
{
    cc_args a;
    if (argc < 2 || cc_parse(argc, argv, &a) < 0)
        return cc_usage();
    int import = !strcmp(argv[1], "import"), search = !strcmp(argv[1], "search");
    if (!(import && a.npos == 2) && !(search && a.npos >= 2))
        return cc_usage();
    char err[512];
    config *cfg = config_load(a.config, err, sizeof(err));
    if (!cfg) {
        fprintf(stderr, "error: %s\n", err);
        return 1;
    }
    int rc = import ? cc_import(cfg, &a) : cc_search(cfg, &a);
    config_free(cfg);
    return rc;
}
