/* ussd.c -- USSD codecs: Africa's Talking form, JSON adapter, Kannel SMPP
 * meta-data, and screen counting/pagination (see ussd.h). Pure: no I/O. */
#include "channels/ussd.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "channels/sms.h"
#include "common/buf.h"
#include "common/form.h"
#include "common/utf8.h"
#include "common/xmalloc.h"

/* A malloc'd copy of a decoded value: control characters become spaces.
 * NULL when it is not valid UTF-8. */
static char *ussd_clean(const char *s, size_t n)
{
    if (n > USSD_TEXT_MAX)
        n = USSD_TEXT_MAX;
    while (n > 0 && ((unsigned char)s[n - 1] & 0xC0) == 0x80 && !utf8_valid_text(s, n))
        n--; /* a cut in the middle of a character */
    if (!utf8_valid_text(s, n))
        return NULL;
    char *o = xstrndup(s, n);
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)o[i] < 0x20 || o[i] == 0x7f)
            o[i] = ' ';
    return o;
}

static int ussd_session_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > USSD_SESSION_MAX)
        return 0;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] <= ' ' || (unsigned char)s[i] >= 0x7f)
            return 0;
    return 1;
}

/* Store a field once; a second, different value is an error (-1). */
static int ussd_set(char **slot, const char *v, size_t n)
{
    char *c = ussd_clean(v, n);
    if (!c)
        return -1;
    if (*slot) {
        int same = !strcmp(*slot, c);
        free(c);
        return same ? 0 : -1;
    }
    *slot = c;
    return 0;
}

typedef struct ussd_fields {
    const char *const *names;   /* NULL-terminated */
    char **vals;
} ussd_fields;

/* One pair of the form: keep it if it is one of the named fields (a pair
 * without '=' is an empty value). */
static int ussd_form_field(void *ctx, const char *name, size_t nlen, const char *val,
                           size_t vlen)
{
    ussd_fields *f = ctx;
    int rc = 0;
    for (size_t k = 0; f->names[k]; k++)
        if (strlen(f->names[k]) == nlen && !memcmp(f->names[k], name, nlen))
            rc = ussd_set(&f->vals[k], val ? val : "", val ? vlen : 0);
    return rc;
}

/* Split a=b&c=d, URL-decode ('+' is a space) and keep the named fields. */
static int ussd_form(const char *q, size_t len, ussd_fields *f)
{
    return form_each(q, len, FORM_PLUS, ussd_form_field, f) ? -1 : 0;
}

static int ussd_fail(ussd_req *r, const char **errkey, const char *key)
{
    ussd_req_clear(r);
    *errkey = key;
    return -1;
}

/* Common checks: session id and sender. Takes session. */
static int ussd_finish(ussd_req *r, char *session, const char *phone, const char **errkey)
{
    r->session = session;
    if (!session || !ussd_session_ok(session))
        return ussd_fail(r, errkey, "invalid_session");
    if (!phone || msisdn_normalize(phone, r->msisdn) < 0)
        return ussd_fail(r, errkey, "invalid_sender");
    if (!r->text)
        r->text = xstrdup("");
    return 0;
}

int ussd_parse_form(const char *body, size_t len, ussd_req *r, const char **errkey)
{
    static const char *const names[] = {"sessionId", "serviceCode", "phoneNumber",
                                        "networkCode", "text", NULL};
    char *v[5] = {0};
    ussd_fields f = {names, v};
    memset(r, 0, sizeof(*r));
    r->proto = USSD_PROTO_AT;
    int rc = ussd_form(body, len, &f);
    r->service_code = v[1];
    r->network = v[3];
    r->text = v[4];
    if (rc < 0) {
        free(v[0]);
        free(v[2]);
        return ussd_fail(r, errkey, "invalid_ussd");
    }
    rc = ussd_finish(r, v[0], v[2], errkey);
    free(v[2]);
    if (rc == 0)
        r->is_new = r->text[0] == '\0';
    return rc;
}

static const char *ussd_json_str(json_t *o, const char *a, const char *b)
{
    json_t *v = json_object_get(o, a);
    if (!v && b)
        v = json_object_get(o, b);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

int ussd_parse_json(const char *body, size_t len, ussd_req *r, const char **errkey)
{
    memset(r, 0, sizeof(*r));
    r->proto = USSD_PROTO_JSON;
    json_t *o = json_loadb(body, len, JSON_REJECT_DUPLICATES, NULL);
    if (!json_is_object(o)) {
        json_decref(o);
        return ussd_fail(r, errkey, "invalid_json");
    }
    json_t *sid = json_object_get(o, "sessionId");
    if (!sid)
        sid = json_object_get(o, "sessionID");
    json_t *in = json_object_get(o, "input");
    if (!in)
        in = json_object_get(o, "userData");
    json_t *nw = json_object_get(o, "newSession");
    const char *phone = ussd_json_str(o, "msisdn", NULL);
    char num[32];
    const char *s = json_is_string(sid) ? json_string_value(sid) : NULL;
    if (json_is_integer(sid)) {
        snprintf(num, sizeof(num), "%lld", (long long)json_integer_value(sid));
        s = num;
    }
    int bad = (in && !json_is_string(in) && !json_is_null(in)) || (nw && !json_is_boolean(nw));
    if (!bad && json_is_string(in))
        bad = !(r->text = ussd_clean(json_string_value(in), json_string_length(in)));
    r->is_new = json_is_true(nw);
    char *session = s ? ussd_clean(s, strlen(s)) : NULL;
    char *ph = phone ? xstrdup(phone) : NULL;
    json_decref(o);
    if (bad) {
        free(session);
        free(ph);
        return ussd_fail(r, errkey, "invalid_ussd");
    }
    int rc = ussd_finish(r, session, ph, errkey);
    free(ph);
    return rc;
}

/* One meta-data value: a raw byte, decimal, hex, or two raw octets. */
static int ussd_meta_value(const char *v, size_t n, int two, int *out)
{
    if (n == 0)
        return -1;
    if (n >= 3 && v[0] == '0' && (v[1] == 'x' || v[1] == 'X')) {
        char *end;
        char tmp[16];
        if (n >= sizeof(tmp))
            return -1;
        memcpy(tmp, v, n);
        tmp[n] = '\0';
        long x = strtol(tmp + 2, &end, 16);
        if (*end || x < 0 || x > 0xffff)
            return -1;
        *out = (int)x;
        return 0;
    }
    int digits = 1;
    for (size_t i = 0; i < n; i++)
        digits &= v[i] >= '0' && v[i] <= '9';
    if (digits && n <= 5) {
        *out = atoi(v);
        return *out > 0xffff ? -1 : 0;
    }
    if (n == 1) {
        *out = (unsigned char)v[0];
        return 0;
    }
    if (n == 2 && two) {
        *out = ((unsigned char)v[0] << 8) | (unsigned char)v[1];
        return 0;
    }
    return -1;
}

typedef struct ussd_meta {
    int *op, *sess;
} ussd_meta;

/* One TLV of the meta-data: the names are literal, the values %-decoded
 * ('+' is a '+'); pairs without '=' are ignored. */
static int ussd_meta_field(void *ctx, const char *name, size_t nlen, const char *v, size_t vl)
{
    ussd_meta *m = ctx;
    if (!v)
        return 0;
    if (nlen == 15 && !memcmp(name, "ussd_service_op", 15))
        return ussd_meta_value(v, vl, 0, m->op);
    if (nlen == 16 && !memcmp(name, "its_session_info", 16))
        return ussd_meta_value(v, vl, 1, m->sess);
    return 0;
}

int ussd_meta_parse(const char *meta, size_t len, int *op, int *sess)
{
    ussd_meta m = {op, sess};
    *op = *sess = -1;
    static const char pre[] = "?smpp?";
    const char *p = meta;
    size_t n = len;
    if (n >= sizeof(pre) - 1 && !memcmp(p, pre, sizeof(pre) - 1)) {
        p += sizeof(pre) - 1;
        n -= sizeof(pre) - 1;
    }
    return form_each(p, n, FORM_RAW_NAMES, ussd_meta_field, &m) ? -1 : 0;
}

const char *ussd_meta_render(int end)
{
    return end ? "?smpp?ussd_service_op=17" : "?smpp?ussd_service_op=2";
}

int ussd_parse_kannel(const char *from, const char *to, const char *text, const char *meta,
                      size_t metalen, ussd_req *r, const char **errkey)
{
    int op = -1, sess = -1;
    memset(r, 0, sizeof(*r));
    r->proto = USSD_PROTO_SMPP;
    if ((to && !(r->service_code = ussd_clean(to, strlen(to)))) ||
        (text && !(r->text = ussd_clean(text, strlen(text)))) ||
        (meta && ussd_meta_parse(meta, metalen, &op, &sess) < 0))
        return ussd_fail(r, errkey, "invalid_ussd");
    if (op < 0)
        op = r->text && r->text[0] ? USSD_OP_USSR_CONF : USSD_OP_PSSR_IND;
    if (op != USSD_OP_PSSR_IND && op != USSD_OP_USSR_CONF)
        return ussd_fail(r, errkey, "invalid_ussd");
    r->is_new = op == USSD_OP_PSSR_IND;
    char sid[32];
    if (sess >= 0)
        snprintf(sid, sizeof(sid), "smpp%d", sess);
    else
        snprintf(sid, sizeof(sid), "smpp");
    return ussd_finish(r, xstrdup(sid), from, errkey);
}

int ussd_parse_kannel_query(const char *query, size_t len, ussd_req *r, const char **errkey)
{
    static const char *const names[] = {"from", "to", "text", "meta", NULL};
    char *v[4] = {0};
    ussd_fields f = {names, v};
    int rc = ussd_form(query, len, &f);
    if (rc < 0) {
        memset(r, 0, sizeof(*r));
        *errkey = "invalid_ussd";
    } else {
        rc = ussd_parse_kannel(v[0], v[1], v[2], v[3], v[3] ? strlen(v[3]) : 0, r, errkey);
    }
    for (int i = 0; i < 4; i++)
        free(v[i]);
    return rc;
}

void ussd_req_clear(ussd_req *r)
{
    if (!r)
        return;
    free(r->session);
    free(r->service_code);
    free(r->network);
    free(r->text);
    memset(r, 0, sizeof(*r));
}

int ussd_at_input(const char *seen, const char *text, const char **input)
{
    size_t n = strlen(seen);
    *input = NULL;
    if (!strcmp(seen, text))
        return 1;
    if (n == 0) {
        *input = text;
        return 0;
    }
    if (!strncmp(seen, text, n) && text[n] == '*') {
        *input = text + n + 1;
        return 0;
    }
    return -1;
}

char *ussd_render_at(int end, const char *screen, size_t *len)
{
    buf b = {0};
    buf_puts(&b, end ? "END " : "CON ");
    buf_puts(&b, screen);
    return buf_detach(&b, len);
}

char *ussd_render_json(int end, const char *screen, size_t *len)
{
    json_t *o = json_pack("{s:s, s:b}", "message", screen, "continue", !end);
    if (!o)
        o = json_pack("{s:s, s:b}", "message", "", "continue", 0);
    char *s = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    *len = strlen(s);
    return s;
}

/* Units of the ASCII byte c: septets (GSM-7: the extension characters and
 * form feed count 2; '?' for what GSM-7 lacks counts 1) or one UTF-16 unit.
 * The same as sms_segments() counts, without decoding. */
static size_t ussd_ascii_units(unsigned char c, int unicode)
{
    if (unicode)
        return 1;
    switch (c) {
    case '^': case '{': case '}': case '\\': case '[': case ']': case '~': case '|': case '\f':
        return 2;
    default:
        return 1;
    }
}

/* Length and units of the character at s (n > 0 bytes): ASCII here, any
 * other character (or invalid byte) as sms_segments() counts it. */
static size_t ussd_char_units(const char *s, size_t n, int unicode, size_t *u)
{
    unsigned char c = (unsigned char)*s;
    if (c < 0x80) {
        *u = ussd_ascii_units(c, unicode);
        return 1;
    }
    unsigned cp;
    int k = utf8_next(s, n, &cp);
    size_t len = k > 0 ? (size_t)k : 1;
    sms_segments(s, len, unicode, u);
    return len;
}

size_t ussd_units(const char *s, size_t n, int unicode)
{
    size_t total = 0;
    for (size_t i = 0; i < n;) {
        size_t u;
        i += ussd_char_units(s + i, n - i, unicode, &u);
        total += u;
    }
    return total;
}

/* Length of the UTF-8 character at s (at least 1). */
static size_t ussd_charlen(const char *s)
{
    unsigned char c = (unsigned char)*s;
    size_t k = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    for (size_t i = 1; i < k; i++)
        if (!s[i])
            return i;
    return k;
}

/* Bytes of the longest prefix of s (n bytes) within budget units. */
static size_t ussd_prefix(const char *s, size_t n, size_t budget, int unicode)
{
    size_t used = 0, i = 0;
    while (i < n) {
        unsigned char c = (unsigned char)s[i];
        size_t k = c < 0x80 ? 1 : ussd_charlen(s + i), u;
        if (i + k > n)
            break;
        if (k == 1 && c < 0x80)
            u = ussd_ascii_units(c, unicode);
        else
            u = ussd_units(s + i, k, unicode);
        if (used + u > budget)
            break;
        used += u;
        i += k;
    }
    return i;
}

size_t ussd_fit(char *s, size_t budget, int unicode)
{
    size_t n = strlen(s);
    if (ussd_units(s, n, unicode) <= budget)
        return n;
    n = ussd_prefix(s, n, budget, unicode);
    s[n] = '\0';
    return n;
}

/* Where to end a page that starts at s (n bytes left): the last line end or
 * space within budget, else the budget itself. *skip gets the separator's
 * length (consumed, not shown). */
static size_t ussd_cut(const char *s, size_t n, size_t budget, int unicode, size_t *skip)
{
    size_t p = ussd_prefix(s, n, budget, unicode);
    *skip = 0;
    if (p == n)
        return n;
    if (s[p] == '\n' || s[p] == ' ') {
        *skip = 1;
        return p;
    }
    for (size_t i = p; i > p / 2; i--) /* a line end in the second half */
        if (s[i - 1] == '\n') {
            *skip = 1;
            return i - 1;
        }
    for (size_t i = p; i > 0; i--)
        if (s[i - 1] == ' ' || s[i - 1] == '\n') {
            *skip = 1;
            return i - 1;
        }
    return p ? p : ussd_charlen(s); /* budget 0: one character per page */
}

int ussd_paginate(const char *text, size_t budget, int unicode, size_t max_pages,
                  ussd_pages *out)
{
    size_t n = text ? strlen(text) : 0, i = 0, cap = 4;
    out->page = xcalloc(cap, sizeof(char *));
    out->n = 0;
    if (max_pages == 0)
        max_pages = 1;
    while (i < n || out->n == 0) {
        while (out->n > 0 && i < n && (text[i] == '\n' || text[i] == ' '))
            i++;
        if (out->n > 0 && i >= n)
            break;
        size_t skip, len = ussd_cut(text + i, n - i, budget, unicode, &skip);
        if (out->n == cap)
            out->page = xrealloc(out->page, (cap *= 2) * sizeof(char *));
        if (out->n + 1 == max_pages && i + len + skip < n) {
            char *last = xstrndup(text + i, n - i);
            ussd_fit(last, budget, unicode);
            out->page[out->n++] = last;
            break;
        }
        out->page[out->n++] = xstrndup(text + i, len);
        i += len + skip;
    }
    return 0;
}

void ussd_pages_free(ussd_pages *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->n; i++)
        free(p->page[i]);
    free(p->page);
    p->page = NULL;
    p->n = 0;
}
