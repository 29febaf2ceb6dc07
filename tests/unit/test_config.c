/* test_config.c -- config loading, env overrides and the error messages that
 * name the file, the path and the problem; messages.vi.json checks; masking. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bot/app/config.h"
#include "bot/app/log.h"
#include "bot/app/messages.h"
#include "common/buf.h"
#include "t.h"

static char dir[] = "/tmp/dvc-cfg-XXXXXX";

static const char *write_file(const char *name, const char *text)
{
    static char path[256];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
    return path;
}

static char *read_all(const char *path)
{
    FILE *f = fopen(path, "r");
    static char text[8192];
    size_t n = fread(text, 1, sizeof(text) - 1, f);
    text[n] = '\0';
    fclose(f);
    return text;
}

/* The shipped config with one substring replaced. */
static const char *variant(const char *from, const char *to)
{
    static char text[8192];
    const char *orig = read_all("config/dvcbot.json");
    const char *at = strstr(orig, from);
    if (!at)
        return NULL;
    snprintf(text, sizeof(text), "%.*s%s%s", (int)(at - orig), orig, to, at + strlen(from));
    return write_file("dvcbot.json", text);
}

static void expect_error(const char *path, const char *want, const char *what)
{
    char err[512] = "";
    config *c = path ? config_load(path, err, sizeof(err)) : NULL;
    T_OK(path && !c && strstr(err, want), "%s: error mentions '%s' (got '%s')", what, want, err);
    config_free(c);
}

static void test_config(void)
{
    char err[512];
    config *c = config_load("config/dvcbot.json", err, sizeof(err));
    T_OK(c != NULL, "shipped config loads (%s)", c ? "ok" : err);
    if (c) {
        T_OK(c->http.port == 8080 && c->session.ttl_s > 0, "values read");
        T_STREQ(c->files.intents, "config/intents.json", "file names resolved next to dvcbot.json");
    }
    config_free(c);

    setenv("DVCBOT_HTTP_PORT", "9123", 1);
    setenv("DVCBOT_REDIS_URL", "redis://127.0.0.1:7000/2", 1);
    setenv("DVCBOT_LOG_REQUESTS", "false", 1);
    c = config_load("config/dvcbot.json", err, sizeof(err));
    T_OK(c && c->http.port == 9123 && !strcmp(c->redis.url, "redis://127.0.0.1:7000/2") &&
         c->log.requests == 0, "DVCBOT_<SECTION>_<KEY> overrides");
    config_free(c);
    setenv("DVCBOT_HTTP_PORT", "abc", 1);
    expect_error("config/dvcbot.json", "DVCBOT_HTTP_PORT: expected an integer", "env not a number");
    setenv("DVCBOT_HTTP_PORT", "70000", 1);
    expect_error("config/dvcbot.json", "http.port: expected an integer in 1..65535 (set by DVCBOT_HTTP_PORT)",
                 "env out of range");
    unsetenv("DVCBOT_HTTP_PORT");
    unsetenv("DVCBOT_REDIS_URL");
    unsetenv("DVCBOT_LOG_REQUESTS");

    expect_error(write_file("dvcbot.json", "{\"http\": {"), "dvcbot.json: line 1", "truncated JSON");
    expect_error(write_file("dvcbot.json", "[1]"), "expected a JSON object", "not an object");
    expect_error(variant("\"port\": 8080", "\"port\": \"8080\""), "http.port: expected an integer",
                 "port as string");
    expect_error(variant("\"ttl_s\": 1800", "\"ttl_s\": 0"), "session.ttl_s: expected an integer in",
                 "ttl out of range");
    expect_error(variant("\"requests\": true", "\"requests\": 1"), "log.requests: expected true or false",
                 "bool as number");
    expect_error(variant("\"url\": \"redis://127.0.0.1:6390/0\",", ""), "redis.url: missing",
                 "missing setting");
    expect_error(write_file("missing.json", "{}") , "http.bind: missing", "empty object");
    expect_error("/nonexistent/dvcbot.json", "/nonexistent/dvcbot.json", "missing file");
}

/* [security] channels.secret / channels.allow_ips (SPEC.md "Channel access") */
static void test_channels(void)
{
    char err[512];
    setenv("DVCBOT_CHANNELS_SECRET", "short", 1);
    expect_error("config/dvcbot.json", "channels.secret: expected", "a short channel secret");
    setenv("DVCBOT_CHANNELS_SECRET", "0123456789abcdef 0123", 1);
    expect_error("config/dvcbot.json", "channels.secret: expected", "a secret with a space");
    setenv("DVCBOT_CHANNELS_SECRET", "0123456789abcdef-_.~XYZ", 1);
    setenv("DVCBOT_CHANNELS_ALLOW_IPS", "10.0.0.0/8, 192.168.1.7,127.0.0.1/32", 1);
    config *c = config_load("config/dvcbot.json", err, sizeof(err));
    T_OK(c != NULL, "a 23-character secret and a list with blocks load (%s)", c ? "ok" : err);
    config_free(c);
    setenv("DVCBOT_CHANNELS_ALLOW_IPS", "10.0.0.0/33", 1);
    expect_error("config/dvcbot.json", "channels.allow_ips: expected", "a /33 block");
    setenv("DVCBOT_CHANNELS_ALLOW_IPS", "kannel.local", 1);
    expect_error("config/dvcbot.json", "channels.allow_ips: expected", "a host name");
    unsetenv("DVCBOT_CHANNELS_SECRET");
    unsetenv("DVCBOT_CHANNELS_ALLOW_IPS");
    const char *list = "10.0.0.0/8, 192.168.1.7 ,127.0.0.1/32";
    T_OK(config_addr_in(list, "10.200.3.4") && config_addr_in(list, "192.168.1.7") &&
         config_addr_in(list, "::ffff:127.0.0.1"), "addresses in the list and its blocks");
    T_OK(!config_addr_in(list, "11.0.0.1") && !config_addr_in(list, "192.168.1.70") &&
         !config_addr_in(list, "127.0.0.2") && !config_addr_in(list, "") &&
         !config_addr_in(list, "10.0.0.1x") && !config_addr_in("", "10.0.0.1"),
         "addresses outside, malformed ones, and an empty list");
    T_OK(config_addr_in("0.0.0.0/0", "203.0.113.9"), "0.0.0.0/0 is everyone");
}

static void test_messages(void)
{
    char err[512] = "";
    messages *m = messages_load("config/messages.vi.json", err, sizeof(err));
    T_OK(m != NULL, "shipped messages load (%s)", err);
    for (const char *const *k = messages_required(); m && *k; k++)
        if (!strcmp(messages_get(m, *k, "vi"), *k))
            T_OK(0, "message %s present", *k);
    buf b = {0};
    messages_format(m, "rating.received", "vi", &b, "score", "4", NULL);
    T_OK(b.data && strstr(b.data, "4/5") && !strchr(b.data, '{'), "placeholders filled: %s", b.data);
    buf_reset(&b);
    messages_format(m, "rating.received", "en", &b, NULL);
    T_OK(b.data && strstr(b.data, "{score}"), "unknown placeholder kept");
    buf_free(&b);
    T_STREQ(messages_get(m, "no.such.key", "vi"), "no.such.key", "missing key returns the key");
    messages_free(m);

    m = messages_load(write_file("m.json", "{\"greeting\": {\"vi\": \"x\"}}"), err, sizeof(err));
    T_OK(!m && strstr(err, "greeting.en: expected a non-empty string"), "entry without en: %s", err);
    m = messages_load(write_file("m.json", "{\"greeting\": {\"vi\": \"x\", \"en\": \"y\"}}"), err,
                      sizeof(err));
    T_OK(!m && strstr(err, "missing (the code uses it)"), "missing required key: %s", err);
    messages_free(NULL);
}

static void test_mask(void)
{
    char out[128];
    log_mask("84901234567", out, sizeof(out));
    T_STREQ(out, "8490***4567", "MSISDN masked");
    log_mask("+84901234567 and 0901234567", out, sizeof(out));
    T_STREQ(out, "+8490***4567 and 0901***4567", "every number in a text masked");
    log_mask("user-42 hs 2024", out, sizeof(out));
    T_STREQ(out, "user-42 hs 2024", "short digit runs kept");
    log_mask("1234567", out, sizeof(out));
    T_STREQ(out, "12***67", "7-digit run masked");
    log_mask("84901234567", out, 6);
    T_OK(strlen(out) == 5, "truncated to the buffer");
}

/* config_load_buf / messages_load_buf: the loaders the fuzz targets use. */
static void test_load_buf(void)
{
    char err[512] = "";
    const char *text = read_all("config/dvcbot.json");
    config *c = config_load_buf(text, strlen(text), "config/dvcbot.json", err, sizeof(err));
    T_OK(c && c->http.port > 0 && !strcmp(c->files.messages, "config/messages.vi.json"),
         "config_load_buf: shipped text loads, files relative to name (%s)", c ? "ok" : err);
    config_free(c);
    const char *bad = "{\"http\": 1";
    c = config_load_buf(bad, strlen(bad), "mem.json", err, sizeof(err));
    T_OK(!c && strstr(err, "mem.json: line 1"), "config_load_buf: syntax error named (%s)", err);
    c = config_load_buf(NULL, 0, "mem.json", err, sizeof(err));
    T_OK(!c && strstr(err, "mem.json:"), "config_load_buf: no bytes at all");
    c = config_load_buf("[]", 2, "mem.json", err, sizeof(err));
    T_OK(!c && strstr(err, "expected a JSON object"), "config_load_buf: not an object");
    const char *one = "{\"greeting\": {\"vi\": \"a\", \"en\": \"b\"}}";
    messages *m = messages_load_buf(one, strlen(one), "mem.json", err, sizeof(err));
    T_OK(!m && strstr(err, "mem.json: ") && strstr(err, "missing"),
         "messages_load_buf: missing keys named (%s)", err);
    const char *num = "{\"greeting\": 1}";
    m = messages_load_buf(num, strlen(num), "mem.json", err, sizeof(err));
    T_OK(!m && strstr(err, "mem.json: greeting: expected an object"),
         "messages_load_buf: entry not an object");
}

int main(void)
{
    if (!mkdtemp(dir))
        return 1;
    test_config();
    test_channels();
    test_messages();
    test_mask();
    test_load_buf();
    char cmd[300];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    if (system(cmd) != 0)
        return 1;
    return t_done();
}
