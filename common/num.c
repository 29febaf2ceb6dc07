/* num.c -- decimal text of integers without printf (see num.h). */
#include "common/num.h"

size_t num_format(char *out, long long v)
{
    char tmp[NUM_MAX];
    size_t n = 0, len = 0;
    /* the magnitude as unsigned: -LLONG_MIN does not fit a long long */
    unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
    do {
        tmp[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        out[len++] = '-';
    while (n)
        out[len++] = tmp[--n];
    out[len] = '\0';
    return len;
}
