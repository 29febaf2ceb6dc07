/* strs.c -- lists of NUL-ended strings in one string (see strs.h). */
#include "common/strs.h"

#include <string.h>

size_t strs_split(const char *p, size_t len, const char **out, size_t max)
{
    size_t n = 0;
    for (const char *q = p, *end = p + len; q < end; q += strlen(q) + 1) {
        if (out && n == max)
            break;
        if (out)
            out[n] = q;
        n++;
    }
    return n;
}

const char *strs_at(const char *p, size_t len, size_t i)
{
    for (const char *q = p, *end = p + len; q < end; q += strlen(q) + 1)
        if (i-- == 0)
            return q;
    return NULL;
}

size_t strs_drop_last(const char *p, size_t len)
{
    const char *last = NULL;
    for (const char *q = p, *end = p + len; q < end; q += strlen(q) + 1)
        last = q;
    return last ? (size_t)(last - p) : 0;
}
