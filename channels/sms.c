/* sms.c -- SMS codec: Kannel MO fields, text charsets, delivery reports and
 * sendsms URLs (see sms.h). The reply renderer is in sms_render.c. */
#include "channels/sms.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "channels/msisdn.h"
#include "common/form.h"
#include "common/utf8.h"
#include "common/xmalloc.h"

static const struct {
    const char *name, *header;
    size_t nlen, hlen;
    size_t offset;
} sms_fields[] = {
#define SMS_FIELD(name, header, member) \
    {name, header, sizeof(name) - 1, sizeof(header) - 1, offsetof(sms_raw, member)}
    SMS_FIELD("from", "x-kannel-from", from),
    SMS_FIELD("to", "x-kannel-to", to),
    SMS_FIELD("text", "", text),
    SMS_FIELD("id", "", id),
    SMS_FIELD("time", "x-kannel-time", time),
    SMS_FIELD("smsc", "x-kannel-smsc", smsc),
    SMS_FIELD("coding", "x-kannel-coding", coding),
    SMS_FIELD("charset", "", charset),
    SMS_FIELD("status", "", status),
    SMS_FIELD("secret", "", secret),
#undef SMS_FIELD
};
#define SMS_NFIELDS (sizeof(sms_fields) / sizeof(sms_fields[0]))

/* name (nlen bytes) is want (wlen bytes of lower case, "" = no such
 * name), any case. The length and the first letter first: most fields
 * differ there. */
static int sms_name_is(const char *name, size_t nlen, const char *want, size_t wlen)
{
    return wlen && wlen == nlen && ((unsigned char)name[0] | 0x20) == (unsigned char)want[0] &&
           strncasecmp(name, want, nlen) == 0;
}

static sms_str *sms_field(sms_raw *r, size_t i)
{
    return (sms_str *)(void *)((char *)r + sms_fields[i].offset);
}

int sms_raw_set(sms_raw *r, const char *name, size_t nlen, const char *val, size_t vlen)
{
    for (size_t i = 0; i < SMS_NFIELDS; i++) {
        if (!sms_name_is(name, nlen, sms_fields[i].name, sms_fields[i].nlen) &&
            !sms_name_is(name, nlen, sms_fields[i].header, sms_fields[i].hlen))
            continue;
        sms_str *f = sms_field(r, i);
        if (!f->p) {
            if (vlen < sizeof(r->inline_) - r->used) {
                f->p = r->inline_ + r->used;
                memcpy(f->p, val, vlen);
                f->p[vlen] = '\0';
                r->used += vlen + 1;
            } else {
                f->p = xstrndup(val, vlen);
            }
            f->n = vlen;
        }
        return 1;
    }
    return 0;
}

void sms_raw_clear(sms_raw *r)
{
    if (!r)
        return;
    uintptr_t lo = (uintptr_t)r->inline_, hi = lo + sizeof(r->inline_);
    for (size_t i = 0; i < SMS_NFIELDS; i++) {
        sms_str *f = sms_field(r, i);
        if ((uintptr_t)f->p < lo || (uintptr_t)f->p >= hi)
            free(f->p); /* a copy that did not fit inline */
        f->p = NULL;
        f->n = 0;
    }
    r->used = 0;
}

static int sms_query_field(void *ctx, const char *name, size_t nlen, const char *val,
                           size_t vlen)
{
    if (val)
        sms_raw_set(ctx, name, nlen, val, vlen);
    return 0;
}

void sms_query_parse(sms_raw *r, const char *q, size_t len)
{
    form_each(q, len, FORM_PLUS, sms_query_field, r);
}

/* Append code point cp as UTF-8. */
static void sms_put_utf8(buf *b, unsigned cp)
{
    char u[4];
    buf_append(b, u, utf8_put(u, cp));
}

/* UTF-16BE (UCS-2 on air) to UTF-8; lone surrogates become U+FFFD. */
static void sms_from_utf16be(buf *b, const unsigned char *s, size_t n)
{
    for (size_t i = 0; i + 1 < n; i += 2) {
        unsigned u = (unsigned)s[i] << 8 | s[i + 1];
        if (u >= 0xD800 && u < 0xDC00 && i + 3 < n) {
            unsigned l = (unsigned)s[i + 2] << 8 | s[i + 3];
            if (l >= 0xDC00 && l < 0xE000) {
                sms_put_utf8(b, 0x10000 + ((u - 0xD800) << 10) + (l - 0xDC00));
                i += 2;
                continue;
            }
        }
        sms_put_utf8(b, u >= 0xD800 && u < 0xE000 ? 0xFFFD : u);
    }
}

static int sms_charset_is_utf16(const sms_str *cs)
{
    return cs->p && (!strcasecmp(cs->p, "UTF-16BE") || !strcasecmp(cs->p, "UTF-16") ||
                     !strcasecmp(cs->p, "UCS-2") || !strcasecmp(cs->p, "UCS2"));
}

/* The text as UTF-8 whatever it came in: the declared charset if it is
 * UTF-16, else UTF-8 if it is valid, else Latin-1. */
static void sms_text_utf8(const sms_raw *raw, buf *b)
{
    const char *s = raw->text.p ? raw->text.p : "";
    size_t n = raw->text.n;
    if (sms_charset_is_utf16(&raw->charset) && !(n & 1))
        sms_from_utf16be(b, (const unsigned char *)s, n);
    else if (utf8_valid(s, n))
        buf_append(b, s, n);
    else
        for (size_t i = 0; i < n; i++)
            sms_put_utf8(b, (unsigned char)s[i]);
}

/* Controls to spaces, trim, cut at max bytes on a character boundary. */
static char *sms_text_clean(const char *s, size_t n, size_t max)
{
    char *out = xmalloc(n + 1);
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        out[o++] = (c < 0x20 && c != '\n') || c == 0x7F ? ' ' : (char)c;
    }
    size_t start = 0;
    while (start < o && (out[start] == ' ' || out[start] == '\n'))
        start++;
    if (o - start > max) {
        o = start + max;
        while (o > start && ((unsigned char)out[o] & 0xC0) == 0x80)
            o--;
    }
    while (o > start && (out[o - 1] == ' ' || out[o - 1] == '\n'))
        o--;
    memmove(out, out + start, o - start);
    out[o - start] = '\0';
    return out;
}

static int sms_id_ok(const sms_str *id)
{
    if (id->n > SMS_ID_MAX)
        return 0;
    for (size_t i = 0; i < id->n; i++)
        if (!isgraph((unsigned char)id->p[i]))
            return 0;
    return 1;
}

message *sms_parse(const sms_raw *raw, size_t max_text, sms_mo *mo, const char **errkey)
{
    char user[MSISDN_MAX + 1];
    if (!raw->from.p || msisdn_normalize(raw->from.p, user) < 0) {
        *errkey = "invalid_sender";
        return NULL;
    }
    if (raw->id.p && !sms_id_ok(&raw->id)) {
        *errkey = "invalid_id";
        return NULL;
    }
    int coding = raw->coding.p && raw->coding.n == 1 && raw->coding.p[0] >= '0' &&
                 raw->coding.p[0] <= '2' ? raw->coding.p[0] - '0' : -1;
    if (mo) {
        memset(mo, 0, sizeof(*mo));
        if (raw->id.p)
            memcpy(mo->id, raw->id.p, raw->id.n);
        if (raw->to.p) { /* cut to fit, as snprintf "%s" (without its cost) */
            size_t n = strnlen(raw->to.p, sizeof(mo->to) - 1);
            memcpy(mo->to, raw->to.p, n);
            mo->to[n] = '\0';
        }
        mo->coding = coding;
    }
    message *m = message_new(CHANNEL_SMS, user, strlen(user));
    buf b = {0};
    if (coding != 1)
        sms_text_utf8(raw, &b);
    char *text = sms_text_clean(b.data ? b.data : "", b.len, max_text);
    buf_free(&b);
    if (text[0]) {
        m->text = text;
    } else {
        free(text);
        m->payload = xstrdup("help");
    }
    return m;
}

int sms_dlr_parse(const sms_raw *raw, sms_dlr *d, const char **errkey)
{
    memset(d, 0, sizeof(*d));
    *errkey = "invalid_dlr";
    if (!raw->id.p || !raw->id.n || !sms_id_ok(&raw->id) || !raw->status.p)
        return -1;
    char *end;
    long st = strtol(raw->status.p, &end, 10);
    if (end == raw->status.p || *end || !sms_dlr_state((int)st))
        return -1;
    memcpy(d->id, raw->id.p, raw->id.n);
    d->status = (int)st;
    return 0;
}

const char *sms_dlr_state(int status)
{
    switch (status) {
    case 1: return "delivered";
    case 2: return "undelivered";
    case 4: return "buffered";
    case 8: return "submitted";
    case 16: return "rejected";
    default: return NULL;
    }
}

int sms_state_rank(const char *state)
{
    static const struct { const char *name; int rank; } ranks[] = {
        {"queued", 1},    {"sending", 2},     {"sent", 3},     {"submitted", 4},
        {"buffered", 5},  {"delivered", 6},   {"undelivered", 6},
        {"rejected", 6},  {"failed", 6},      {"skipped", 6},
    };
    for (size_t i = 0; state && i < sizeof(ranks) / sizeof(ranks[0]); i++)
        if (!strcmp(state, ranks[i].name))
            return ranks[i].rank;
    return 0;
}

static void sms_param(buf *b, const char *name, const char *val)
{
    buf_putc(b, '&');
    buf_puts(b, name);
    buf_putc(b, '=');
    form_encode(b, val, strlen(val));
}

void sms_sendsms_url(buf *b, const sms_send *s)
{
    buf_puts(b, s->base_url);
    buf_puts(b, strchr(s->base_url, '?') ? "&" : "?");
    buf_puts(b, "username=");
    form_encode(b, s->username, strlen(s->username));
    sms_param(b, "password", s->password);
    if (s->from && *s->from)
        sms_param(b, "from", s->from);
    sms_param(b, "to", s->to);
    sms_param(b, "text", s->text);
    if (s->unicode)
        buf_puts(b, "&coding=2&charset=UTF-8");
    else
        buf_puts(b, "&charset=UTF-8");
    if (s->dlr_url) {
        buf_puts(b, "&dlr-mask=31");
        sms_param(b, "dlr-url", s->dlr_url);
    }
}
