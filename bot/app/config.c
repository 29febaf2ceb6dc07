/* config.c -- load, override and check dvcbot.json (see config.h).
 *
 * The schema is the table config_fields: one row per setting, with its type,
 * its range and where it lands in struct config. Adding a setting means one
 * row here, one field in config.h and one line in config/dvcbot.json. */
#include "bot/app/config.h"

#include <arpa/inet.h>
#include <stdint.h>
#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/xmalloc.h"

typedef enum { CF_INT, CF_BOOL, CF_STR, CF_PATH } cf_type;

typedef struct cf_field {
    const char *section, *key;
    cf_type type;
    long min, max;              /* CF_INT range; CF_STR/CF_PATH: min length */
    size_t offset;
} cf_field;

#define CF(sec, key, type, min, max, member) \
    {sec, key, type, min, max, offsetof(config, member)}

static const cf_field config_fields[] = {
    CF("http", "bind", CF_STR, 1, 0, http.bind),
    CF("http", "port", CF_INT, 1, 65535, http.port),
    CF("http", "max_body", CF_INT, 64, 64L << 20, http.max_body),
    CF("http", "keepalive_s", CF_INT, 1, 3600, http.keepalive_s),
    CF("http", "web_root", CF_PATH, 1, 0, http.web_root),
    CF("http", "watchdog_s", CF_INT, 0, 3600, http.watchdog_s),
    CF("http", "public_url", CF_STR, 0, 0, http.public_url),
    CF("redis", "url", CF_STR, 1, 0, redis.url),
    CF("redis", "timeout_ms", CF_INT, 10, 60000, redis.timeout_ms),
    CF("redis", "reconnect_max_ms", CF_INT, 100, 600000, redis.reconnect_max_ms),
    CF("redis", "sentinels", CF_STR, 0, 0, redis.sentinels),
    CF("redis", "master_name", CF_STR, 1, 0, redis.master_name),
    CF("redis", "password", CF_STR, 0, 0, redis.password),
    CF("redis", "wait_replicas", CF_INT, -1, 16, redis.wait_replicas),
    CF("redis", "wait_timeout_ms", CF_INT, 10, 60000, redis.wait_timeout_ms),
    CF("session", "ttl_s", CF_INT, 10, 30 * 86400, session.ttl_s),
    CF("chat", "max_text", CF_INT, 1, 1 << 20, chat.max_text),
    CF("log", "requests", CF_BOOL, 0, 1, log.requests),
    CF("domain", "miss_limit", CF_INT, 1, 1000, domain.miss_limit),
    CF("domain", "miss_window_s", CF_INT, 1, 86400, domain.miss_window_s),
    CF("domain", "complaint_max_text", CF_INT, 10, 100000, domain.complaint_max_text),
    CF("domain", "complaint_agency", CF_STR, 1, 0, domain.complaint_agency),
    CF("domain", "tz_offset_min", CF_INT, -720, 840, domain.tz_offset_min),
    CF("domain", "fee_max_vnd", CF_INT, 1, 499999999, domain.fee_max_vnd),
    CF("sms", "unicode", CF_BOOL, 0, 1, sms.unicode),
    CF("sms", "max_segments", CF_INT, 1, 10, sms.max_segments),
    CF("sms", "max_pages", CF_INT, 1, 9, sms.max_pages),
    CF("sms", "max_text", CF_INT, 16, 100000, sms.max_text),
    CF("sms", "dedup_ttl_s", CF_INT, 60, 30 * 86400, sms.dedup_ttl_s),
    CF("sms", "outbox", CF_BOOL, 0, 1, sms.outbox),
    CF("sms", "kannel_sendsms_url", CF_STR, 1, 0, sms.kannel_sendsms_url),
    CF("sms", "username", CF_STR, 1, 0, sms.username),
    CF("sms", "password", CF_STR, 0, 0, sms.password),
    CF("sms", "from", CF_STR, 0, 0, sms.from),
    CF("sms", "segments_per_s", CF_INT, 1, 100000, sms.segments_per_s),
    CF("sms", "max_inflight", CF_INT, 1, 256, sms.max_inflight),
    CF("sms", "dlr_base_url", CF_STR, 0, 0, sms.dlr_base_url),
    CF("sms", "max_attempts", CF_INT, 1, 100, sms.max_attempts),
    CF("sms", "retry_base_ms", CF_INT, 10, 3600000, sms.retry_base_ms),
    CF("sms", "retry_max_ms", CF_INT, 100, 86400000, sms.retry_max_ms),
    CF("sms", "timeout_ms", CF_INT, 100, 600000, sms.timeout_ms),
    CF("sms", "retention_days", CF_INT, 1, 3650, sms.retention_days),
    CF("channels", "secret", CF_STR, 0, 0, channels.secret),
    CF("channels", "allow_ips", CF_STR, 0, 0, channels.allow_ips),
    CF("limits", "window_s", CF_INT, 1, 86400, limits.window_s),
    CF("limits", "addr_per_window", CF_INT, 0, 1 << 30, limits.addr_per_window),
    CF("limits", "agency_per_window", CF_INT, 0, 1 << 30, limits.agency_per_window),
    CF("limits", "identity_per_window", CF_INT, 0, 1 << 30, limits.identity_per_window),
    CF("limits", "trusted_proxies", CF_STR, 0, 0, limits.trusted_proxies),
    CF("limits", "miss_addr_limit", CF_INT, 0, 1 << 30, limits.miss_addr_limit),
    CF("limits", "complaints_per_day", CF_INT, 0, 1 << 30, limits.complaints_per_day),
    CF("limits", "complaints_addr_per_day", CF_INT, 0, 1 << 30, limits.complaints_addr_per_day),
    CF("limits", "handoffs_per_hour", CF_INT, 0, 1 << 30, limits.handoffs_per_hour),
    CF("limits", "status_changes_per_hour", CF_INT, 0, 1 << 30, limits.status_changes_per_hour),
    CF("limits", "subs_per_dossier", CF_INT, 1, 1 << 30, limits.subs_per_dossier),
    CF("limits", "subs_per_member", CF_INT, 1, 1000, limits.subs_per_member),
    CF("limits", "fanout_batch", CF_INT, 1, 10000, limits.fanout_batch),
    CF("webchat", "max_frame", CF_INT, 256, 1 << 20, webchat.max_frame),
    CF("webchat", "allowed_origins", CF_STR, 0, 0, webchat.allowed_origins),
    CF("webchat", "ping_s", CF_INT, 1, 3600, webchat.ping_s),
    CF("webchat", "idle_timeout_s", CF_INT, 2, 86400, webchat.idle_timeout_s),
    CF("webchat", "notice_poll_ms", CF_INT, 50, 60000, webchat.notice_poll_ms),
    CF("webchat", "max_out", CF_INT, 4, 100000, webchat.max_out),
    CF("webchat", "agent_wait_s", CF_INT, 1, 86400, webchat.agent_wait_s),
    CF("ussd", "session_ttl_s", CF_INT, 10, 86400, ussd.session_ttl_s),
    CF("ussd", "unicode", CF_BOOL, 0, 1, ussd.unicode),
    CF("ussd", "max_pages", CF_INT, 1, 20, ussd.max_pages),
    CF("push", "max_attempts", CF_INT, 1, 100, push.max_attempts),
    CF("push", "retry_base_ms", CF_INT, 10, 3600000, push.retry_base_ms),
    CF("push", "retry_max_ms", CF_INT, 100, 86400000, push.retry_max_ms),
    CF("push", "quota_retry_ms", CF_INT, 10, 86400000, push.quota_retry_ms),
    CF("push", "timeout_ms", CF_INT, 100, 600000, push.timeout_ms),
    CF("push", "dedup_ttl_s", CF_INT, 60, 30 * 86400, push.dedup_ttl_s),
    CF("push", "poll_ms", CF_INT, 10, 60000, push.poll_ms),
    CF("push", "max_inflight", CF_INT, 1, 64, push.max_inflight),
    CF("push", "notices_window_s", CF_INT, 60, 400 * 86400, push.notices_window_s),
    CF("zalo", "enabled", CF_BOOL, 0, 1, zalo.enabled),
    CF("zalo", "app_id", CF_STR, 0, 0, zalo.app_id),
    CF("zalo", "app_secret", CF_STR, 0, 0, zalo.app_secret),
    CF("zalo", "oa_secret", CF_STR, 0, 0, zalo.oa_secret),
    CF("zalo", "access_token", CF_STR, 0, 0, zalo.access_token),
    CF("zalo", "refresh_token", CF_STR, 0, 0, zalo.refresh_token),
    CF("zalo", "api_url", CF_STR, 1, 0, zalo.api_url),
    CF("zalo", "oauth_url", CF_STR, 1, 0, zalo.oauth_url),
    CF("zalo", "zns_url", CF_STR, 1, 0, zalo.zns_url),
    CF("zalo", "zns_template_id", CF_STR, 0, 0, zalo.zns_template_id),
    CF("zalo", "zns_code_param", CF_STR, 1, 0, zalo.zns_code_param),
    CF("zalo", "zns_status_param", CF_STR, 1, 0, zalo.zns_status_param),
    CF("zalo", "timestamp_window_s", CF_INT, 0, 86400, zalo.timestamp_window_s),
    CF("zalo", "reply_window_s", CF_INT, 60, 30 * 86400, zalo.reply_window_s),
    CF("zalo", "sends_per_s", CF_INT, 1, 10000, zalo.sends_per_s),
    CF("telegram", "enabled", CF_BOOL, 0, 1, telegram.enabled),
    CF("telegram", "bot_token", CF_STR, 0, 0, telegram.bot_token),
    CF("telegram", "secret_token", CF_STR, 0, 0, telegram.secret_token),
    CF("telegram", "api_url", CF_STR, 1, 0, telegram.api_url),
    CF("telegram", "sends_per_s", CF_INT, 1, 10000, telegram.sends_per_s),
    CF("files", "intents", CF_PATH, 1, 0, files.intents),
    CF("files", "messages", CF_PATH, 1, 0, files.messages),
    CF("files", "catalogue", CF_PATH, 1, 0, files.catalogue),
    CF("files", "procedure_aspects", CF_PATH, 1, 0, files.procedure_aspects),
    CF("files", "ussd", CF_PATH, 1, 0, files.ussd),
};
#define CONFIG_NFIELDS (sizeof(config_fields) / sizeof(config_fields[0]))

const char *config_default_path(void)
{
    const char *p = getenv("DVCBOT_CONFIG");
    return p && *p ? p : "config/dvcbot.json";
}

static void config_env_name(const cf_field *f, char *out, size_t cap)
{
    size_t n = (size_t)snprintf(out, cap, "DVCBOT_%s_%s", f->section, f->key);
    for (size_t i = 0; i < n && i < cap; i++)
        out[i] = (char)toupper((unsigned char)out[i]);
}

/* Parse an environment value into the JSON type the field expects. */
static json_t *config_env_value(const cf_field *f, const char *v)
{
    if (f->type == CF_STR || f->type == CF_PATH)
        return json_string(v);
    if (f->type == CF_BOOL) {
        if (!strcmp(v, "1") || !strcmp(v, "true") || !strcmp(v, "yes"))
            return json_true();
        if (!strcmp(v, "0") || !strcmp(v, "false") || !strcmp(v, "no"))
            return json_false();
        return NULL;
    }
    char *end;
    errno = 0;
    long long n = strtoll(v, &end, 10);
    if (errno || end == v || *end)
        return NULL;
    return json_integer(n);
}

static int config_apply_env(json_t *root, char *err, size_t errlen)
{
    for (size_t i = 0; i < CONFIG_NFIELDS; i++) {
        const cf_field *f = &config_fields[i];
        char name[96];
        config_env_name(f, name, sizeof(name));
        const char *v = getenv(name);
        if (!v)
            continue;
        json_t *val = config_env_value(f, v);
        if (!val) {
            snprintf(err, errlen, "%s: expected %s, got '%.40s'", name,
                     f->type == CF_BOOL ? "true or false" : "an integer", v);
            return -1;
        }
        json_t *sec = json_object_get(root, f->section);
        if (!json_is_object(sec)) {
            sec = json_object();
            json_object_set_new(root, f->section, sec);
        }
        json_object_set_new(sec, f->key, val);
    }
    return 0;
}

static char *config_resolve(const char *cfgpath, const char *file)
{
    if (file[0] == '/')
        return xstrdup(file);
    const char *slash = strrchr(cfgpath, '/');
    if (!slash)
        return xstrdup(file);
    size_t dirlen = (size_t)(slash - cfgpath);
    size_t n = dirlen + 1 + strlen(file) + 1;
    char *p = xmalloc(n);
    snprintf(p, n, "%.*s/%s", (int)dirlen, cfgpath, file);
    return p;
}

static int config_set_field(config *c, const cf_field *f, json_t *v, char *why, size_t whylen)
{
    char *base = (char *)c + f->offset;
    switch (f->type) {
    case CF_INT:
        if (!json_is_integer(v) || json_integer_value(v) < f->min ||
            json_integer_value(v) > f->max) {
            snprintf(why, whylen, "expected an integer in %ld..%ld", f->min, f->max);
            return -1;
        }
        *(int *)base = (int)json_integer_value(v);
        return 0;
    case CF_BOOL:
        if (!json_is_boolean(v)) {
            snprintf(why, whylen, "expected true or false");
            return -1;
        }
        *(int *)base = json_is_true(v);
        return 0;
    default:
        if (!json_is_string(v) || json_string_length(v) < (size_t)f->min ||
            strlen(json_string_value(v)) != json_string_length(v)) {
            snprintf(why, whylen, "expected a non-empty string");
            return -1;
        }
        *(char **)base = f->type == CF_PATH ? config_resolve(c->path, json_string_value(v))
                                            : xstrdup(json_string_value(v));
        return 0;
    }
}

static int config_fill(config *c, json_t *root, char *err, size_t errlen)
{
    for (size_t i = 0; i < CONFIG_NFIELDS; i++) {
        const cf_field *f = &config_fields[i];
        json_t *sec = json_object_get(root, f->section);
        json_t *v = json_is_object(sec) ? json_object_get(sec, f->key) : NULL;
        char why[128];
        if (!v) {
            snprintf(err, errlen, "%s: %s.%s: missing", c->path, f->section, f->key);
            return -1;
        }
        if (config_set_field(c, f, v, why, sizeof(why)) < 0) {
            char name[96];
            config_env_name(f, name, sizeof(name));
            snprintf(err, errlen, "%s: %s.%s: %s%s%s", c->path, f->section, f->key, why,
                     getenv(name) ? " (set by " : "", getenv(name) ? name : "");
            if (getenv(name))
                strncat(err, ")", errlen - strlen(err) - 1);
            return -1;
        }
    }
    return 0;
}

/* One entry of an address list (n bytes at p): its network and mask. */
static int config_addr_entry(const char *p, size_t n, uint32_t *net, uint32_t *mask)
{
    char a[32];
    const char *slash = memchr(p, '/', n);
    size_t alen = slash ? (size_t)(slash - p) : n;
    if (alen == 0 || alen >= sizeof(a))
        return -1;
    memcpy(a, p, alen);
    a[alen] = '\0';
    struct in_addr in;
    if (inet_pton(AF_INET, a, &in) != 1)
        return -1;
    long bits = 32;
    if (slash) {
        char b[4] = "";
        size_t blen = n - alen - 1;
        if (blen == 0 || blen > 2 || strspn(slash + 1, "0123456789") < blen)
            return -1;
        memcpy(b, slash + 1, blen);
        bits = strtol(b, NULL, 10);
        if (bits > 32)
            return -1;
    }
    *mask = bits ? htonl(0xffffffffu << (32 - bits)) : 0;
    *net = in.s_addr & *mask;
    return 0;
}

/* Calls fn for each entry of list; -1 at the first malformed one. */
static int config_addr_each(const char *list, int (*fn)(uint32_t, uint32_t, void *), void *ctx)
{
    for (const char *p = list; *p;) {
        p += strspn(p, ", ");
        size_t n = strcspn(p, ", ");
        uint32_t net, mask;
        if (!n)
            break;
        if (config_addr_entry(p, n, &net, &mask) < 0)
            return -1;
        if (fn && fn(net, mask, ctx))
            return 1;
        p += n;
    }
    return 0;
}

static int config_addr_match(uint32_t net, uint32_t mask, void *ctx)
{
    return (*(const uint32_t *)ctx & mask) == net;
}

int config_addr_in(const char *list, const char *addr)
{
    struct in_addr in;
    if (!strncmp(addr, "::ffff:", 7))
        addr += 7;
    if (inet_pton(AF_INET, addr, &in) != 1)
        return 0;
    return config_addr_each(list, config_addr_match, &in.s_addr) == 1;
}

/* An enabled push channel needs its secrets (docs/zalo.md, docs/telegram.md). */
static int config_check_push(const config *c, char *err, size_t errlen)
{
    const char *missing = NULL;
    if (c->zalo.enabled)
        missing = !*c->zalo.app_id ? "zalo.app_id" : !*c->zalo.oa_secret ? "zalo.oa_secret"
                  : !*c->zalo.app_secret ? "zalo.app_secret" : NULL;
    if (!missing && c->telegram.enabled)
        missing = !*c->telegram.bot_token ? "telegram.bot_token" : NULL;
    const char *t = c->telegram.secret_token;
    if (!missing && c->telegram.enabled &&
        (!*t || strlen(t) > 256 || strspn(t, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                             "0123456789_-") != strlen(t))) {
        snprintf(err, errlen, "%s: telegram.secret_token: expected 1-256 of A-Z a-z 0-9 _ - "
                 "(what setWebhook accepts)", c->path);
        return -1;
    }
    if (missing) {
        snprintf(err, errlen, "%s: %s: required when the channel is enabled", c->path, missing);
        return -1;
    }
    return 0;
}

/* The settings whose values have a shape of their own. */
static int config_check(const config *c, char *err, size_t errlen)
{
    const char *s = c->channels.secret;
    if (*s && (strlen(s) < 16 || strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                           "0123456789._~-") != strlen(s))) {
        snprintf(err, errlen, "%s: channels.secret: expected \"\" or at least 16 of "
                 "A-Z a-z 0-9 . _ ~ - (it travels in URLs)", c->path);
        return -1;
    }
    if (config_addr_each(c->channels.allow_ips, NULL, NULL) < 0) {
        snprintf(err, errlen, "%s: channels.allow_ips: expected IPv4 addresses or a.b.c.d/n "
                 "blocks, comma separated", c->path);
        return -1;
    }
    if (config_addr_each(c->limits.trusted_proxies, NULL, NULL) < 0) {
        snprintf(err, errlen, "%s: limits.trusted_proxies: expected IPv4 addresses or "
                 "a.b.c.d/n blocks, comma separated", c->path);
        return -1;
    }
    return config_check_push(c, err, errlen);
}

/* The config of the parsed root (taken); name is the file it came from. */
static config *config_from_root(json_t *root, const char *name, json_error_t *jerr, char *err,
                                size_t errlen)
{
    if (!root) {
        snprintf(err, errlen, "%s: line %d, column %d: %s", name, jerr->line, jerr->column,
                 jerr->text);
        return NULL;
    }
    config *c = xcalloc(1, sizeof(*c));
    c->path = xstrdup(name);
    int rc = -1;
    if (!json_is_object(root))
        snprintf(err, errlen, "%s: expected a JSON object at the top", name);
    else if (config_apply_env(root, err, errlen) == 0 && config_fill(c, root, err, errlen) == 0)
        rc = config_check(c, err, errlen);
    json_decref(root);
    if (rc < 0) {
        config_free(c);
        return NULL;
    }
    return c;
}

config *config_load(const char *path, char *err, size_t errlen)
{
    json_error_t jerr;
    /* the first-run mistake: said in one line with what to do (docs/operations.md) */
    if (access(path, R_OK) != 0) {
        snprintf(err, errlen, "config file %s: %s: pass --config FILE or set DVCBOT_CONFIG "
                 "(the sample is config/dvcbot.json of the source tree, /etc/dvcbot/dvcbot.json "
                 "when installed)", path, strerror(errno));
        return NULL;
    }
    json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
    return config_from_root(root, path, &jerr, err, errlen);
}

config *config_load_buf(const char *json, size_t len, const char *name, char *err,
                        size_t errlen)
{
    json_error_t jerr;
    json_t *root = json_loadb(json ? json : "", json ? len : 0, JSON_REJECT_DUPLICATES, &jerr);
    return config_from_root(root, name, &jerr, err, errlen);
}

void config_free(config *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < CONFIG_NFIELDS; i++) {
        const cf_field *f = &config_fields[i];
        if (f->type == CF_STR || f->type == CF_PATH)
            free(*(char **)((char *)c + f->offset));
    }
    free(c->path);
    free(c);
}
