/* log.c -- JSON log lines with masked phone numbers (see log.h). */
#include "bot/app/log.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common/buf.h"

void log_mask(const char *s, char *out, size_t cap)
{
    size_t o = 0;
    if (cap == 0)
        return;
    for (size_t i = 0; s[i] && o + 1 < cap;) {
        size_t run = 0;
        while (isdigit((unsigned char)s[i + run]))
            run++;
        if (run < 7) {
            out[o++] = s[i++];
            continue;
        }
        size_t keep = run >= 10 ? 4 : 2;
        for (size_t k = 0; k < keep && o + 1 < cap; k++)
            out[o++] = s[i + k];
        for (int k = 0; k < 3 && o + 1 < cap; k++)
            out[o++] = '*';
        for (size_t k = run - keep; k < run && o + 1 < cap; k++)
            out[o++] = s[i + k];
        i += run;
    }
    out[o] = '\0';
}

static void log_ts(buf *b)
{
    struct timespec ts;
    struct tm tm;
    char t[32];
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    strftime(t, sizeof(t), "%Y-%m-%dT%H:%M:%S", &tm);
    buf_printf(b, "{\"ts\":\"%s.%03ldZ\"", t, ts.tv_nsec / 1000000);
}

__attribute__((format(printf, 2, 0)))
static void log_line(const char *level, const char *fmt, va_list ap)
{
    char msg[512];
    vsnprintf(msg, sizeof(msg), fmt, ap);
    buf b = {0};
    log_ts(&b);
    buf_printf(&b, ",\"level\":\"%s\",\"msg\":", level);
    buf_json_str(&b, msg);
    buf_puts(&b, "}\n");
    fwrite(b.data, 1, b.len, stderr);
    buf_free(&b);
}

void log_info(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    log_line("info", fmt, ap);
    va_end(ap);
}

void log_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    log_line("error", fmt, ap);
    va_end(ap);
}

static void log_field(buf *b, const char *name, const char *v)
{
    if (!v)
        return;
    buf_printf(b, ",\"%s\":", name);
    buf_json_str(b, v);
}

void log_request(const log_req *r)
{
    buf b = {0};
    log_ts(&b);
    buf_puts(&b, ",\"level\":\"info\",\"msg\":\"request\"");
    log_field(&b, "method", r->method);
    if (r->route) {
        char route[160];
        log_mask(r->route, route, sizeof(route));
        log_field(&b, "route", route);
    }
    buf_printf(&b, ",\"status\":%d,\"ms\":%.3f", r->status, r->ms);
    log_field(&b, "channel", r->channel);
    if (r->user) {
        char masked[160];
        log_mask(r->user, masked, sizeof(masked));
        log_field(&b, "user", masked);
    }
    log_field(&b, "intent", r->intent);
    log_field(&b, "error", r->error);
    buf_puts(&b, "}\n");
    fwrite(b.data, 1, b.len, stderr);
    buf_free(&b);
}
