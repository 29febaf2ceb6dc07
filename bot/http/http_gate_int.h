/* http_gate_int.h -- the byte scanner behind bot/http/http_gate.h (internal:
 * http_gate.c and tests/fuzz/fuzz_http_gate.c only).
 *
 * hg_feed() reads the bytes a client sent on one connection, in the order
 * they arrive, before libwebsockets parses them, and frames them as lws
 * 4.1.6 does: request line, header lines up to the empty line, then a body
 * of Content-Length bytes, or, after a head with "Upgrade: websocket", the
 * WebSocket frames of RFC 6455 §5.2. It rewrites the stream in place so that
 * lws never takes one of its own exits (docs/reliability.md "HTTP gate"):
 *  - a request target with an invalid %-escape, a %00, or a control byte:
 *    the offending byte becomes 'x' (lws would answer its HTML 403, or close
 *    without an answer for %00 / a raw NUL) and the request is flagged 400;
 *  - a decoded target over HG_TARGET_MAX bytes, or more than HG_ARGS_MAX
 *    query arguments: the excess is dropped and the request flagged 414;
 *  - a head over HG_HEAD_MAX bytes (as lws stores it) or more than
 *    HG_FRAGS_MAX header lines and query arguments together: the excess is dropped (line breaks kept) and
 *    the request flagged 431 (lws would close without an answer);
 *  - an unmasked client WebSocket frame: replaced by a masked close frame
 *    with status 1002, so that lws answers a 1002 close and closes.
 * After a flagged head (and after the injected close frame) every further
 * byte of the connection is dropped: the flagged request is the last one
 * lws serves there, refused with a JSON answer and Connection: close.
 * Bodies without Content-Length (Transfer-Encoding) and CONNECT are not
 * framed: the rest of such a connection passes unscanned (dvcbot refuses
 * both before reading them). */
#ifndef DVC_BOT_HTTP_HTTP_GATE_INT_H
#define DVC_BOT_HTTP_HTTP_GATE_INT_H

#include <stddef.h>
#include <stdint.h>

#define HG_TARGET_MAX 3584  /* decoded request-target bytes */
#define HG_ARGS_MAX 48      /* query arguments (lws: one header fragment each) */
#define HG_HEAD_MAX 4000    /* bytes lws would store (max_http_header_data 4096) */
#define HG_FRAGS_MAX 80     /* query arguments + header lines (lws: 90 fragments) */
#define HG_HOLD_MAX 2       /* bytes kept back for the next read */
#define HG_ROOM 16          /* output bytes hg_feed may add to its input */

typedef struct hg_scan {
    int mode;                   /* enum hg_mode (http_gate_scan.c) */
    int flag;                   /* status the head being read earns (0: none) */
    uint64_t heads;             /* complete request heads scanned */
    uint64_t bad_seq;           /* 1-based number of the flagged head (0: none) */
    int bad_status;             /* 400, 414, 431 */
    int rewritten;              /* some byte was changed, dropped or added */
    size_t target_len, head_len;
    unsigned args, lines;
    int in_query, cr;
    uint64_t body_left;
    /* the header line being read: its name and the first bytes of its value */
    char name[20], value[16];
    size_t name_len, value_len, line_len;
    int in_value, value_long;
    int cl_seen, te, ws_up, connect;
    uint64_t cl;
    /* the WebSocket frame header being read */
    unsigned char wsh[14];
    size_t wsh_len;
    uint64_t ws_left;
    unsigned char hold[HG_HOLD_MAX];
    size_t hold_len;            /* bytes of buf's tail kept back unscanned */
} hg_scan;

/* A fresh connection. */
void hg_init(hg_scan *s);

/* Scans in[0..n), the connection's next input (the caller puts the bytes of
 * s->hold first, then clears hold_len), into out (room for n + HG_ROOM
 * bytes): returns how many bytes of out lws may parse now. A short tail that
 * cannot be judged yet (a '%' near the end, the first byte of a frame
 * header; at most HG_HOLD_MAX bytes) goes to s->hold instead. */
size_t hg_feed(hg_scan *s, const unsigned char *in, size_t n, unsigned char *out);

#endif
