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
#include <string.h>

typedef struct buf {
    char *data;     /* NUL-terminated when len > 0 or after any append */
    size_t len;
    size_t cap;
} buf;

/* Append n bytes of p. Inline: the usual case is a copy into room there
 * is (a literal's length known at compile time); buf_append_grow() is the
 * rest, called only from here. */
void buf_append_grow(buf *b, const void *p, size_t n);
static inline void buf_append(buf *b, const void *p, size_t n)
{
    if (b->len + n >= b->cap) {
        buf_append_grow(b, p, n);
        return;
    }
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
}
/* Room for n more bytes (and the NUL) in one allocation, so that appending
 * them grows nothing: a body of a declared length, a string of known size. */
void buf_reserve(buf *b, size_t n);
static inline void buf_puts(buf *b, const char *s)
{
    buf_append(b, s, strlen(s));
}
static inline void buf_putc(buf *b, char c)
{
    buf_append(b, &c, 1);
}
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
