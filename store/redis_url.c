/* redis_url.c -- the one parser of redis://host[:port][/db] (store/redis.h),
 * used by the server's connection (store_new) and by the blocking helpers of
 * the command line (keys_connect_sync), and of the redis.sentinels list.
 * Pure: no I/O, no allocation. */
#include "store/redis.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define STORE_URL_DEFAULT_PORT 6379
#define STORE_URL_SCHEME "redis://"

static void store_url_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void store_url_err(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;

    if (err == NULL || errlen == 0)
        return;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

static int store_url_hostchar(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_';
}

/* Up to maxdigits decimal digits at *pp into *out (and no digit after
 * them); 0 or -1. */
static int store_url_num(const char **pp, int maxdigits, long *out)
{
    const char *p = *pp;
    long v = 0;
    int n = 0;

    while (*p >= '0' && *p <= '9' && n < maxdigits) {
        v = v * 10 + (*p - '0');
        p++;
        n++;
    }
    if (n == 0 || (*p >= '0' && *p <= '9'))
        return -1;
    *pp = p;
    *out = v;
    return 0;
}

/* The host part: a name / IPv4 address, or an IPv6 address in brackets
 * (stored without them). Returns what follows it, or NULL. */
static const char *store_url_host(const char *p, char host[STORE_URL_HOST_MAX])
{
    const char *start, *end;

    if (*p == '[') {
        start = ++p;
        while (*p && *p != ']' && (store_url_hostchar(*p) || *p == ':'))
            p++;
        if (*p != ']')
            return NULL;
        end = p++;
    } else {
        start = p;
        while (store_url_hostchar(*p))
            p++;
        end = p;
    }
    if (end == start || (size_t)(end - start) >= STORE_URL_HOST_MAX)
        return NULL;
    memcpy(host, start, (size_t)(end - start));
    host[end - start] = '\0';
    return p;
}

/* ":port" and "/db" after the host; 0 or -1 (message in err). */
static int store_url_tail(const char *url, const char *p, store_url *out, char *err,
                          size_t errlen)
{
    long v;

    if (*p == ':') {
        p++;
        if (store_url_num(&p, 5, &v) < 0 || v < 1 || v > 65535) {
            store_url_err(err, errlen, "redis url: port must be 1-65535 in '%.60s'", url);
            return -1;
        }
        out->port = (int)v;
    }
    if (*p == '/' && p[1] != '\0') {
        p++;
        if (store_url_num(&p, 9, &v) < 0) {
            store_url_err(err, errlen, "redis url: database must be a number in '%.60s'", url);
            return -1;
        }
        out->db = (int)v;
    } else if (*p == '/') {
        p++;
    }
    if (*p != '\0') {
        store_url_err(err, errlen, "redis url: unexpected '%.20s' in '%.60s'", p, url);
        return -1;
    }
    return 0;
}

int store_url_parse(const char *url, store_url *out, char *err, size_t errlen)
{
    store_url u = {.port = STORE_URL_DEFAULT_PORT, .db = 0};
    const char *p;

    if (url == NULL || *url == '\0') {
        store_url_err(err, errlen, "redis url is empty");
        return -1;
    }
    if (strncmp(url, STORE_URL_SCHEME, strlen(STORE_URL_SCHEME)) != 0) {
        store_url_err(err, errlen, "redis url must look like redis://host:port/db, got '%.60s'",
                      url);
        return -1;
    }
    p = url + strlen(STORE_URL_SCHEME);
    if (strchr(p, '@') != NULL) {
        store_url_err(err, errlen, "redis url: credentials are not supported");
        return -1;
    }
    p = store_url_host(p, u.host);
    if (p == NULL) {
        store_url_err(err, errlen, "redis url: missing or invalid host in '%.60s'", url);
        return -1;
    }
    if (store_url_tail(url, p, &u, err, errlen) < 0)
        return -1;
    if (out != NULL)
        *out = u;
    return 0;
}

int store_sentinels_parse(const char *list, store_url *out, size_t max, char *err,
                          size_t errlen)
{
    size_t n = 0;
    const char *p = list;
    if (list == NULL || *list == '\0') {
        store_url_err(err, errlen, "redis.sentinels is empty");
        return -1;
    }
    while (*p) {
        store_url u = {.port = STORE_SENTINEL_DEFAULT_PORT, .db = 0};
        long v;
        while (*p == ' ')
            p++;
        const char *q = store_url_host(p, u.host);
        if (q == NULL) {
            store_url_err(err, errlen, "redis.sentinels: bad host at '%.40s'", p);
            return -1;
        }
        if (*q == ':') {
            q++;
            if (store_url_num(&q, 5, &v) < 0 || v < 1 || v > 65535) {
                store_url_err(err, errlen, "redis.sentinels: port must be 1-65535 at '%.40s'", p);
                return -1;
            }
            u.port = (int)v;
        }
        while (*q == ' ')
            q++;
        if (*q != ',' && *q != '\0') {
            store_url_err(err, errlen, "redis.sentinels: expected host:port,... at '%.40s'", p);
            return -1;
        }
        if (n == max) {
            store_url_err(err, errlen, "redis.sentinels: more than %zu", max);
            return -1;
        }
        if (out != NULL)
            out[n] = u;
        n++;
        p = *q == ',' ? q + 1 : q;
        if (*q == ',' && *p == '\0') {
            store_url_err(err, errlen, "redis.sentinels: empty entry at the end");
            return -1;
        }
    }
    return (int)n;
}
