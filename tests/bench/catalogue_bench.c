/* catalogue_bench.c -- time catalogue_search() on a big catalogue.
 *
 *   catalogue_bench DIR... [--queries N]
 *
 * Loads every *.json of the given directories as one catalogue (e.g. the
 * sample config/catalogue plus `scripts/gen-catalogue.py 6000 DIR`), runs N
 * (default 10,000) realistic queries -- sample and synthetic procedure names,
 * shorthand, no diacritics, Telex, typos, vague words -- each normalised
 * beforehand as the classifier does, and prints a human line on stderr and
 * "procedures mean_us p99_us load_ms" on stdout (tests/bench/run.sh). The
 * budget is 100 µs per query with 6,000 procedures. */
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

static double bench_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int bench_cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    long nq = 10000;
    glob_t g;
    memset(&g, 0, sizeof(g));
    int flags = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--queries") && i + 1 < argc) {
            nq = atol(argv[++i]);
            continue;
        }
        char pat[4096];
        snprintf(pat, sizeof(pat), "%s/*.json", argv[i]);
        glob(pat, flags, NULL, &g);
        flags = GLOB_APPEND;
    }
    if (!g.gl_pathc || nq < 1) {
        fprintf(stderr, "usage: catalogue_bench DIR... [--queries N]\n");
        return 2;
    }
    char err[1024];
    double t0 = bench_now_us();
    catalogue *cat = catalogue_load_files((const char *const *)g.gl_pathv, g.gl_pathc, NULL, NULL,
                                          err, sizeof(err));
    double load_ms = (bench_now_us() - t0) / 1000;
    globfree(&g);
    if (!cat) {
        fprintf(stderr, "catalogue_bench: %s\n", err);
        return 1;
    }
    static char norm[BENCH_NQ][256];
    for (size_t i = 0; i < BENCH_NQ; i++)
        norm_text(bench_queries[i], strlen(bench_queries[i]), norm[i], sizeof(norm[i]), NULL);
    double *t = malloc((size_t)nq * sizeof(*t)), sum = 0;
    size_t found = 0;
    for (size_t i = 0; i < 20 * BENCH_NQ; i++) {     /* warm up: a server is warm */
        catalogue_hit hits[3];
        catalogue_search(cat, norm[i % BENCH_NQ], hits, 3);
    }
    for (long i = 0; i < nq; i++) {
        catalogue_hit hits[3];
        double s = bench_now_us();
        found += catalogue_search(cat, norm[i % BENCH_NQ], hits, 3) > 0;
        t[i] = bench_now_us() - s;
        sum += t[i];
    }
    qsort(t, (size_t)nq, sizeof(*t), bench_cmp);
    double mean = sum / (double)nq, p99 = t[(size_t)((double)nq * 0.99)];
    fprintf(stderr, "catalogue search: %zu procedures (loaded in %.0f ms), %ld queries "
                    "(%zu with a hit): mean %.1f us, p99 %.1f us, max %.1f us\n",
            catalogue_count(cat), load_ms, nq, found, mean, p99, t[nq - 1]);
    printf("%zu %.2f %.2f %.0f\n", catalogue_count(cat), mean, p99, load_ms);
    free(t);
    catalogue_free(cat);
    return 0;
}
