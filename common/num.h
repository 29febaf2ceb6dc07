/* num.h -- decimal text of integers without printf: glibc's snprintf costs
 * ~700 instructions a call, and a turn formats several (Redis arguments,
 * lease tokens, numbered lines; docs/performance.md).
 *
 * Nothing allocates; nothing fails. */
#ifndef DVC_COMMON_NUM_H
#define DVC_COMMON_NUM_H

#include <stddef.h>

#define NUM_MAX 21    /* "-9223372036854775808" + NUL */

/* The decimal text of v into out (room for at least NUM_MAX bytes),
 * NUL-terminated, as printf's "%lld" writes it. Returns its length. */
size_t num_format(char *out, long long v);

#endif
