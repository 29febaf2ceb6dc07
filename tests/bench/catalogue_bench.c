/* catalogue_bench.c -- time catalogue search on a big catalogue.
 *
 *   catalogue_bench PATH... [--aspects FILE] [--questions TSV] [--queries N]
 *
 * Loads every *.json of the given directories (or the given .json files) as
 * one catalogue (e.g. the sample config/catalogue plus `scripts/gen-catalogue.py
 * 6000 DIR`, or ../shared/data/catalogue-real.json), runs N (default 10,000)
 * queries -- the built-in realistic ones (sample and synthetic procedure
 * names, shorthand, no diacritics, Telex, typos, vague words), or the
 * questions of a TSV file (tests/corpus/procedure-questions.tsv) -- each
 * normalised beforehand as the classifier does, and prints a human line on
 * stderr (load time, RSS after the load and its peak, mean / p99 / max) and
 * "procedures mean_us p99_us load_ms cpu_p99_us rss_mb peak_mb" on stdout
 * (tests/bench/run.sh).
 * With --aspects (config/procedure-aspects.json, which names the synonyms)
 * the catalogue is loaded with its vocabulary and every query goes through
 * catalogue_ask(), as procedure_info does; without, catalogue_search().
 * Budgets: 100 µs p99 with 6,000 procedures or the 2,614 real ones (index
 * built in <= 1 s, RSS <= 40 MB); 200 µs and 150 MB with 20,000. */
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "catalogue/catalogue.h"
#include "intents/normalize.h"

static const char *const bench_queries[] = {
    "gplx", "cap doi bang lai xe", "sổ đỏ", "lam so do lan dau", "ho chieu", "khai sinh cho con",
    "đăng ký kết hôn", "ly lich tu phap", "tam tru", "thanh lap cong ty tnhh", "ho kinh doanh",
    "tro cap that nghiep", "bhxh 1 lan", "cccd", "lam lai cccd", "mat ho chieu", "xin giay phep",
    "ddawng kys tam tru", "giấy phép lao động", "khai tu", "covid", "giay phep xay dung",
    "tach thua", "ma so thue ca nhan", "quyet toan thue tncn", "thai san", "chung thuc ban sao",
    "lltp", "vneid", "xac nhan doc than", "dang ky xe may", "chuyen nhuong dat",
    "cap lai giay phep kinh doanh karaoke", "gia han chung chi hanh nghe duoc",
    "giay phep moi truong cho doanh nghiep", "cap doi the huong dan vien du lich",
    "giay chung nhan attp", "xac nhan quan nhan xuat ngu", "giay phep hoat dong phong kham",
    "dang ky gia", "thu hoi giay phep khai thac thuy san", "tro cap xa hoi hang thang",
    "cap giay phep xa nuoc thai vao nguon nuoc", "phu hieu xe taxi", "giay phep xay dungg",
    "chung chi hanh nghe luat su cho nguoi nuoc ngoai", "hop dong mua ban nha dat",
    "lam giay khai sinh cho con can giay to gi", "the bhyt ho gia dinh", "doi ten cho con",
    "cap lai so bao hiem xa hoi", "tham dinh ho so de nghi cap giay phep thanh lap hoi",
    "thong bao khoi cong xay dung", "giay", "cap", "xin chao", "abcdef qwerty",
};
#define BENCH_NQ (sizeof(bench_queries) / sizeof(bench_queries[0]))

static double bench_clock_us(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static double bench_now_us(void)
{
    return bench_clock_us(CLOCK_MONOTONIC);
}

/* This thread's CPU time: what a query costs, less disturbed by a busy machine. */
static double bench_cpu_us(void)
{
    return bench_clock_us(CLOCK_THREAD_CPUTIME_ID);
}

/* VmRSS or VmHWM of this process, in MB (from /proc/self/status), or -1. */
static double bench_mem_mb(const char *field)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    double kb = -1;
    size_t n = strlen(field);
    while (f && fgets(line, sizeof(line), f))
        if (!strncmp(line, field, n) && line[n] == ':')
            kb = atof(line + n + 1);
    if (f)
        fclose(f);
    return kb < 0 ? -1 : kb / 1024;
}

/* The questions (first column) of a TSV file, at most max, normalised. */
static size_t bench_questions(const char *path, char (*out)[256], size_t max)
{
    FILE *f = fopen(path, "r");
    char line[4096];
    size_t n = 0;
    int header = 1;
    while (f && n < max && fgets(line, sizeof(line), f)) {
        if (line[0] == '#' || line[0] == '\n')
            continue;
        line[strcspn(line, "\t\r\n")] = '\0';
        if (header) {   /* "question\t..." */
            header = 0;
            continue;
        }
        if (strlen(line) < 255 && norm_text(line, strlen(line), out[n], 256, NULL) == 0)
            n++;
    }
    if (f)
        fclose(f);
    return n;
}

static int bench_cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* One query: catalogue_ask (with the vocabulary) or catalogue_search. */
static size_t bench_one(const catalogue *cat, const char *q, int ask)
{
    if (ask) {
        catalogue_answer a;
        catalogue_ask(cat, q, &a);
        return a.nfound;
    }
    catalogue_hit hits[3];
    return catalogue_search(cat, q, hits, 3);
}

/* Time nq queries (after a warm-up) and print the two result lines. */
static void bench_run(const catalogue *cat, char (*norm)[256], size_t nnorm, long nq, int ask,
                      double load_ms, double rss, double grown, double peak)
{
    double *t = malloc((size_t)nq * sizeof(*t)), *c = malloc((size_t)nq * sizeof(*c)), sum = 0;
    size_t found = 0;
    for (size_t i = 0; i < 20 * nnorm; i++)     /* warm up: a server is warm */
        bench_one(cat, norm[i % nnorm], ask);
    for (long i = 0; i < nq; i++) {
        double s = bench_now_us(), sc = bench_cpu_us();
        found += bench_one(cat, norm[(size_t)i % nnorm], ask) > 0;
        c[i] = bench_cpu_us() - sc;
        t[i] = bench_now_us() - s;
        sum += t[i];
    }
    qsort(t, (size_t)nq, sizeof(*t), bench_cmp);
    qsort(c, (size_t)nq, sizeof(*c), bench_cmp);
    double mean = sum / (double)nq, p99 = t[(size_t)((double)nq * 0.99)];
    double cpu_p99 = c[(size_t)((double)nq * 0.99)], cpu_p50 = c[(size_t)nq / 2];
    fprintf(stderr, "catalogue %s: %zu procedures (loaded and indexed in %.0f ms; RSS %.1f MB, "
                    "%.1f MB more than before the load, peak %.1f MB), %ld queries of %zu "
                    "(%zu with a hit): mean %.1f us, p99 %.1f us, max %.1f us; CPU time median "
                    "%.1f us, p99 %.1f us\n",
            ask ? "ask" : "search", catalogue_count(cat), load_ms, rss, grown, peak, nq,
            nnorm, found, mean, p99, t[nq - 1], cpu_p50, cpu_p99);
    printf("%zu %.2f %.2f %.0f %.2f %.1f %.1f\n", catalogue_count(cat), mean, p99, load_ms, cpu_p99,
           rss, peak);
    free(t);
    free(c);
}

/* Add the *.json of dir (or dir itself when it is a .json file) to g. */
static void bench_add(glob_t *g, const char *path, int *flags)
{
    size_t n = strlen(path);
    char pat[4096];
    if (n > 5 && !strcmp(path + n - 5, ".json"))
        snprintf(pat, sizeof(pat), "%s", path);
    else
        snprintf(pat, sizeof(pat), "%s/*.json", path);
    glob(pat, *flags, NULL, g);
    *flags = GLOB_APPEND;
}

int main(int argc, char **argv)
{
    long nq = 10000;
    const char *aspects = NULL, *questions = NULL;
    glob_t g;
    memset(&g, 0, sizeof(g));
    int flags = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--queries") && i + 1 < argc)
            nq = atol(argv[++i]);
        else if (!strcmp(argv[i], "--aspects") && i + 1 < argc)
            aspects = argv[++i];
        else if (!strcmp(argv[i], "--questions") && i + 1 < argc)
            questions = argv[++i];
        else
            bench_add(&g, argv[i], &flags);
    }
    if (!g.gl_pathc || nq < 1) {
        fprintf(stderr, "usage: catalogue_bench PATH... [--aspects FILE] [--questions TSV] "
                        "[--queries N]\n");
        return 2;
    }
    static char norm[512][256];
    size_t nnorm = questions ? bench_questions(questions, norm, 512) : 0;
    for (size_t i = 0; !questions && i < BENCH_NQ; i++)
        norm_text(bench_queries[i], strlen(bench_queries[i]), norm[nnorm++], sizeof(norm[0]), NULL);
    if (!nnorm) {
        fprintf(stderr, "catalogue_bench: no questions in %s\n", questions);
        return 2;
    }
    char err[1024];
    double rss0 = bench_mem_mb("VmRSS"), t0 = bench_now_us();
    catalogue *cat = catalogue_load_files((const char *const *)g.gl_pathv, g.gl_pathc, aspects, NULL,
                                          err, sizeof(err));
    double load_ms = (bench_now_us() - t0) / 1000, rss = bench_mem_mb("VmRSS");
    double peak = bench_mem_mb("VmHWM");
    globfree(&g);
    if (!cat) {
        fprintf(stderr, "catalogue_bench: %s\n", err);
        return 1;
    }
    bench_run(cat, norm, nnorm, nq, aspects != NULL, load_ms, rss, rss - rss0, peak);
    catalogue_free(cat);
    return 0;
}
