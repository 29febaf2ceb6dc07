/* zalo.c -- the Zalo OA adapter (see zalo.h): signature check, events,
 * consultation and ZNS bodies, answers and error codes. */
#include "channels/zalo.h"

#include <jansson.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/form.h"
#include "common/utf8.h"
#include "common/xmalloc.h"

/* A string or integer member as text (ids and timestamps come as either);
 * NULL when absent, empty, too long or not printable. */
static char *zalo_id(json_t *o, const char *k)
{
    json_t *v = json_object_get(o, k);
    char tmp[32];
    const char *s = NULL;
    size_t n = 0;
    if (json_is_string(v)) {
        s = json_string_value(v);
        n = json_string_length(v);
    } else if (json_is_integer(v)) {
        n = (size_t)snprintf(tmp, sizeof(tmp), "%lld", (long long)json_integer_value(v));
        s = tmp;
    }
    if (!s || n == 0 || n > PUSH_USER_MAX)
        return NULL;
    for (size_t i = 0; i < n; i++)
        if (!strchr("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_-",
                    s[i]) || !s[i])
            return NULL;
    return xstrndup(s, n);
}

static int zalo_verify(const push_verify_in *in, const char **errkey)
{
    *errkey = "bad_signature";
    if (!in->signature || strncmp(in->signature, "mac=", 4) || !in->secret || !*in->secret)
        return -1;
    json_t *o = json_loadb(in->body, in->len, 0, NULL);
    char *app = zalo_id(o, "app_id"), *ts = zalo_id(o, "timestamp");
    json_decref(o);
    int rc = -1;
    if (app && ts && (!in->app_id || !*in->app_id || !strcmp(app, in->app_id))) {
        buf m = {0};
        buf_puts(&m, app);
        buf_append(&m, in->body, in->len);
        buf_puts(&m, ts);
        buf_puts(&m, in->secret);
        unsigned char md[32];
        unsigned int mdlen = 0;
        EVP_Digest(m.data, m.len, md, &mdlen, EVP_sha256(), NULL);
        buf_free(&m);
        char hex[65], got[65];
        for (size_t i = 0; i < sizeof(md); i++)
            snprintf(hex + 2 * i, 3, "%02x", md[i]);
        snprintf(got, sizeof(got), "%s", in->signature + 4);
        for (char *p = got; *p; p++)
            if (*p >= 'A' && *p <= 'F')
                *p = (char)(*p - 'A' + 'a');
        if (push_secret_equal(got, hex)) {
            long long t = strtoll(ts, NULL, 10);
            int sane = t > 0 && t < 100000000000000LL; /* ms before year 5138 */
            long long d = sane ? in->now_ms - t : 0;
            rc = in->window_ms <= 0 || (sane && d <= in->window_ms && -d <= in->window_ms) ? 0
                                                                                         : -1;
            if (rc < 0)
                *errkey = "stale_event";
        }
    }
    free(app);
    free(ts);
    return rc;
}

static push_event *zalo_add(push_events *out, push_kind k, char *user)
{
    out->v = xrealloc(out->v, (out->n + 1) * sizeof(*out->v));
    push_event *e = &out->v[out->n++];
    memset(e, 0, sizeof(*e));
    e->kind = k;
    e->user = user;
    return e;
}

/* The text of user_send_text: a button press or what was typed. */
static int zalo_text(json_t *msg, push_events *out, char *user, char *mid)
{
    json_t *t = json_object_get(msg, "text");
    const char *s = json_string_value(t);
    size_t n = json_string_length(t);
    if (!s || !utf8_valid_text(s, n) || !mid) {
        free(user);
        free(mid);
        return -1;
    }
    size_t pl = strlen(ZALO_POSTBACK_PREFIX);
    int pb = n > pl && !strncmp(s, ZALO_POSTBACK_PREFIX, pl);
    push_event *e = zalo_add(out, pb ? PUSH_EV_POSTBACK : PUSH_EV_TEXT, user);
    if (pb)
        e->payload = xstrndup(s + pl, push_utf8_cut(s + pl, n - pl, 256));
    else
        e->text = xstrndup(s, push_utf8_cut(s, n, PUSH_TEXT_MAX));
    e->id = mid;
    return 0;
}

static int zalo_event(json_t *o, const char *name, push_events *out)
{
    char *ts = zalo_id(o, "timestamp");
    long long tms = ts ? strtoll(ts, NULL, 10) : 0;
    char idbuf[160];
    int rc = 0;
    if (!strcmp(name, "user_send_text")) {
        json_t *msg = json_object_get(o, "message");
        char *user = zalo_id(json_object_get(o, "sender"), "id");
        rc = user ? zalo_text(msg, out, user, zalo_id(msg, "msg_id")) : -1;
    } else if (!strcmp(name, "follow") || !strcmp(name, "unfollow")) {
        char *user = zalo_id(json_object_get(o, "follower"), "id");
        if (!user)
            user = zalo_id(json_object_get(o, "sender"), "id");
        if (user && ts) {
            push_event *e = zalo_add(out, name[0] == 'f' ? PUSH_EV_FOLLOW : PUSH_EV_UNFOLLOW, user);
            snprintf(idbuf, sizeof(idbuf), "%s:%s:%s", name, user, ts);
            e->id = xstrdup(idbuf);
        } else {
            free(user);
            rc = -1;
        }
    } else if (!strcmp(name, "user_submit_info")) {
        char *user = zalo_id(json_object_get(o, "sender"), "id");
        json_t *ph = json_object_get(json_object_get(o, "info"), "phone");
        if (user && ts && json_is_string(ph) && json_string_length(ph) <= 20) {
            push_event *e = zalo_add(out, PUSH_EV_CONTACT, user);
            e->phone = xstrdup(json_string_value(ph));
            snprintf(idbuf, sizeof(idbuf), "info:%s:%s", user, ts);
            e->id = xstrdup(idbuf);
        } else {
            free(user);
            rc = -1;
        }
    }
    if (rc == 0 && out->n)
        out->v[out->n - 1].ts_ms = tms;
    free(ts);
    return rc;
}

static int zalo_parse(const char *body, size_t len, push_events *out, const char **errkey)
{
    memset(out, 0, sizeof(*out));
    json_t *o = json_loadb(body, len, JSON_REJECT_DUPLICATES, NULL);
    if (!json_is_object(o)) {
        json_decref(o);
        *errkey = "invalid_json";
        return -1;
    }
    const char *name = json_string_value(json_object_get(o, "event_name"));
    int rc = name ? zalo_event(o, name, out) : -1;
    json_decref(o);
    if (rc < 0) {
        push_events_clear(out);
        *errkey = "invalid_event";
    }
    return rc;
}

static void zalo_head(buf *b, const char *user)
{
    buf_puts(b, "{\"recipient\":{\"user_id\":");
    buf_json_str(b, user);
    buf_puts(b, "},\"message\":{");
}

static void zalo_cut_str(buf *b, const char *s, size_t max)
{
    buf_json_escape(b, s, push_utf8_cut(s, strlen(s), max));
}

/* The share-phone prompt: a "request_user_info" template. */
static void zalo_share(const char *user, const char *text, const char *title, push_calls *out)
{
    buf b = {0};
    zalo_head(&b, user);
    buf_puts(&b, "\"attachment\":{\"type\":\"template\",\"payload\":{\"template_type\":"
                 "\"request_user_info\",\"elements\":[{\"title\":\"");
    zalo_cut_str(&b, title, ZALO_TITLE_MAX);
    buf_puts(&b, "\",\"subtitle\":\"");
    zalo_cut_str(&b, text, ZALO_TITLE_MAX * 4);
    buf_puts(&b, "\"}]}}}}");
    size_t n;
    char *s = buf_detach(&b, &n);
    push_calls_add(out, "message/cs", s, n);
}

/* One message: text and buttons [from, to) of p. */
static void zalo_msg(const char *user, const char *text, const reply_part *p, size_t from,
                     size_t to, push_calls *out)
{
    buf b = {0};
    zalo_head(&b, user);
    buf_puts(&b, "\"text\":\"");
    zalo_cut_str(&b, text, ZALO_TEXT_MAX);
    buf_putc(&b, '"');
    if (to > from) {
        buf_puts(&b, ",\"attachment\":{\"type\":\"template\",\"payload\":{\"buttons\":[");
        for (size_t i = from; i < to; i++) {
            buf_puts(&b, i > from ? ",{\"title\":\"" : "{\"title\":\"");
            zalo_cut_str(&b, p->buttons[i].title, ZALO_TITLE_MAX);
            buf_puts(&b, "\",\"type\":\"oa.query.hide\",\"payload\":\"" ZALO_POSTBACK_PREFIX);
            zalo_cut_str(&b, p->buttons[i].payload, 256);
            buf_puts(&b, "\"}");
        }
        buf_puts(&b, "]}}");
    }
    buf_puts(&b, "}}");
    size_t n;
    char *s = buf_detach(&b, &n);
    push_calls_add(out, "message/cs", s, n);
}

static void zalo_render(const reply *r, const char *user, const push_texts *t, push_calls *out)
{
    for (size_t i = 0; r && i < r->nparts; i++) {
        const reply_part *p = &r->parts[i];
        size_t nb = p->nbuttons;
        if (nb == 1 && !strcmp(p->buttons[0].payload, ZALO_SHARE_PHONE)) {
            zalo_share(user, p->text, p->buttons[0].title, out);
            continue;
        }
        if (!*p->text && nb == 0)
            continue;
        const char *text = *p->text ? p->text : t->more;
        size_t from = 0;
        do {
            size_t to = from + ZALO_BUTTONS_MAX < nb ? from + ZALO_BUTTONS_MAX : nb;
            zalo_msg(user, from ? t->more : text, p, from, to, out);
            from = to;
        } while (from < nb);
    }
}

char *zalo_render_zns(const char *phone, const char *template_id, const char *code_param,
                      const char *code, const char *status_param, const char *status,
                      const char *tracking_id, size_t *len)
{
    buf b = {0};
    buf_puts(&b, "{\"phone\":");
    buf_json_str(&b, phone);
    buf_puts(&b, ",\"template_id\":");
    buf_json_str(&b, template_id);
    buf_puts(&b, ",\"template_data\":{");
    buf_json_str(&b, code_param);
    buf_putc(&b, ':');
    buf_json_str(&b, code);
    buf_putc(&b, ',');
    buf_json_str(&b, status_param);
    buf_putc(&b, ':');
    buf_json_str(&b, status);
    buf_puts(&b, "},\"tracking_id\":");
    buf_json_str(&b, tracking_id);
    buf_putc(&b, '}');
    return buf_detach(&b, len);
}

char *zalo_render_refresh(const char *app_id, const char *refresh_token, size_t *len)
{
    buf b = {0};
    buf_puts(&b, "refresh_token=");
    form_encode(&b, refresh_token, strlen(refresh_token));
    buf_puts(&b, "&app_id=");
    form_encode(&b, app_id, strlen(app_id));
    buf_puts(&b, "&grant_type=refresh_token");
    return buf_detach(&b, len);
}

int zalo_parse_token(const char *body, size_t len, char **access, char **refresh,
                     long *expires_in_s)
{
    *access = *refresh = NULL;
    json_t *o = json_loadb(body, len, 0, NULL);
    json_t *a = json_object_get(o, "access_token"), *r = json_object_get(o, "refresh_token");
    char *ex = zalo_id(o, "expires_in");
    long e = ex ? strtol(ex, NULL, 10) : 0;
    int ok = json_is_string(a) && json_string_length(a) > 0 && json_string_length(a) < 4096 &&
             json_is_string(r) && json_string_length(r) > 0 && json_string_length(r) < 4096 &&
             e > 0;
    if (ok) {
        *access = xstrdup(json_string_value(a));
        *refresh = xstrdup(json_string_value(r));
        *expires_in_s = e;
    }
    free(ex);
    json_decref(o);
    return ok ? 0 : -1;
}

/* The error codes of the OA and ZNS APIs that change what we do (docs/zalo.md). */
static push_outcome zalo_error(long long e)
{
    switch (e) {
    case 0:
        return PUSH_SENT;
    case -216: case -220: case -124:                /* access token invalid / expired */
        return PUSH_TOKEN;
    case -32: case -211: case -218: case -311:      /* rate limit, quotas */
    case -115: case -144: case -147: case -234: case -133: case -100:
        return PUSH_QUOTA;
    case -213: case -217: case -244: case -141: case -139:  /* unfollowed, refused */
        return PUSH_BLOCKED;
    case -230: case -232: case -305:                /* interaction window over */
        return PUSH_WINDOW;
    default:
        return PUSH_FAILED;
    }
}

static push_outcome zalo_classify(int status, const char *body, size_t len, long *retry_after_s)
{
    *retry_after_s = 0;
    if (status == 429)
        return PUSH_QUOTA;
    if (status == 0 || status >= 500)
        return PUSH_RETRY;
    if (status != 200)
        return PUSH_FAILED;
    json_t *o = json_loadb(body, len, 0, NULL);
    json_t *e = json_object_get(o, "error");
    push_outcome out = json_is_integer(e) ? zalo_error((long long)json_integer_value(e))
                                          : PUSH_RETRY;
    json_decref(o);
    return out;
}

const push_adapter zalo_adapter = {
    .name = "zalo", .channel = CHANNEL_ZALO, .verify = zalo_verify, .parse = zalo_parse,
    .render = zalo_render, .classify = zalo_classify,
};
