/* buf.h -- a growable byte buffer, always NUL-terminated.
 *
 * Used to build replies, JSON and log lines. A zeroed struct buf is a valid
 * empty buffer. The caller owns the buffer's memory: free it with buf_free(),
 * or take it with buf_detach() (then free() it yourself). Allocation failure
 * aborts (xmalloc). */
#ifndef DVC_COMMON_BUF_H
#define DVC_COMMON_BUF_H

#include <stdarg.h>
#include <stddef.h>

typedef struct buf {
    char *data;     /* NUL-terminated when len > 0 or after any append */
    size_t len;
    size_t cap;
} buf;

void buf_append(buf *b, const void *p, size_t n);
/* Room for n more bytes (and the NUL) in one allocation, so that appending
 * them grows nothing: a body of a declared length, a string of known size. */
void buf_reserve(buf *b, size_t n);
void buf_puts(buf *b, const char *s);
void buf_putc(buf *b, char c);
void buf_printf(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Append s (n bytes of UTF-8) as the inside of a JSON string: quotes,
 * backslashes and control characters escaped. Does not add the quotes. */
void buf_json_escape(buf *b, const char *s, size_t n);
/* Append "s" as a JSON string literal, quotes included. NULL appends null. */
void buf_json_str(buf *b, const char *s);
void buf_reset(buf *b);
/* Returns the data (never NULL; "" for an empty buffer) and empties b. */
char *buf_detach(buf *b, size_t *len);
void buf_free(buf *b);

#endif
