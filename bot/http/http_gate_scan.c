/* http_gate_scan.c -- frames and rewrites a client's bytes before lws parses
 * them (see http_gate_int.h). Pure: no I/O, no lws. */
#include "bot/http/http_gate_int.h"

#include <string.h>
#include <strings.h>

enum hg_mode { HG_START, HG_METHOD, HG_TARGET, HG_LINE, HG_HEAD, HG_BODY, HG_WS, HG_PASS, HG_DROP };

/* One call's cursor: input read at i, output written at w. */
typedef struct hg_io {
    const unsigned char *in;
    size_t n, i;
    unsigned char *out;
    size_t w;
} hg_io;

void hg_init(hg_scan *s)
{
    memset(s, 0, sizeof(*s));
    s->mode = HG_START;
}

static int hg_hex(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c |= 0x20;
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static void hg_put(hg_io *io, const char *bytes, size_t k)
{
    memcpy(io->out + io->w, bytes, k);
    io->w += k;
}

/* The head being read earns status; 0 when it already had one. */
static int hg_flag(hg_scan *s, int status)
{
    if (s->flag)
        return 0;
    s->flag = status;
    s->bad_seq = s->heads + 1;
    s->bad_status = status;
    s->rewritten = 1;
    return 1;
}

/* A limit is crossed: end the head for lws where it stands (so it calls the
 * filter that answers the JSON refusal) and drop the rest of the input. */
static void hg_cut(hg_scan *s, hg_io *io, int status)
{
    hg_flag(s, status);
    if (s->mode == HG_TARGET)
        hg_put(io, " HTTP/1.1\r\n\r\n", 13);
    else if (s->mode == HG_HEAD && !s->line_len)
        hg_put(io, "\r\n", 2);
    else if (s->mode == HG_HEAD && !s->in_value)
        hg_put(io, "::\r\n\r\n", 6); /* ends lws's header name, its line, the head */
    else
        hg_put(io, "\r\n\r\n", 4);
    s->heads++;
    s->mode = HG_DROP;
}

static void hg_head_begin(hg_scan *s)
{
    s->flag = 0;
    s->target_len = s->head_len = 0;
    s->args = s->lines = 0;
    s->in_query = 0;
    s->name_len = s->value_len = s->line_len = 0;
    s->in_value = s->value_long = 0;
    s->cl_seen = s->te = s->ws_up = s->connect = 0;
    s->cl = 0;
    s->mode = HG_METHOD;
}

static int hg_over(const hg_scan *s)
{
    return s->target_len + s->head_len + 8u * s->lines > HG_HEAD_MAX;
}

/* The request target: escapes, control bytes, its length and arguments.
 * 0 to go on, 1 when the rest of the input must wait (held). */
static int hg_target(hg_scan *s, hg_io *io)
{
    unsigned char c = io->in[io->i];
    if (c == ' ' || c == '\r' || c == '\n') {
        s->mode = HG_LINE;
        return 0; /* the line's end, seen again there */
    }
    if (c == '%') {
        if (io->n - io->i < 3) {
            s->hold_len = io->n - io->i;
            memcpy(s->hold, io->in + io->i, s->hold_len);
            io->i = io->n;
            return 1;
        }
        int hi = hg_hex(io->in[io->i + 1]), lo = hg_hex(io->in[io->i + 2]);
        if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) {
            hg_flag(s, 400);
            c = 'x'; /* lws would answer its HTML 403, or close for %00 */
        } else {
            if (++s->target_len > HG_TARGET_MAX) {
                hg_cut(s, io, 414);
                return 0;
            }
            hg_put(io, (const char *)io->in + io->i, 3);
            io->i += 3;
            return 0;
        }
    } else if (c < 0x20 || c == 0x7f) {
        hg_flag(s, 400);
        c = 'x'; /* lws closes on a raw NUL */
    } else if (c == '?' && !s->in_query) {
        s->in_query = 1;
        s->args = 1;
    } else if (s->in_query && (c == '&' || c == ';')) {
        s->args++;
    }
    if (++s->target_len > HG_TARGET_MAX || s->args > HG_ARGS_MAX) {
        hg_cut(s, io, 414);
        return 0;
    }
    io->out[io->w++] = c;
    io->i++;
    return 0;
}

/* A target byte that hg_target() only counts and copies. */
static int hg_target_plain(unsigned char c)
{
    return c > 0x20 && c != 0x7f && c != '%' && c != '?' && c != '&' && c != ';';
}

/* A run of such bytes at once, as long as the target stays within
 * HG_TARGET_MAX (the byte that would cross it is hg_target()'s). */
static void hg_target_run(hg_scan *s, hg_io *io)
{
    size_t i = io->i, lim = io->n;
    if (lim - i > HG_TARGET_MAX - s->target_len)
        lim = i + (HG_TARGET_MAX - s->target_len);
    while (i < lim && hg_target_plain(io->in[i]))
        i++;
    size_t k = i - io->i;
    memcpy(io->out + io->w, io->in + io->i, k);
    io->w += k;
    io->i = i;
    s->target_len += k;
}

/* A header line ended: what it says about the framing. */
static void hg_line_end(hg_scan *s)
{
    s->name[s->name_len < sizeof(s->name) ? s->name_len : sizeof(s->name) - 1] = '\0';
    s->value[s->value_len] = '\0';
    if (s->name_len == sizeof("content-length") - 1 && !strcasecmp(s->name, "content-length")) {
        uint64_t v = 0;
        size_t k = 0;
        while (k < sizeof(s->value) - 1 && k < s->value_len && s->value[k] >= '0' &&
               s->value[k] <= '9')
            v = v * 10 + (uint64_t)(s->value[k++] - '0');
        if (!s->cl_seen)
            s->cl = v; /* a malformed or second length: guard.c refuses it and closes */
        s->cl_seen = 1;
    } else if (s->name_len == sizeof("transfer-encoding") - 1 &&
               !strcasecmp(s->name, "transfer-encoding")) {
        s->te = 1;
    } else if (s->name_len == sizeof("upgrade") - 1 && !strcasecmp(s->name, "upgrade")) {
        /* lws compares the whole value (repeated lines joined) with "websocket" */
        s->ws_up = s->ws_up ? -1 : (!s->value_long && !strcasecmp(s->value, "websocket") ? 1 : -1);
    }
    s->name_len = s->value_len = s->line_len = 0;
    s->in_value = s->value_long = 0;
}

/* The empty line: the next mode. */
static void hg_head_end(hg_scan *s)
{
    s->heads++;
    if (s->flag)
        s->mode = HG_DROP; /* lws refuses it (guard.c) and closes */
    else if (s->ws_up == 1)
        s->mode = HG_WS;
    else if (s->connect || s->te)
        s->mode = HG_PASS;
    else if (s->cl) {
        s->body_left = s->cl;
        s->mode = HG_BODY;
    } else
        s->mode = HG_START;
    s->wsh_len = 0;
}

/* One byte of a header line (HG_HEAD); 1 when it was the line's '\n'. */
static int hg_head_byte(hg_scan *s, hg_io *io)
{
    unsigned char c = io->in[io->i];
    if (c == '\r') {
        io->out[io->w++] = c;
        io->i++;
        return 0;
    }
    if (c == '\n') {
        io->out[io->w++] = c;
        io->i++;
        if (!s->line_len)
            hg_head_end(s);
        else
            hg_line_end(s);
        return 1;
    }
    if (!s->line_len && ++s->lines + s->args > HG_FRAGS_MAX) {
        hg_cut(s, io, 431);
        return 0;
    }
    s->line_len++;
    s->head_len++;
    if (hg_over(s)) {
        hg_cut(s, io, 431);
        return 0;
    }
    if (!s->in_value && c == ':') {
        s->in_value = 1;
    } else if (!s->in_value) {
        if (s->name_len < sizeof(s->name))
            s->name[s->name_len] = (char)c;
        s->name_len++;
    } else if (s->value_len || c != ' ') {
        if (s->value_len < sizeof(s->value) - 1)
            s->value[s->value_len++] = (char)c;
        else
            s->value_long = 1;
    }
    io->out[io->w++] = c;
    io->i++;
    return 0;
}

/* A header line's bytes up to its '\n' at once, when hg_head_byte() would
 * cross no limit on them and find no '\r' but one right before the '\n':
 * the same counts, name and value, the line copied in one go. 1 when done,
 * 0 (nothing changed) to go byte by byte: the empty line, a line not all
 * in this input, a limit reached, a stray '\r'. */
static int hg_head_line(hg_scan *s, hg_io *io)
{
    const unsigned char *p = io->in + io->i;
    const unsigned char *nl = memchr(p, '\n', io->n - io->i);
    if (!nl)
        return 0;
    size_t seg = (size_t)(nl - p), k = seg;
    if (k && p[k - 1] == '\r')
        k--;
    unsigned lines = s->lines + !s->line_len;
    if (!k || memchr(p, '\r', k) || lines + s->args > HG_FRAGS_MAX ||
        s->target_len + s->head_len + k + 8u * lines > HG_HEAD_MAX)
        return 0;
    s->lines = lines;
    s->line_len += k;
    s->head_len += k;
    size_t j = 0;
    if (!s->in_value) {
        const unsigned char *colon = memchr(p, ':', k);
        j = colon ? (size_t)(colon - p) : k;
        if (s->name_len < sizeof(s->name)) {
            size_t room = sizeof(s->name) - s->name_len;
            memcpy(s->name + s->name_len, p, j < room ? j : room);
        }
        s->name_len += j;
        if (colon) {
            s->in_value = 1;
            j++;
        }
    }
    if (s->in_value) {
        if (!s->value_len)
            while (j < k && p[j] == ' ')
                j++;
        size_t vk = k - j, room = sizeof(s->value) - 1 - s->value_len;
        if (vk > room) {
            s->value_long = 1;
            vk = room;
        }
        memcpy(s->value + s->value_len, p + j, vk);
        s->value_len += vk;
    }
    memcpy(io->out + io->w, p, seg + 1);
    io->w += seg + 1;
    io->i += seg + 1;
    hg_line_end(s);
    return 1;
}

/* The request line before the target, and after it (the version). */
static void hg_line_byte(hg_scan *s, hg_io *io)
{
    unsigned char c = io->in[io->i];
    if (s->mode == HG_METHOD) {
        if (c == ' ') {
            s->name[s->name_len < sizeof(s->name) ? s->name_len : sizeof(s->name) - 1] = '\0';
            s->connect = s->name_len < sizeof(s->name) && !strcmp(s->name, "CONNECT");
            s->name_len = 0;
            s->mode = HG_TARGET;
        } else if (c == '\r' || c == '\n') {
            s->mode = HG_LINE;
            return;
        } else if (s->name_len < sizeof(s->name)) {
            s->name[s->name_len++] = (char)c;
        }
    } else if (c == '\n') {
        s->mode = HG_HEAD;
    } else if (c != '\r' && ++s->head_len && hg_over(s)) {
        hg_cut(s, io, 431);
        return;
    }
    io->out[io->w++] = c;
    io->i++;
}

/* A WebSocket frame header, byte by byte; an unmasked client frame is
 * replaced by a masked close 1002 (RFC 6455 §5.1). 1 when held. */
static int hg_ws_header(hg_scan *s, hg_io *io)
{
    if (!s->wsh_len) {
        if (io->n - io->i < 2) {
            s->hold_len = io->n - io->i;
            memcpy(s->hold, io->in + io->i, s->hold_len);
            io->i = io->n;
            return 1;
        }
        if (!(io->in[io->i + 1] & 0x80)) {
            hg_put(io, "\x88\x82\0\0\0\0\x03\xea", 8); /* close, zero mask key, 1002 */
            s->rewritten = 1;
            s->mode = HG_DROP;
            return 0;
        }
    }
    unsigned char c = io->in[io->i++];
    io->out[io->w++] = c;
    s->wsh[s->wsh_len++] = c;
    if (s->wsh_len < 2)
        return 0;
    size_t len7 = s->wsh[1] & 0x7f, ext = len7 == 126 ? 2 : len7 == 127 ? 8 : 0;
    if (s->wsh_len < 2 + ext + 4)
        return 0;
    uint64_t len = len7;
    if (ext) {
        len = 0;
        for (size_t k = 0; k < ext; k++)
            len = len << 8 | s->wsh[2 + k];
    }
    s->ws_left = len;
    s->wsh_len = 0;
    return 0;
}

/* Bytes passed on unscanned: a body, a frame's payload, a passed-through
 * connection. */
static void hg_copy(hg_io *io, uint64_t *left)
{
    size_t k = io->n - io->i;
    if (left && *left < k)
        k = (size_t)*left;
    memcpy(io->out + io->w, io->in + io->i, k);
    io->w += k;
    io->i += k;
    if (left)
        *left -= k;
}

size_t hg_feed(hg_scan *s, const unsigned char *in, size_t n, unsigned char *out)
{
    hg_io io = {.in = in, .n = n, .out = out};
    s->hold_len = 0;
    while (io.i < io.n) {
        switch (s->mode) {
        case HG_START:
            if (in[io.i] == '\r' || in[io.i] == '\n')
                out[io.w++] = in[io.i++];
            else
                hg_head_begin(s);
            break;
        /* the byte scanners loop while the mode stays (no dispatch a byte) */
        case HG_METHOD:
        case HG_LINE:
            do
                hg_line_byte(s, &io);
            while (io.i < io.n && (s->mode == HG_METHOD || s->mode == HG_LINE));
            break;
        case HG_TARGET:
            do {
                hg_target_run(s, &io);
                if (io.i < io.n && hg_target(s, &io))
                    return io.w;
            } while (io.i < io.n && s->mode == HG_TARGET);
            break;
        case HG_HEAD:
            /* a line at once, else byte by byte to its end (so a line that
             * cannot go at once is looked for once, not at every byte) */
            do
                if (!hg_head_line(s, &io))
                    while (!hg_head_byte(s, &io) && io.i < io.n && s->mode == HG_HEAD)
                        ;
            while (io.i < io.n && s->mode == HG_HEAD);
            break;
        case HG_BODY:
            hg_copy(&io, &s->body_left);
            if (!s->body_left)
                s->mode = HG_START;
            break;
        case HG_WS:
            if (s->ws_left)
                hg_copy(&io, &s->ws_left);
            else if (hg_ws_header(s, &io))
                return io.w;
            break;
        case HG_PASS:
            hg_copy(&io, NULL);
            break;
        default: /* HG_DROP */
            io.i = io.n;
            break;
        }
    }
    return io.w;
}
