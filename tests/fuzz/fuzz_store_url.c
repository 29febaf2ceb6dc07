/* fuzz_store_url.c -- libFuzzer target: store_url_parse (store/redis_url.c),
 * the one redis:// parser of the server and the CLI, must take any text
 * without crashing or reading out of bounds. Whatever it accepts must be a
 * usable address (a non-empty host of host characters, port 1-65535, db
 * 0-999999999) that, written back as redis://host:port/db, parses to the same
 * thing; whatever it refuses comes with a message. The same text goes
 * through store_sentinels_parse (the redis.sentinels list): between 1 and
 * STORE_SENTINELS_MAX usable addresses, or a refusal with a message. */
#include "fuzz.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/redis.h"

static int fuzz_hostchar(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '.' || c == '-' || c == '_' || c == ':';
}

static void fuzz_check(const store_url *u)
{
    size_t n = strlen(u->host);
    if (n == 0 || n >= STORE_URL_HOST_MAX || u->port < 1 || u->port > 65535 || u->db < 0 ||
        u->db > 999999999)
        abort();
    for (size_t i = 0; i < n; i++)
        if (!fuzz_hostchar(u->host[i]))
            abort();
    char again[STORE_URL_HOST_MAX + 64], err[160];
    int v6 = strchr(u->host, ':') != NULL;
    snprintf(again, sizeof(again), "redis://%s%s%s:%d/%d", v6 ? "[" : "", u->host, v6 ? "]" : "",
             u->port, u->db);
    store_url w;
    if (store_url_parse(again, &w, err, sizeof(err)) != 0 || strcmp(w.host, u->host) ||
        w.port != u->port || w.db != u->db)
        abort(); /* not stable under a round trip */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *url = malloc(size + 1);
    char err[160] = "";
    store_url u;
    memcpy(url, data, size);
    url[size] = '\0';
    if (store_url_parse(url, &u, err, sizeof(err)) == 0)
        fuzz_check(&u);
    else if (err[0] == '\0')
        abort(); /* a refusal always says why */
    store_url list[STORE_SENTINELS_MAX];
    err[0] = '\0';
    int n = store_sentinels_parse(url, list, STORE_SENTINELS_MAX, err, sizeof(err));
    if (n < 0 && err[0] == '\0')
        abort();
    if (n == 0 || n > STORE_SENTINELS_MAX)
        abort();
    for (int i = 0; i < n; i++)
        if (!list[i].host[0] || list[i].port < 1 || list[i].port > 65535)
            abort();
    free(url);
    return 0;
}
