/* arg.h -- the pieces of Redis arguments that store/ builds for every
 * command (keys; numbers by common/num.h), without printf: glibc's snprintf costs ~700
 * instructions a call, and an SMS MO built ~20 of them (docs/performance.md).
 *
 * Owner: store/ (used by its modules only; nothing here talks to Redis).
 * Nothing allocates except store_arg_cat; no function fails. */
#ifndef DVC_STORE_ARG_H
#define DVC_STORE_ARG_H

#include <stddef.h>

#include "common/num.h"    /* the numbers: num_format(), NUM_MAX bytes */

/* The concatenation of the n NUL-terminated strings parts (a NULL part is
 * ""), in a new xmalloc'd string (the caller frees it). *len gets its
 * length when len is not NULL. */
char *store_arg_cat(const char *const *parts, size_t n, size_t *len);

#endif
