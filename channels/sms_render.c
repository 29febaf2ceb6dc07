/* sms_render.c -- a reply as SMS pages: GSM-7 folding, septet / UCS-2 unit
 * counting, segment budgeting, paging with a "how to get the rest" hint and
 * numbered button lines (see sms.h). */
#include "channels/sms.h"

#include <stdlib.h>
#include <string.h>

#include "common/utf8.h"
#include "common/xmalloc.h"

/* Non-ASCII characters of the GSM 03.38 basic table (one septet each). */
static const unsigned sms_gsm_basic[] = {
    0xA1, 0xA3, 0xA4, 0xA5, 0xA7, 0xBF, 0xC4, 0xC5, 0xC6, 0xC7, 0xC9, 0xD1, 0xD6,
    0xD8, 0xDC, 0xDF, 0xE0, 0xE4, 0xE5, 0xE6, 0xE8, 0xE9, 0xEC, 0xF1, 0xF2, 0xF6,
    0xF8, 0xF9, 0xFC, 0x393, 0x394, 0x398, 0x39B, 0x39E, 0x3A0, 0x3A3, 0x3A6, 0x3A8,
    0x3A9,
};

/* Septets of code point cp in GSM-7, 0 if it cannot be sent. */
static int sms_gsm_septets(unsigned cp)
{
    if (cp == '\n' || cp == '\r')
        return 1;
    if (cp == '^' || cp == '{' || cp == '}' || cp == '\\' || cp == '[' || cp == ']' ||
        cp == '~' || cp == '|' || cp == 0x20AC || cp == '\f')
        return 2;
    if (cp >= 0x20 && cp < 0x7F)
        return cp == '`' ? 0 : 1;
    for (size_t i = 0; i < sizeof(sms_gsm_basic) / sizeof(sms_gsm_basic[0]); i++)
        if (sms_gsm_basic[i] == cp)
            return 1;
    return 0;
}

/* Next character at s (n > 0 bytes): its length, and its code point in *cp
 * (an invalid byte counts as one character U+FFFD). */
static size_t sms_next(const char *s, size_t n, unsigned *cp)
{
    int k = utf8_next(s, n, cp);
    if (k > 0)
        return (size_t)k;
    *cp = 0xFFFD;
    return 1;
}

/* The ASCII characters that take two septets (the GSM escape table). */
static const unsigned char sms_ascii_double[128] = {
    ['^'] = 1, ['{'] = 1, ['}'] = 1, ['\\'] = 1, ['['] = 1, [']'] = 1, ['~'] = 1, ['|'] = 1,
    ['\f'] = 1,
};

/* Folded in place: the output of one character is never longer than the
 * character (tab -> space, '`' -> '\'', '\r' dropped, unsendable -> '?'),
 * so the write position never passes the read position. ASCII, nearly
 * every character of an answer, takes the short path. */
char *sms_gsm_fold(const char *s, size_t n, size_t *outlen)
{
    char *f = xmalloc(n + 1);
    size_t fl, o = 0;
    if (utf8_fold(s, n, f, n + 1, &fl) < 0) {
        memcpy(f, s, n); /* invalid UTF-8: fold nothing, '?' below */
        fl = n;
    }
    for (size_t i = 0; i < fl;) {
        unsigned char c = (unsigned char)f[i];
        if (c < 0x80) {
            i++;
            if (c == '\r')
                continue;
            /* sms_gsm_septets(c) != 0, inline: the printable ASCII, \n, \f */
            int sendable = (c >= 0x20 && c < 0x7F) || c == '\n' || c == '\f';
            f[o++] = c == '\t' ? ' ' : c == '`' ? '\'' : sendable ? (char)c : '?';
            continue;
        }
        unsigned cp;
        size_t k = sms_next(f + i, fl - i, &cp);
        if (!sms_gsm_septets(cp) || (cp == 0xFFFD && k == 1)) {
            f[o++] = '?';
        } else {
            memmove(f + o, f + i, k);
            o += k;
        }
        i += k;
    }
    f[o] = '\0';
    if (outlen)
        *outlen = o;
    return f;
}

/* Units of one character: septets (GSM) or UTF-16 code units (UCS-2). */
static int sms_units(unsigned cp, int ucs2)
{
    if (ucs2)
        return cp >= 0x10000 ? 2 : 1;
    int s = sms_gsm_septets(cp);
    return s ? s : 1; /* '?' */
}

/* The units of s (n bytes) in the page encoding. */
static size_t sms_units_of(const char *s, size_t n, int ucs2)
{
    size_t total = 0;
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x80) {
            total += 1 + (!ucs2 && sms_ascii_double[c]);
            i++;
        } else {
            unsigned cp;
            i += sms_next(s + i, n - i, &cp);
            total += (size_t)sms_units(cp, ucs2);
        }
    }
    return total;
}

int sms_segments(const char *s, size_t n, int ucs2, size_t *units)
{
    size_t total = 0, seg_used = 0;
    int segs = 1;
    size_t single = ucs2 ? 70 : 160, per = ucs2 ? 67 : 153;
    /* One segment is the rule: count the units alone first. A text of more
     * than single * 4 bytes (4 bytes a character at most) cannot fit one. */
    if (n <= single * 4) {
        total = sms_units_of(s, n, ucs2);
        if (units)
            *units = total;
        if (total <= single)
            return total ? 1 : 0;
        total = 0;
    }
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        size_t u;
        if (c < 0x80) { /* one unit, or two for GSM's escaped characters */
            u = 1 + (!ucs2 && sms_ascii_double[c]);
            i++;
        } else {
            unsigned cp;
            i += sms_next(s + i, n - i, &cp);
            u = (size_t)sms_units(cp, ucs2);
        }
        total += u;
        if (seg_used + u > per) { /* a 2-unit character never straddles */
            segs++;
            seg_used = 0;
        }
        seg_used += u;
    }
    if (units)
        *units = total;
    if (total == 0)
        return 0;
    return total <= single ? 1 : segs;
}

static int sms_fits(const char *s, size_t n, const sms_render_opts *o)
{
    return sms_segments(s, n, o->unicode, NULL) <= o->max_segments;
}

/* Text in the page encoding: folded for GSM-7, as is for UCS-2. */
static char *sms_encode(const char *s, size_t n, int unicode, size_t *outlen)
{
    if (!n) { /* no text (no buttons): nothing to fold */
        *outlen = 0;
        return xstrdup("");
    }
    if (!unicode)
        return sms_gsm_fold(s, n, outlen);
    *outlen = n;
    return xstrndup(s, n);
}

/* "\n" + the hint for page p, encoded. */
static char *sms_hint(const sms_render_opts *o, int p, size_t *len)
{
    buf b = {0};
    buf_putc(&b, '\n');
    for (const char *t = o->more; *t; t++) {
        if (!strncmp(t, "{cmd}", 5)) {
            buf_puts(&b, o->cmd ? o->cmd : "");
            t += 4;
        } else if (!strncmp(t, "{page}", 6)) {
            buf_printf(&b, "%d", p);
            t += 5;
        } else {
            buf_putc(&b, *t);
        }
    }
    char *h = sms_encode(b.data, b.len, o->unicode, len);
    buf_free(&b);
    return h;
}

/* Longest prefix of s (n bytes) that fits with tail appended, preferably
 * ending at a space or line break. Returns its length (0 if none). */
static size_t sms_prefix(const char *s, size_t n, const char *tail, size_t tlen,
                         const sms_render_opts *o)
{
    buf b = {0};
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo + 1) / 2;
        while (mid > lo && ((unsigned char)s[mid] & 0xC0) == 0x80 && mid < n)
            mid--;
        if (mid == lo)
            break;
        buf_reset(&b);
        buf_append(&b, s, mid);
        buf_append(&b, tail, tlen);
        if (sms_fits(b.data, b.len, o))
            lo = mid;
        else
            hi = mid - 1;
    }
    buf_free(&b);
    for (size_t k = lo; lo < n && k > lo * 2 / 3; k--)
        if (s[k] == ' ' || s[k] == '\n')
            return k;
    return lo;
}

static void sms_add_page(sms_pages *out, const char *s, size_t n, const char *tail, size_t tlen)
{
    out->page = xrealloc(out->page, (out->n + 1) * sizeof(*out->page));
    char *p = xmalloc(n + tlen + 1);
    memcpy(p, s, n);
    memcpy(p + n, tail, tlen);
    p[n + tlen] = '\0';
    out->page[out->n++] = p;
}

/* Body text of the reply: the parts' texts, one per line, encoded. */
static char *sms_body(const reply *r, int unicode, size_t *len)
{
    buf b = {0};
    for (size_t i = 0; r && i < r->nparts; i++) {
        const char *t = r->parts[i].text;
        if (!t || !*t)
            continue;
        if (b.len)
            buf_putc(&b, '\n');
        buf_puts(&b, t);
    }
    char *s = sms_encode(b.data ? b.data : "", b.len, unicode, len);
    buf_free(&b);
    return s;
}

static int sms_title_numeric(const char *t)
{
    if (!*t)
        return 1;
    for (; *t; t++)
        if ((*t < '0' || *t > '9') && *t != ' ')
            return 0;
    return 1;
}

/* "\n1. Title" lines for the buttons; "" if any title is only a number
 * (a scale like 1-5 is asked for in the text). *count gets the buttons. */
static char *sms_buttons(const reply *r, int unicode, size_t *len, size_t *count)
{
    buf b = {0};
    size_t k = 0;
    for (size_t i = 0; r && i < r->nparts; i++)
        for (size_t j = 0; j < r->parts[i].nbuttons && k < SMS_MAX_PAGES; j++) {
            const char *t = r->parts[i].buttons[j].title;
            if (!t || sms_title_numeric(t)) {
                buf_free(&b);
                *count = 0;
                *len = 0;
                return xstrdup("");
            }
            buf_printf(&b, "\n%zu. %s", ++k, t);
        }
    *count = k;
    char *s = sms_encode(b.data ? b.data : "", b.len, unicode, len);
    buf_free(&b);
    return s;
}

/* The last page: rest, with the buttons if they fit; cut with "..." if even
 * rest does not fit. fits: 1 when the caller knows rest fits, else 0. */
static void sms_last_page(const char *rest, size_t n, const char *btn, size_t blen,
                          size_t nbtn, int fits, const sms_render_opts *o, sms_pages *out)
{
    buf b = {0};
    if (nbtn) {
        buf_append(&b, rest, n);
        buf_append(&b, btn, blen);
    }
    if (nbtn && sms_fits(b.data, b.len, o)) {
        sms_add_page(out, rest, n, btn, blen);
        out->nbuttons = nbtn;
    } else if (fits || sms_fits(rest, n, o)) {
        sms_add_page(out, rest, n, "", 0);
    } else {
        size_t k = sms_prefix(rest, n, "...", 3, o);
        sms_add_page(out, rest, k, "...", 3);
        out->truncated = 1;
    }
    buf_free(&b);
}

int sms_render(const reply *r, const sms_render_opts *o, sms_pages *out)
{
    memset(out, 0, sizeof(*out));
    size_t blen, btnlen, nbtn;
    char *body = sms_body(r, o->unicode, &blen);
    char *btn = sms_buttons(r, o->unicode, &btnlen, &nbtn);
    int maxp = o->max_pages < 1 ? 1 : o->max_pages > SMS_MAX_PAGES ? SMS_MAX_PAGES : o->max_pages;
    size_t at = 0;
    for (int p = 1;; p++) {
        while (at < blen && (body[at] == ' ' || body[at] == '\n'))
            at++;
        int fits = 0;
        if (p == maxp || !o->more || (fits = sms_fits(body + at, blen - at, o))) {
            sms_last_page(body + at, blen - at, btn, btnlen, nbtn, fits, o, out);
            break;
        }
        size_t hlen;
        char *hint = sms_hint(o, p + 1, &hlen);
        size_t k = sms_prefix(body + at, blen - at, hint, hlen, o);
        if (k == 0) { /* the hint alone does not fit: cut */
            free(hint);
            sms_last_page(body + at, blen - at, "", 0, 0, 0, o, out);
            break;
        }
        size_t end = k; /* drop trailing blanks before the hint */
        while (end > 0 && (body[at + end - 1] == ' ' || body[at + end - 1] == '\n'))
            end--;
        sms_add_page(out, body + at, end, hint, hlen);
        free(hint);
        at += k;
    }
    free(body);
    free(btn);
    return 0;
}

void sms_pages_free(sms_pages *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->n; i++)
        free(p->page[i]);
    free(p->page);
    memset(p, 0, sizeof(*p));
}
