/* keys.h -- agency API keys, stored as a SHA-256 hash only.
 *
 * Record: dvcbot:key:{sha256-hex of the whole key text} -> hash
 *   agency      the agency e-id the key is scoped to (keys_agency_valid)
 *   name        free label given at creation ("" when none)
 *   role        "agency" (the only role auth_agency accepts) or "operator"
 *               (a person of the /agent console: `agency` then holds the
 *               operator's name, which keys_lookup returns; no agency scope)
 *   created_at  ISO-8601 UTC, e.g. 2024-05-20T08:30:00Z
 * No TTL. The plaintext key is printed once by `dvcbot keys create` and never
 * stored or logged.
 *
 * Key text: "dvc_" + 43 characters of base64url (32 random bytes from
 * getrandom(2)), 47 characters in all (keys_text_valid checks the shape).
 *
 * Two APIs: keys_lookup() is asynchronous, for the server (store/redis.h);
 * the keys_*_sync() helpers take a blocking hiredis redisContext and are for
 * the command line only -- the server must never call them. */
#ifndef DVC_STORE_KEYS_H
#define DVC_STORE_KEYS_H

#include <stddef.h>
#include <stdio.h>
#include <hiredis/hiredis.h>

#include "store/redis.h"

#define KEYS_TEXT_LEN 47        /* "dvc_" + 43 base64url characters */
#define KEYS_HASH_HEX 65        /* 64 hex digits + NUL */
#define KEYS_AGENCY_MAX 40      /* longest e-id + NUL */

/* 1 if s is an agency e-id in canonical upper-case form: "NNN.NN.NN.Xnn"
 * (e.g. 000.00.12.H18) or "Xnn.N[.N..]" with 1-3 digit groups (H56.14). */
int keys_agency_valid(const char *s);
/* 1 if s (n bytes) has the shape of a key issued by keys_generate. */
int keys_text_valid(const char *s, size_t n);
/* Lower-case hex SHA-256 of n bytes (OpenSSL EVP). Returns 0 or -1. */
int keys_hash(const char *s, size_t n, char hex[KEYS_HASH_HEX]);
/* New random key text (NUL-terminated) and its hash. 0, or -1 when the
 * kernel gave no randomness. */
int keys_generate(char text[KEYS_TEXT_LEN + 1], char hex[KEYS_HASH_HEX]);

/* status 0: found, agency and role valid during the callback only;
 * status 1: no such key; status -1: Redis failed (or the record is
 * damaged). */
typedef void keys_lookup_fn(int status, const char *agency, const char *role, void *privdata);
/* Look up a hash (64 lower-case hex digits). Returns -1 without calling back
 * when the store is down or hex is malformed; otherwise fn runs exactly once. */
int keys_lookup(store *s, const char *hex, keys_lookup_fn *fn, void *privdata);

/* --- blocking helpers for `dvcbot keys` (never in the server) --- */

/* Connect to redis://host[:port][/db] (store_url_parse, the server's own
 * parser; SELECT done, ROLE checked to be master: store_connect_sync of
 * store/redis.h without Sentinels). NULL and a message in err on failure. Free with
 * redisFree(). */
redisContext *keys_connect_sync(const char *url, char *err, size_t errlen);
/* Store a key record (HSET). 0, or -1 with a message in err. */
int keys_store_sync(redisContext *c, const char *hex, const char *agency, const char *name,
                    char *err, size_t errlen);
/* Store an operator key (role "operator", agency = name = op_name, 1-100
 * printable bytes). 0, or -1 with a message in err. */
int keys_store_operator_sync(redisContext *c, const char *hex, const char *op_name,
                             char *err, size_t errlen);
/* Write one line per key (hash prefix, agency, name, role, created_at;
 * tab-separated, sorted by created_at) to out. Number of keys, or -1. */
int keys_list_sync(redisContext *c, FILE *out, char *err, size_t errlen);
/* Delete the one key whose hash starts with prefix (at least 8 hex digits).
 * 0 and the full hash in hex; -1 when none matches, several match, or Redis
 * failed (message in err). */
int keys_revoke_sync(redisContext *c, const char *prefix, char hex[KEYS_HASH_HEX],
                     char *err, size_t errlen);

#endif
