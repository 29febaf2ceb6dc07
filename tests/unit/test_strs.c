/* test_strs.c -- unit tests of common/strs.c, the lists of NUL-ended strings
 * in one string (session buttons, USSD route lists): split, count, the i-th
 * entry, the list without its last entry; empty and one-entry lists, empty
 * entries, a cap, and a damaged list whose last entry lacks its NUL (the
 * string's own NUL ends it). */
#include <string.h>

#include "common/strs.h"
#include "t.h"

static void test_lists(void)
{
    static const char l[] = "home\0procedures\0\0field 1\0";   /* 4 entries, one empty */
    size_t len = sizeof(l) - 1;
    const char *e[8];
    size_t n = strs_split(l, len, e, 8);
    T_OK(n == 4 && !strcmp(e[0], "home") && !strcmp(e[1], "procedures") && !strcmp(e[2], "") &&
             !strcmp(e[3], "field 1"), "four entries, an empty one among them (%zu)", n);
    T_OK(strs_split(l, len, NULL, 0) == 4, "counted without out");
    T_OK(strs_split(l, len, e, 2) == 2 && !strcmp(e[1], "procedures"), "a cap of 2: the first two");
    T_OK(strs_at(l, len, 3) && !strcmp(strs_at(l, len, 3), "field 1") && !strs_at(l, len, 4),
         "the 4th entry, none past the end");
    T_OK(strs_drop_last(l, len) == sizeof("home\0procedures\0") - 1 + 1,
         "without its last entry: home, procedures and the empty one");
    T_OK(strs_split("", 0, e, 8) == 0 && !strs_at("", 0, 0) && strs_drop_last("", 0) == 0,
         "the empty list");
    T_OK(strs_split("one", 4, e, 8) == 1 && strs_drop_last("one", 4) == 0,
         "one entry: dropping it leaves nothing");
    static const char damaged[] = "a\0b";   /* the last entry ends at the string's NUL */
    n = strs_split(damaged, sizeof(damaged) - 1, e, 8);
    T_OK(n == 2 && !strcmp(e[1], "b") && strs_drop_last(damaged, sizeof(damaged) - 1) == 2,
         "a last entry without its own NUL still reads (%zu entries)", n);
}

int main(void)
{
    test_lists();
    return t_done();
}
