/* arg.c -- keys and numbers of Redis arguments without printf (see arg.h). */
#include "store/arg.h"

#include <stdlib.h>
#include <string.h>

#include "common/xmalloc.h"

char *store_arg_cat(const char *const *parts, size_t n, size_t *len)
{
    size_t lens[8], total = 0;
    size_t *l = n <= 8 ? lens : xcalloc(n, sizeof(*l));
    for (size_t i = 0; i < n; i++) {
        l[i] = parts[i] ? strlen(parts[i]) : 0;
        total += l[i];
    }
    char *out = xmalloc(total + 1), *p = out;
    for (size_t i = 0; i < n; i++) {
        if (l[i])
            memcpy(p, parts[i], l[i]);
        p += l[i];
    }
    *p = '\0';
    if (l != lens)
        free(l);
    if (len)
        *len = total;
    return out;
}
