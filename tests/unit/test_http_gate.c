/* test_http_gate.c -- unit tests of the HTTP gate's scanner
 * (bot/http/http_gate_scan.c): a header line that is all in one read goes
 * at once (memchr, one copy), a run of plain target bytes too; fed one byte
 * a read, every line goes byte by byte. Both must frame, flag and rewrite
 * alike: the same output, the same verdict (which head, which status) and
 * the same framing (a body of Content-Length bytes, a WebSocket upgrade). */
#include <stdlib.h>
#include <string.h>

#include "bot/http/http_gate_int.h"
#include "t.h"

typedef struct fed {
    unsigned char out[20000];
    size_t len;
    hg_scan s;
} fed;

/* s fed in reads of step bytes (0: all at once), the output collected. */
static void feed(fed *f, const char *s, size_t n, size_t step)
{
    unsigned char in[20000 + HG_HOLD_MAX], out[20000 + HG_HOLD_MAX + HG_ROOM];
    hg_init(&f->s);
    f->len = 0;
    for (size_t pos = 0; pos < n;) {
        size_t k = step && n - pos > step ? step : n - pos, h = f->s.hold_len;
        memcpy(in, f->s.hold, h);
        memcpy(in + h, s + pos, k);
        pos += k;
        size_t w = hg_feed(&f->s, in, h + k, out);
        memcpy(f->out + f->len, out, w);
        f->len += w;
    }
}

/* The verdict and framing of s alike whole, byte by byte and in 7-byte reads. */
static int alike(const char *s, size_t n)
{
    static fed a, b, c;
    feed(&a, s, n, 0);
    feed(&b, s, n, 1);
    feed(&c, s, n, 7);
    const fed *o[2] = {&b, &c};
    for (int i = 0; i < 2; i++)
        if (o[i]->len != a.len || memcmp(o[i]->out, a.out, a.len) || o[i]->s.mode != a.s.mode ||
            o[i]->s.heads != a.s.heads || o[i]->s.bad_seq != a.s.bad_seq ||
            o[i]->s.bad_status != a.s.bad_status || o[i]->s.rewritten != a.s.rewritten ||
            o[i]->s.cl != a.s.cl || o[i]->s.ws_up != a.s.ws_up || o[i]->s.lines != a.s.lines ||
            o[i]->s.head_len != a.s.head_len)
            return 0;
    return 1;
}

static fed g;

static void test_framing(void)
{
    const char *two = "POST /api/v1/chat HTTP/1.1\r\nHost: x\r\nContent-Length:   5\r\n"
                      "Content-Type: application/json\r\n\r\nhelloGET /healthz HTTP/1.1\r\n\r\n";
    T_OK(alike(two, strlen(two)), "a POST with a body then a GET: alike whole and byte by byte");
    feed(&g, two, strlen(two), 0);
    T_OK(g.len == strlen(two) && !memcmp(g.out, two, g.len) && !g.s.rewritten,
         "passed unchanged");
    T_OK(g.s.heads == 2 && g.s.bad_seq == 0, "two heads, nothing flagged");
    size_t head = (size_t)(strstr(two, "\r\n\r\n") + 4 - two);
    feed(&g, two, head, 0);
    T_OK(g.s.cl == 5 && g.s.body_left == 5, "the body's length read from a line that went at once");
    const char *ws = "GET /ws/chat HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"
                     "\x81\x85" "abcd" "hello\x81\x05hello";
    T_OK(alike(ws, strlen(ws)), "an upgrade and frames: alike");
    feed(&g, ws, strlen(ws), 0);
    T_OK(g.s.ws_up == 1 && g.s.rewritten && g.s.mode != 0,
         "the upgrade is seen; the unmasked frame after the masked one is replaced");
    const char *te = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n";
    T_OK(alike(te, strlen(te)), "a chunked body (passed unscanned): alike");
}

static void test_odd_lines(void)
{
    static const char *const heads[] = {
        "GET / HTTP/1.1\r\nA: b\rc\r\n\r\n",            /* a stray CR inside a line */
        "GET / HTTP/1.1\nHost: x\n\n",                  /* bare LF */
        "GET / HTTP/1.1\r\nNoColon\r\n: empty name\r\n\r\n",
        "GET / HTTP/1.1\r\nX-A-Name-Longer-Than-Twenty: v\r\n\r\n",
        "GET / HTTP/1.1\r\nUpgrade:   websocket-and-more-than-fifteen\r\n\r\n",
        "GET / HTTP/1.1\r\ncontent-length: 3\r\nCONTENT-LENGTH: 3\r\n\r\nabc",
        "GET /a%zz?x=1&y=2;z HTTP/1.1\r\n\r\n",         /* a bad escape: 400 */
        "GET /a%00 HTTP/1.1\r\n\r\n",
        "GET /a\x01 HTTP/1.1\r\n\r\n",
    };
    int bad = 0;
    for (size_t i = 0; i < sizeof heads / sizeof heads[0]; i++)
        bad += !alike(heads[i], strlen(heads[i]));
    T_OK(bad == 0, "stray CRs, bare LFs, odd names and values, bad targets: alike (%d differ)",
         bad);
    feed(&g, heads[6], strlen(heads[6]), 0);
    T_OK(g.s.bad_seq == 1 && g.s.bad_status == 400, "a bad escape is flagged 400");
}

static void test_limits(void)
{
    static char s[12000];
    /* a head that crosses HG_HEAD_MAX inside a line, for every cut position near it */
    int bad = 0, flagged = 0;
    for (size_t extra = 0; extra < 40; extra++) {
        size_t n = (size_t)snprintf(s, sizeof s, "GET / HTTP/1.1\r\nA: ");
        memset(s + n, 'v', HG_HEAD_MAX - 40 + extra);
        n += HG_HEAD_MAX - 40 + extra;
        n += (size_t)snprintf(s + n, sizeof s - n, "\r\nB: w\r\n\r\n");
        bad += !alike(s, n);
        feed(&g, s, n, 0);
        flagged += g.s.bad_status == 431;
    }
    T_OK(bad == 0 && flagged > 0 && flagged < 40,
         "a head ending around HG_HEAD_MAX: alike at 40 lengths (%d differ, %d flagged 431)",
         bad, flagged);
    /* more header lines than HG_FRAGS_MAX */
    size_t n = (size_t)snprintf(s, sizeof s, "GET /?a=1&b=2 HTTP/1.1\r\n");
    for (int i = 0; i < HG_FRAGS_MAX + 5; i++)
        n += (size_t)snprintf(s + n, sizeof s - n, "H%d: v\r\n", i);
    n += (size_t)snprintf(s + n, sizeof s - n, "\r\n");
    T_OK(alike(s, n), "too many lines: alike");
    feed(&g, s, n, 0);
    T_OK(g.s.bad_status == 431, "too many lines: flagged 431");
    /* a target over HG_TARGET_MAX */
    n = (size_t)snprintf(s, sizeof s, "GET /");
    memset(s + n, 't', HG_TARGET_MAX + 10);
    n += HG_TARGET_MAX + 10;
    n += (size_t)snprintf(s + n, sizeof s - n, " HTTP/1.1\r\n\r\n");
    T_OK(alike(s, n), "a target over HG_TARGET_MAX: alike");
    feed(&g, s, n, 0);
    T_OK(g.s.bad_status == 414, "a target over HG_TARGET_MAX: flagged 414");
    /* one byte under it passes */
    n = (size_t)snprintf(s, sizeof s, "GET /");
    memset(s + n, 't', HG_TARGET_MAX - 1);
    n += HG_TARGET_MAX - 1;
    n += (size_t)snprintf(s + n, sizeof s - n, " HTTP/1.1\r\n\r\n");
    feed(&g, s, n, 0);
    T_OK(alike(s, n) && g.s.bad_seq == 0 && g.len == n, "a target of HG_TARGET_MAX bytes passes");
}

int main(void)
{
    test_framing();
    test_odd_lines();
    test_limits();
    return t_done();
}
