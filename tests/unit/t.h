/* t.h -- a minimal test harness for the unit suites.
 *
 * Each check prints "ok N - what" or "not ok N - what (file:line)"; t_done()
 * prints "N passed, N failed" and returns the exit status. tests/run-all.sh
 * counts the ok / not ok lines of every suite. */
#ifndef DVC_T_H
#define DVC_T_H

#include <stdio.h>
#include <string.h>

static int t_pass, t_fail;

#define T_OK(cond, ...) do {                                              \
    int t_c_ = !!(cond);                                                  \
    printf("%s %d - ", t_c_ ? "ok" : "not ok", t_pass + t_fail + 1);      \
    printf(__VA_ARGS__);                                                  \
    if (!t_c_) printf(" (%s:%d)", __FILE__, __LINE__);                    \
    printf("\n");                                                         \
    if (t_c_) t_pass++; else t_fail++;                                    \
} while (0)

#define T_STREQ(got, want, ...) do {                                      \
    const char *t_g_ = (got), *t_w_ = (want);                             \
    int t_eq_ = t_g_ && t_w_ && strcmp(t_g_, t_w_) == 0;                  \
    T_OK(t_eq_, __VA_ARGS__);                                             \
    if (!t_eq_) printf("#   got:  \"%s\"\n#   want: \"%s\"\n",             \
                      t_g_ ? t_g_ : "(null)", t_w_ ? t_w_ : "(null)");    \
} while (0)

static inline int t_done(void)
{
    printf("%d passed, %d failed\n", t_pass, t_fail);
    return t_fail ? 1 : 0;
}

#endif
