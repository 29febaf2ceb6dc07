/* messages.h -- user-facing texts from config/messages.vi.json.
 *
 * The file maps keys to {"vi": "...", "en": "..."}; Vietnamese first, English
 * second. No user-facing text lives in C: code names a key. Texts may hold
 * {name} placeholders filled by messages_format().
 *
 * A messages object changes only in messages_reload(); a string it returns
 * lives until the object is freed or reloaded twice (a request in flight
 * across one reload keeps its text). */
#ifndef DVC_BOT_APP_MESSAGES_H
#define DVC_BOT_APP_MESSAGES_H

#include <stdarg.h>
#include <stddef.h>

typedef struct messages messages;
struct buf;

/* Load and check the file: every entry must be an object with non-empty
 * "vi" and "en" strings, and every key in messages_required() must exist.
 * Returns NULL and "path: key.vi: problem" in err on failure. */
messages *messages_load(const char *path, char *err, size_t errlen);
/* The same from len bytes of JSON in memory; name stands for the file in
 * errors (tests/fuzz/fuzz_messages.c). */
messages *messages_load_buf(const char *json, size_t len, const char *name, char *err,
                            size_t errlen);
void messages_free(messages *m);
/* SIGHUP: load path again and, when it passes messages_load()'s checks, put
 * its texts in place of m's (the same object, so every borrower sees them).
 * Returns 0, or -1 with err set and m unchanged. */
int messages_reload(messages *m, const char *path, char *err, size_t errlen);

/* The text for key in lang ("vi" or "en"; anything else means "vi"). A
 * missing key returns the key itself (and check-config reports it). */
const char *messages_get(const messages *m, const char *key, const char *lang);

/* Append the text for key to b with each {name} replaced by the value that
 * follows name in the NULL-terminated list of (name, value) pairs. An unknown
 * placeholder is kept as it is. */
void messages_format(const messages *m, const char *key, const char *lang, struct buf *b, ...);
/* The same with the (name, value) list as a va_list. */
void messages_vformat(const messages *m, const char *key, const char *lang, struct buf *b,
                      va_list ap);

/* NULL-terminated list of the keys the code uses. */
const char *const *messages_required(void);

#endif
