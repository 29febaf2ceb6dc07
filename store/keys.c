/* keys.c -- agency API keys: format checks, hashing, generation, the async
 * lookup for the server and the blocking helpers of `dvcbot keys` (keys.h). */
#include "store/keys.h"
#include "store/redis.h"
#include "store/pubsub.h"

#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <openssl/evp.h>

#include "common/xmalloc.h"

#define KEYS_PREFIX "dvcbot:key:"
#define KEYS_RANDOM_BYTES 32

static int keys_is_digit(char c) { return c >= '0' && c <= '9'; }
static int keys_is_upper(char c) { return c >= 'A' && c <= 'Z'; }

static int keys_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!keys_is_digit(s[i]))
            return 0;
    return 1;
}

int keys_agency_valid(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 13)                /* NNN.NN.NN.Xnn */
        return keys_digits(s, 3) && s[3] == '.' && keys_digits(s + 4, 2) && s[6] == '.' &&
               keys_digits(s + 7, 2) && s[9] == '.' && keys_is_upper(s[10]) &&
               keys_digits(s + 11, 2);
    if (n < 5 || n >= KEYS_AGENCY_MAX || !keys_is_upper(s[0]) || !keys_digits(s + 1, 2))
        return 0;
    size_t i = 3, groups = 0;   /* Xnn then one or more ".N" of 1-3 digits */
    while (i < n) {
        if (s[i++] != '.')
            return 0;
        size_t st = i;
        while (i < n && keys_is_digit(s[i]))
            i++;
        if (i == st || i - st > 3)
            return 0;
        groups++;
    }
    return groups >= 1;
}

static int keys_b64url_char(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || keys_is_digit(c) || c == '-' ||
           c == '_';
}

int keys_text_valid(const char *s, size_t n)
{
    if (n != KEYS_TEXT_LEN || memcmp(s, "dvc_", 4) != 0)
        return 0;
    for (size_t i = 4; i < n; i++)
        if (!keys_b64url_char(s[i]))
            return 0;
    return 1;
}

int keys_hash(const char *s, size_t n, char hex[KEYS_HASH_HEX])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    if (!EVP_Digest(s, n, md, &mdlen, EVP_sha256(), NULL) || mdlen != 32)
        return -1;
    for (unsigned int i = 0; i < mdlen; i++)
        snprintf(hex + 2 * i, 3, "%02x", md[i]);
    return 0;
}

int keys_generate(char text[KEYS_TEXT_LEN + 1], char hex[KEYS_HASH_HEX])
{
    static const char b64[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    unsigned char r[KEYS_RANDOM_BYTES + 1] = {0};
    size_t got = 0;
    while (got < KEYS_RANDOM_BYTES) {
        ssize_t k = getrandom(r + got, KEYS_RANDOM_BYTES - got, 0);
        if (k <= 0)
            return -1;
        got += (size_t)k;
    }
    size_t o = 0;
    memcpy(text, "dvc_", 4);
    o = 4;
    for (size_t i = 0; i < KEYS_RANDOM_BYTES; i += 3) {   /* 32 bytes -> 43 chars */
        unsigned v = (unsigned)r[i] << 16 | (unsigned)r[i + 1] << 8 |
                     (i + 2 < KEYS_RANDOM_BYTES ? r[i + 2] : 0);
        size_t chars = i + 2 < KEYS_RANDOM_BYTES ? 4 : 3;
        for (size_t k = 0; k < chars; k++)
            text[o++] = b64[(v >> (18 - 6 * k)) & 63];
    }
    text[o] = '\0';
    memset(r, 0, sizeof(r));
    return o == KEYS_TEXT_LEN ? keys_hash(text, o, hex) : -1;
}

static int keys_hex_valid(const char *hex, size_t min, size_t max)
{
    size_t n = hex ? strlen(hex) : 0;
    if (n < min || n > max)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!keys_is_digit(hex[i]) && !(hex[i] >= 'a' && hex[i] <= 'f'))
            return 0;
    return 1;
}

/* --- async lookup --- */

typedef struct keys_call {
    keys_lookup_fn *fn;
    void *privdata;
} keys_call;

static void keys_on_lookup(redisReply *r, void *privdata)
{
    keys_call c = *(keys_call *)privdata;
    free(privdata);
    if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != 2) {
        c.fn(-1, NULL, NULL, c.privdata);
        return;
    }
    redisReply *agency = r->element[0], *role = r->element[1];
    if (agency->type == REDIS_REPLY_NIL && role->type == REDIS_REPLY_NIL)
        c.fn(1, NULL, NULL, c.privdata);
    else if (agency->type != REDIS_REPLY_STRING || role->type != REDIS_REPLY_STRING)
        c.fn(-1, NULL, NULL, c.privdata);
    else
        c.fn(0, agency->str, role->str, c.privdata);
}

int keys_lookup(store *s, const char *hex, keys_lookup_fn *fn, void *privdata)
{
    if (!s || !fn || !keys_hex_valid(hex, 64, 64))
        return -1;
    keys_call *c = xmalloc(sizeof(*c));
    c->fn = fn;
    c->privdata = privdata;
    if (store_command(s, keys_on_lookup, c, "HMGET " KEYS_PREFIX "%b agency role", hex,
                      (size_t)64) < 0) {
        free(c);
        return -1;
    }
    return 0;
}

/* --- blocking helpers for the command line --- */

redisContext *keys_connect_sync(const char *url, char *err, size_t errlen)
{
    store_options so = {.url = url}; /* one node: the url's, checked to be master */
    return store_connect_sync(&so, err, errlen);
}

/* Reply check of the blocking helpers: 0 if r is a reply of type, else -1
 * and a message. */
static int keys_reply_ok(redisContext *c, redisReply *r, int type, char *err, size_t errlen)
{
    if (r && r->type == type)
        return 0;
    snprintf(err, errlen, "redis: %s", !r ? c->errstr
                                          : r->type == REDIS_REPLY_ERROR ? r->str
                                                                         : "unexpected reply");
    return -1;
}

int keys_store_sync(redisContext *c, const char *hex, const char *agency, const char *name,
                    char *err, size_t errlen)
{
    if (!keys_hex_valid(hex, 64, 64) || !keys_agency_valid(agency)) {
        snprintf(err, errlen, "invalid key hash or agency");
        return -1;
    }
    char now[32];
    time_t t = time(NULL);
    struct tm tm;
    strftime(now, sizeof(now), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&t, &tm));
    name = name ? name : "";
    redisReply *r = redisCommand(c, "HSET " KEYS_PREFIX "%b agency %b name %b role agency "
                                    "created_at %b", hex, (size_t)64, agency, strlen(agency),
                                 name, strlen(name), now, strlen(now));
    int rc = keys_reply_ok(c, r, REDIS_REPLY_INTEGER, err, errlen);
    if (r)
        freeReplyObject(r);
    return rc;
}

int keys_store_operator_sync(redisContext *c, const char *hex, const char *op_name,
                             char *err, size_t errlen)
{
    size_t n = op_name ? strlen(op_name) : 0;
    if (!keys_hex_valid(hex, 64, 64) || n == 0 || n > 100) {
        snprintf(err, errlen, "invalid key hash or operator name");
        return -1;
    }
    char now[32];
    time_t t = time(NULL);
    struct tm tm;
    strftime(now, sizeof(now), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&t, &tm));
    redisReply *r = redisCommand(c, "HSET " KEYS_PREFIX "%b agency %b name %b role operator "
                                    "created_at %b", hex, (size_t)64, op_name, n, op_name, n,
                                 now, strlen(now));
    int rc = keys_reply_ok(c, r, REDIS_REPLY_INTEGER, err, errlen);
    if (r)
        freeReplyObject(r);
    return rc;
}

/* Every key name under dvcbot:key:, by SCAN. Returns a malloc'd array of
 * malloc'd names (*n of them), or NULL on a Redis error. */
static char **keys_scan(redisContext *c, size_t *n, char *err, size_t errlen)
{
    char cursor[32] = "0";
    char **names = NULL;
    *n = 0;
    do {
        redisReply *r = redisCommand(c, "SCAN %s MATCH " KEYS_PREFIX "* COUNT 500", cursor);
        if (keys_reply_ok(c, r, REDIS_REPLY_ARRAY, err, errlen) < 0 || r->elements != 2 ||
            r->element[0]->type != REDIS_REPLY_STRING) {
            if (r)
                freeReplyObject(r);
            for (size_t i = 0; i < *n; i++)
                free(names[i]);
            free(names);
            return NULL;
        }
        snprintf(cursor, sizeof(cursor), "%s", r->element[0]->str);
        redisReply *list = r->element[1];
        names = xrealloc(names, (*n + list->elements + 1) * sizeof(*names));
        for (size_t i = 0; i < list->elements; i++)
            names[(*n)++] = xstrndup(list->element[i]->str, list->element[i]->len);
        freeReplyObject(r);
    } while (strcmp(cursor, "0") != 0);
    return names;
}

static void keys_names_free(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

typedef struct keys_row {
    char *line;
    char created[32];
} keys_row;

static int keys_row_cmp(const void *a, const void *b)
{
    const keys_row *x = a, *y = b;
    int d = strcmp(x->created, y->created);
    return d ? d : strcmp(x->line, y->line);
}

/* One listing line of a key record (hash prefix and fields, never the key). */
static char *keys_row_line(redisReply *r, const char *name, char *created, size_t cap)
{
    const char *f[4] = {"", "", "", ""};    /* agency name role created_at */
    for (size_t i = 0; i < r->elements && i < 4; i++)
        if (r->element[i]->type == REDIS_REPLY_STRING)
            f[i] = r->element[i]->str;
    snprintf(created, cap, "%s", f[3]);
    size_t len = strlen(f[0]) + strlen(f[1]) + strlen(f[2]) + strlen(f[3]) + 32;
    char *line = xmalloc(len);
    snprintf(line, len, "%.12s\t%s\t%s\t%s\t%s", name + strlen(KEYS_PREFIX), f[0], f[1], f[2],
             f[3]);
    return line;
}

int keys_list_sync(redisContext *c, FILE *out, char *err, size_t errlen)
{
    size_t n;
    char **names = keys_scan(c, &n, err, errlen);
    if (!names)
        return -1;
    keys_row *rows = xcalloc(n + 1, sizeof(*rows));
    size_t m = 0;
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        redisReply *r = redisCommand(c, "HMGET %b agency name role created_at", names[i],
                                     strlen(names[i]));
        rc = keys_reply_ok(c, r, REDIS_REPLY_ARRAY, err, errlen);
        if (rc == 0 && r->elements == 4 && r->element[0]->type == REDIS_REPLY_STRING) {
            rows[m].line = keys_row_line(r, names[i], rows[m].created, sizeof(rows[m].created));
            m++;
        }
        if (r)
            freeReplyObject(r);
    }
    qsort(rows, m, sizeof(*rows), keys_row_cmp);
    for (size_t i = 0; i < m; i++) {
        if (rc == 0)
            fprintf(out, "%s\n", rows[i].line);
        free(rows[i].line);
    }
    free(rows);
    keys_names_free(names, n);
    return rc < 0 ? -1 : (int)m;
}

int keys_revoke_sync(redisContext *c, const char *prefix, char hex[KEYS_HASH_HEX],
                     char *err, size_t errlen)
{
    if (!keys_hex_valid(prefix, 8, 64)) {
        snprintf(err, errlen, "--hash needs 8 to 64 lower-case hex digits");
        return -1;
    }
    size_t n, found = 0, plen = strlen(KEYS_PREFIX);
    char **names = keys_scan(c, &n, err, errlen);
    if (!names)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (strlen(names[i]) == plen + 64 && !strncmp(names[i] + plen, prefix, strlen(prefix))) {
            if (found++ == 0)
                snprintf(hex, KEYS_HASH_HEX, "%s", names[i] + plen);
        }
    }
    keys_names_free(names, n);
    if (found != 1) {
        if (found)
            snprintf(err, errlen, "%zu keys match '%s': give more digits", found, prefix);
        else
            snprintf(err, errlen, "no key matches '%s'", prefix);
        return -1;
    }
    redisReply *r = redisCommand(c, "DEL " KEYS_PREFIX "%b", hex, (size_t)64);
    int rc = keys_reply_ok(c, r, REDIS_REPLY_INTEGER, err, errlen);
    if (rc == 0 && r->integer != 1) {
        snprintf(err, errlen, "key %.12s vanished meanwhile", hex);
        rc = -1;
    }
    if (r)
        freeReplyObject(r);
    if (rc == 0) { /* every instance closes the consoles logged in with it (store/pubsub.h) */
        r = redisCommand(c, "PUBLISH %s %b", STORE_EV_REVOKED, hex, (size_t)64);
        if (r)
            freeReplyObject(r);
    }
    return rc;
}
