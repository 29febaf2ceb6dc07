/* errors.c -- render the JSON error body (see errors.h). */
#include "channels/errors.h"

#include "common/buf.h"

char *error_render(const char *code, const char *message, size_t *len)
{
    buf b = {0};
    buf_puts(&b, "{\"error\":");
    buf_json_str(&b, code);
    buf_puts(&b, ",\"message\":");
    buf_json_str(&b, message ? message : "");
    buf_putc(&b, '}');
    return buf_detach(&b, len);
}
