/* cmd_catalogue.c -- `dvcbot catalogue`: maintain the procedure catalogue.
 *
 *   dvcbot catalogue import FILE [--replace] [--config FILE]
 *       Validate FILE (same JSON shape as the files of config/catalogue/, any size),
 *       check that none of its codes is already in the catalogue, and install
 *       it atomically as <files.catalogue>/import-<name>.json. An existing
 *       import of the same name is only overwritten with --replace (its codes
 *       then do not count as clashes). Nothing is installed on any error.
 *       The server uses it after a restart or SIGHUP.
 *   dvcbot catalogue search WORDS... [--catalogue PATH] [--config FILE]
 *       Print the best 3 procedures for the words (like procedure_info).
 *   dvcbot catalogue eval QUESTIONS.tsv [--expect COLUMN] [--catalogue PATH] [--config FILE]
 *       Ask every question of the file (tests/corpus/procedure-questions.tsv)
 *       as procedure_info would and print the misses and top-1 / top-3
 *       against the accepted codes of COLUMN (default "sample"), the share of
 *       out-of-catalogue questions ("-") answered "not found", and aspects.
 *
 * --catalogue PATH (a directory or one file) replaces files.catalogue.
 *
 * Exit status: 0 ok, 1 refused / no match, 2 bad usage. */
#include <errno.h>
#include <sys/stat.h>
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
    const char *catalogue;      /* --catalogue, or NULL for files.catalogue */
    const char *expect;         /* --expect column of eval */
    int replace, quiet, dump;
    const char *pos[64];
    size_t npos;
} cc_args;

static int cc_parse(int argc, char **argv, cc_args *a)
{
    memset(a, 0, sizeof(*a));
    a->config = config_default_path();
    a->expect = "sample";
    a->pos[a->npos++] = argv[1];
    for (int i = 2; i < argc; i++) {
        if (!strcmp(argv[i], "--config") && i + 1 < argc)
            a->config = argv[++i];
        else if (!strcmp(argv[i], "--catalogue") && i + 1 < argc)
            a->catalogue = argv[++i];
        else if (!strcmp(argv[i], "--expect") && i + 1 < argc)
            a->expect = argv[++i];
        else if (!strcmp(argv[i], "--replace"))
            a->replace = 1;
        else if (!strcmp(argv[i], "--quiet"))
            a->quiet = 1;
        else if (!strcmp(argv[i], "--dump"))
            a->dump = a->quiet = 1;
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
                    "       dvcbot catalogue search WORDS... [--catalogue PATH] [--config FILE]\n"
                    "       dvcbot catalogue eval QUESTIONS.tsv [--expect COLUMN] [--catalogue PATH]"
                    " [--quiet] [--config FILE]\n");
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

static void cc_on_unused(void *arg, const char *file, const char *key, size_t count)
{
    (void)arg;
    fprintf(stderr, "%s: not used: %s (in %zu object%s; the schema has no such key, docs/catalogue.md)\n",
            file, key, count, count == 1 ? "" : "s");
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
    catalogue_opts o = {.on_error = cc_on_error, .on_progress = cc_on_progress,
                        .on_unused = cc_on_unused, .arg = &progress, .max_errors = 20};
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

/* The catalogue to search: --catalogue (a directory or one file) or
 * files.catalogue, with the question words of files.procedure_aspects. */
static catalogue *cc_open(const config *cfg, const cc_args *a)
{
    char err[1024];
    const char *path = a->catalogue ? a->catalogue : cfg->files.catalogue;
    struct stat st;
    catalogue *cat = stat(path, &st) == 0 && S_ISREG(st.st_mode)
                         ? catalogue_load_files(&path, 1, cfg->files.procedure_aspects, NULL, err,
                                                sizeof(err))
                         : catalogue_load(path, cfg->files.procedure_aspects, NULL, err, sizeof(err));
    if (!cat)
        fprintf(stderr, "error: %s\n", err);
    return cat;
}

static int cc_search(const config *cfg, const cc_args *a)
{
    catalogue *cat = cc_open(cfg, a);
    if (!cat)
        return 1;
    buf q = {0};
    for (size_t i = 1; i < a->npos; i++) {
        buf_puts(&q, a->pos[i]);
        buf_putc(&q, ' ');
    }
    char *norm = xmalloc(q.len + 1);
    if (norm_text(q.data, q.len, norm, q.len + 1, NULL) < 0)
        norm[0] = '\0';
    catalogue_answer ans;
    catalogue_ask(cat, norm, &ans);
    static const char *const kinds[] = {"", "words", "phrase", "code"};
    printf("%s (aspect %s): words \"%s\"%s%s%s%s\n", catalogue_verdict_name(ans.verdict),
           catalogue_aspect_name(ans.aspect), ans.words, ans.also[0] ? ", also \"" : "", ans.also,
           ans.also[0] ? "\"" : "", ans.outside ? ", outside topic" : "");
    if (ans.verdict == CATALOGUE_NOT_FOUND)
        ans.nhits = ans.nfound;     /* show what was below the threshold */
    for (size_t i = 0; i < ans.nhits; i++) {
        const catalogue_hit *h = &ans.hits[i];
        printf("%zu. %s  %s  (score %.1f, %s, coverage %.2f, name %.2f, %zu level(s)%s)\n", i + 1,
               h->proc->code, h->proc->name, h->score, kinds[h->match], h->coverage,
               h->alias_coverage, catalogue_variant_count(cat, h->proc),
               h->proc->ended ? ", ended" : "");
    }
    size_t n = ans.nhits;
    if (!n)
        printf("no match\n");
    free(norm);
    buf_free(&q);
    catalogue_free(cat);
    return n ? 0 : 1;
}

/* ---- eval: top-1 / top-3 over a question file ---- */
typedef struct cc_tally {
    size_t in, top1, top3, answered, right;     /* questions this catalogue can answer */
    size_t off, off_nf;         /* no catalogue of the file has it (every code column "-") */
    size_t miss, miss_nf;       /* another catalogue of the file has it, this one not */
    size_t wrong;               /* of those (and off-topic): one procedure answered all the same */
    size_t nasp, asp_ok;
} cc_tally;

typedef struct cc_row {
    const char *question, *expect, *aspect;
    int offtopic;               /* every code column is "-" */
} cc_row;

/* What procedure_info does with a question (catalogue_ask). */
static void cc_ask(const catalogue *cat, const char *question, catalogue_answer *ans)
{
    size_t len = strlen(question);
    char *norm = xmalloc(len + 1);
    if (norm_text(question, len, norm, len + 1, NULL) < 0)
        norm[0] = '\0';
    catalogue_ask(cat, norm, ans);
    free(norm);
}

/* Whether code is one of the comma-separated codes of list. */
static int cc_listed(const char *list, const char *code)
{
    size_t n = strlen(code);
    for (const char *p = list; (p = strstr(p, code)) != NULL; p += n)
        if ((p == list || p[-1] == ',') && (p[n] == ',' || p[n] == '\0'))
            return 1;
    return 0;
}

/* Split line at tabs into at most max cells; returns the count. */
static size_t cc_cells(char *line, char **cell, size_t max)
{
    size_t n = 0;
    line[strcspn(line, "\r\n")] = '\0';
    while (n < max) {
        cell[n++] = line;
        char *tab = strchr(line, '\t');
        if (!tab)
            break;
        *tab = '\0';
        line = tab + 1;
    }
    return n;
}

/* One tab-separated calibration line (docs/procedures.md "Confidence"). */
static void cc_dump(const cc_row *r, const catalogue_answer *ans)
{
    const catalogue_hit *h = ans->hits;
    size_t n = ans->nfound;     /* what the search found, before the verdict */
    int in3 = 0;
    for (size_t i = 0; i < n; i++)
        in3 |= cc_listed(r->expect, h[i].proc->code);
    printf("dump\t%s\t%s\t%s\t%.1f\t%.2f\t%.2f\t%d\t%.1f\t%d\t%d\t%s\n",
           !strcmp(r->expect, "-") ? (r->offtopic ? "out" : "missing")
           : n && cc_listed(r->expect, h[0].proc->code) ? "ok" : "bad",
           catalogue_verdict_name(ans->verdict), n ? h[0].proc->code : "-", n ? h[0].score : 0.0,
           n ? h[0].coverage : 0.0, n ? h[0].alias_coverage : 0.0, n ? (int)h[0].match : 0,
           n > 1 ? h[0].score - h[1].score : 99.0, in3, ans->outside != NULL, r->question);
}

static void cc_eval_row(const catalogue *cat, const cc_row *r, const cc_args *a, cc_tally *e)
{
    catalogue_answer ans;
    cc_ask(cat, r->question, &ans);
    const catalogue_hit *hits = ans.hits;
    size_t n = ans.nhits;
    if (r->aspect && *r->aspect) {
        e->nasp++;
        e->asp_ok += !strcmp(r->aspect, catalogue_aspect_name(ans.aspect));
    }
    if (a->dump)
        cc_dump(r, &ans);
    if (!strcmp(r->expect, "-")) {
        *(r->offtopic ? &e->off : &e->miss) += 1;
        *(r->offtopic ? &e->off_nf : &e->miss_nf) += n == 0;
        e->wrong += ans.verdict == CATALOGUE_ANSWER;
        if (n && !a->quiet)
            printf("%s, got %s %s %s: %s\n", r->offtopic ? "outside" : "missing",
                   catalogue_verdict_name(ans.verdict), hits[0].proc->code, hits[0].proc->name,
                   r->question);
        return;
    }
    e->in++;
    int first = n && cc_listed(r->expect, hits[0].proc->code), three = first;
    for (size_t i = 1; i < n; i++)
        three |= cc_listed(r->expect, hits[i].proc->code);
    e->top1 += first;
    e->top3 += three;
    e->answered += ans.verdict == CATALOGUE_ANSWER;
    e->right += ans.verdict == CATALOGUE_ANSWER && first;
    if (!first && !a->quiet)
        printf("miss%s: %s -> %s %s (expected %s)\n", three ? " (in top 3)" : "", r->question,
               n ? hits[0].proc->code : "not found", n ? hits[0].proc->name : "", r->expect);
}

static double cc_pct(size_t a, size_t b)
{
    return b ? 100.0 * (double)a / (double)b : 0;
}

/* The columns of the header line: question, the expected one, aspect, and
 * which are code columns (all the others). */
typedef struct cc_cols {
    long q, e, asp;
    unsigned codes;             /* bit per code column */
} cc_cols;

static int cc_header(char **cell, size_t n, const cc_args *a, cc_cols *c)
{
    c->q = c->e = c->asp = -1;
    c->codes = 0;
    for (size_t i = 0; i < n && i < 8; i++) {
        if (!strcmp(cell[i], "question"))
            c->q = (long)i;
        else if (!strcmp(cell[i], "aspect"))
            c->asp = (long)i;
        else
            c->codes |= 1u << i;
        if (!strcmp(cell[i], a->expect))
            c->e = (long)i;
    }
    if (c->q >= 0 && c->e >= 0)
        return 0;
    fprintf(stderr, "error: %s: the header has no \"question\" or \"%s\" column\n", a->pos[1],
            a->expect);
    return -1;
}

static int cc_eval_file(const catalogue *cat, FILE *f, const cc_args *a, cc_tally *e)
{
    char line[4096], *cell[8];
    cc_cols c = {.q = -1};
    while (fgets(line, sizeof(line), f)) {
        if (line[0] == '#' || line[0] == '\n')
            continue;
        size_t n = cc_cells(line, cell, 8);
        if (c.q < 0) {
            if (cc_header(cell, n, a, &c) < 0)
                return -1;
            continue;
        }
        if ((long)n <= c.e || (long)n <= c.q)
            continue;
        cc_row r = {.question = cell[c.q], .expect = cell[c.e], .offtopic = 1,
                    .aspect = c.asp >= 0 && (long)n > c.asp ? cell[c.asp] : NULL};
        for (size_t i = 0; i < n; i++)
            if ((c.codes >> i & 1) && strcmp(cell[i], "-"))
                r.offtopic = 0;
        cc_eval_row(cat, &r, a, e);
    }
    return 0;
}

static int cc_eval(const config *cfg, const cc_args *a)
{
    FILE *f = fopen(a->pos[1], "r");
    if (!f) {
        fprintf(stderr, "error: %s: %s\n", a->pos[1], strerror(errno));
        return 1;
    }
    catalogue *cat = cc_open(cfg, a);
    cc_tally e = {0};
    int rc = cat && cc_eval_file(cat, f, a, &e) == 0 ? 0 : 1;
    fclose(f);
    if (rc == 0)
        printf("%s (%zu procedures), column %s: %zu questions it has: top-1 %zu (%.1f%%), top-3 %zu "
               "(%.1f%%), answered %zu (right %zu); %zu off-topic: not found %zu (%.1f%%); %zu it "
               "lacks: not found %zu (%.1f%%); one procedure answered where none fits %zu; aspect %zu/%zu "
               "(%.1f%%)\n",
               a->catalogue ? a->catalogue : cfg->files.catalogue, catalogue_count(cat), a->expect,
               e.in, e.top1, cc_pct(e.top1, e.in), e.top3, cc_pct(e.top3, e.in), e.answered, e.right,
               e.off, e.off_nf, cc_pct(e.off_nf, e.off), e.miss, e.miss_nf,
               cc_pct(e.miss_nf, e.miss), e.wrong, e.asp_ok, e.nasp, cc_pct(e.asp_ok, e.nasp));
    catalogue_free(cat);
    return rc;
}

int cmd_catalogue(int argc, char **argv)
{
    cc_args a;
    if (argc < 2 || cc_parse(argc, argv, &a) < 0)
        return cc_usage();
    int import = !strcmp(argv[1], "import"), search = !strcmp(argv[1], "search"),
        eval = !strcmp(argv[1], "eval");
    if (!(import && a.npos == 2) && !(search && a.npos >= 2) && !(eval && a.npos == 2))
        return cc_usage();
    char err[512];
    config *cfg = config_load(a.config, err, sizeof(err));
    if (!cfg) {
        fprintf(stderr, "error: %s\n", err);
        return 1;
    }
    int rc = import ? cc_import(cfg, &a) : search ? cc_search(cfg, &a) : cc_eval(cfg, &a);
    config_free(cfg);
    return rc;
}
