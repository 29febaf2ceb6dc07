/* auth.c -- "Authorization: Bearer <key>" -> agency e-id (see auth.h).
 *
 * The header is checked for shape first (scheme "Bearer", case-insensitive,
 * and a key shaped as keys_generate makes them): a malformed or missing
 * header is answered 401 without touching Redis. A well-formed key is hashed
 * (SHA-256) and the hash looked up; the plaintext key never leaves this
 * function. No timing-safe compare is needed: Redis looks the hash up. */
#include "bot/http/auth.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bot/http/http.h"
#include "bot/http/http_gate.h"
#include "store/keys.h"
#include "common/xmalloc.h"

typedef struct auth_call {
    auth_fn *fn;
    void *privdata;
} auth_call;

static void auth_on_lookup(int status, const char *agency, const char *role, void *privdata)
{
    auth_call c = *(auth_call *)privdata;
    free(privdata);
    if (status == 0 && !strcmp(role, "agency") && keys_agency_valid(agency))
        c.fn(0, agency, c.privdata);
    else if (status >= 0)
        c.fn(401, NULL, c.privdata);  /* unknown key, or a role that is not an agency */
    else
        c.fn(503, NULL, c.privdata);
}

/* The key inside "Bearer <key>" (surrounding blanks allowed), or NULL. */
static const char *auth_bearer(char *h, size_t *n)
{
    while (*h == ' ' || *h == '\t')
        h++;
    if (strncasecmp(h, "Bearer", 6) != 0 || (h[6] != ' ' && h[6] != '\t'))
        return NULL;
    h += 6;
    while (*h == ' ' || *h == '\t')
        h++;
    size_t len = strlen(h);
    while (len && (h[len - 1] == ' ' || h[len - 1] == '\t'))
        len--;
    *n = len;
    return keys_text_valid(h, len) ? h : NULL;
}

int auth_bearer_hash(struct lws *wsi, char *hex)
{
    char h[256];
    size_t n = 0;
    const char *key = NULL;
    if (lws_hdr_copy(wsi, h, sizeof(h), WSI_TOKEN_HTTP_AUTHORIZATION) > 0)
        key = auth_bearer(h, &n);
    int rc = key && keys_hash(key, n, hex) == 0 ? 0 : -1;
    memset(h, 0, sizeof(h));
    return rc;
}

void auth_agency(struct lws *wsi, store *s, auth_fn *fn, void *privdata)
{
    char hex[KEYS_HASH_HEX];
    if (auth_bearer_hash(wsi, hex) < 0) {
        fn(401, NULL, privdata);
        return;
    }
    auth_call *c = xmalloc(sizeof(*c));
    c->fn = fn;
    c->privdata = privdata;
    if (keys_lookup(s, hex, auth_on_lookup, c) < 0) {
        free(c);
        fn(503, NULL, privdata);
    }
}

/* The first "secret=" URI argument (decoded by lws), copied into ctx. */
typedef struct auth_arg {
    char *value;
    size_t len;
} auth_arg;

static void auth_secret_arg(const char *name, size_t nlen, const char *value, size_t vlen,
                            void *ctx)
{
    auth_arg *a = ctx;
    if (!a->value && nlen == 6 && !memcmp(name, "secret", 6)) {
        a->value = xmalloc(vlen + 1);
        memcpy(a->value, value, vlen + 1);
        a->len = vlen;
    }
}

/* Constant time in the length of the configured secret. */
static int auth_same(const char *given, size_t glen, const char *secret)
{
    size_t n = strlen(secret);
    unsigned char d = glen != n;
    for (size_t i = 0; i < n; i++)
        d |= (unsigned char)((i < glen ? given[i] : 0) ^ secret[i]);
    return d == 0;
}

static int auth_secret_ok(struct lws *wsi, const char *secret)
{
    char h[256];
    int n = lws_hdr_custom_copy(wsi, h, sizeof(h), "x-dvcbot-secret:", 16);
    if (n < 0)
        n = lws_hdr_custom_copy(wsi, h, sizeof(h), "X-Dvcbot-Secret:", 16);
    if (n >= 0)
        return auth_same(h, (size_t)n, secret);
    auth_arg a = {0};
    http_args_each(wsi, auth_secret_arg, &a);
    int ok = a.value && auth_same(a.value, a.len, secret);
    free(a.value);
    return ok;
}

int auth_channel(struct lws *wsi)
{
    const config *c = http_app(wsi)->cfg;
    if (*c->channels.allow_ips) {
        char peer[64];
        http_gate_peer(wsi, peer, sizeof(peer));
        if (!config_addr_in(c->channels.allow_ips, peer))
            return 0;
    }
    return !*c->channels.secret || auth_secret_ok(wsi, c->channels.secret);
}
