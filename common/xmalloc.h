/* xmalloc.h -- allocation helpers that abort on out-of-memory.
 *
 * Every allocation in dvcbot goes through these: a failed allocation prints
 * one line to stderr and aborts, so callers never check for NULL. The memory
 * is freed with plain free(). */
#ifndef DVC_COMMON_XMALLOC_H
#define DVC_COMMON_XMALLOC_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t n);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
/* Copy of the first n bytes of s, NUL-terminated. */
char *xstrndup(const char *s, size_t n);

#endif
