/* log.h -- one JSON line per event on stderr, with personal data masked.
 *
 * Phone numbers are personal data: every digit run of 7 or more digits in a
 * logged user id or text is masked, keeping the first and last 4 digits of
 * long runs (84901234567 -> 8490***4567) and 2 of shorter ones. */
#ifndef DVC_BOT_APP_LOG_H
#define DVC_BOT_APP_LOG_H

#include <stddef.h>

/* Write the masked form of s into out (always NUL-terminated, truncated to cap). */
void log_mask(const char *s, char *out, size_t cap);

/* {"ts":..,"level":"info","msg":..} -- msg is a fixed, non-personal text. */
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

typedef struct log_req {
    const char *method;
    const char *route;      /* "/api/v1/chat", ... */
    int status;
    double ms;
    const char *channel;    /* NULL when none */
    const char *user;       /* masked by log_request; NULL when none */
    const char *intent;     /* NULL when none */
    const char *error;      /* error code, NULL when none */
} log_req;

void log_request(const log_req *r);

#endif
