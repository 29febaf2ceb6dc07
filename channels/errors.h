/* errors.h -- the JSON error body every HTTP endpoint answers with.
 *
 *   {"error": "<code>", "message": "<human text>"}   (SPEC.md, "Errors") */
#ifndef DVC_CHANNELS_ERRORS_H
#define DVC_CHANNELS_ERRORS_H

#include <stddef.h>

/* Returns a malloc'd NUL-terminated body; *len gets its length. */
char *error_render(const char *code, const char *message, size_t *len);

#endif
