/* ws_load.c -- the WebSocket load client of `make bench` (tests/bench/ws_bench.py).
 *
 *   ws_load PORT PID CONNECTIONS SECONDS
 *
 * One thread, epoll, no library: CONNECTIONS connections to 127.0.0.1:PORT
 * /ws/chat (subprotocol dvcbot.chat.v1), each says hello; once every one has
 * its hello answered, each sends {"type":"message","text":"xin chao"} and the
 * next one as soon as a "reply" frame arrived (closed loop), for SECONDS.
 * Pings are answered. Prints one JSON object: messages, messages/s, p50 and
 * p99 round trip, and the CPU time (utime + stime) of PID per message.
 * A C client so that the lws echo baseline (ws_echo.c) is not bounded by the
 * client: ws_bench.py (Python) drove 1,000 connections at ~10k msgs/s at most.
 * Exit 1 with a line on stderr if a connection fails or closes. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

typedef struct wl_conn {
    int fd, ready;
    double sent_at;
    unsigned char *buf;
    size_t len, cap;
    unsigned char hello[128];
    size_t hello_len;
} wl_conn;

static unsigned char wl_msg[64];
static size_t wl_msg_len;
static double *wl_lat;
static size_t wl_nlat, wl_caplat;

static double wl_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void wl_die(const char *what)
{
    fprintf(stderr, "ws_load: %s: %s\n", what, errno ? strerror(errno) : "protocol");
    exit(1);
}

static long wl_cpu_ticks(const char *pid)
{
    char path[64], line[1024];
    snprintf(path, sizeof(path), "/proc/%s/stat", pid);
    FILE *f = fopen(path, "r");
    if (!f || !fgets(line, sizeof(line), f))
        wl_die("cannot read the server's /proc stat");
    fclose(f);
    char *p = strrchr(line, ')');
    long ut = 0, st = 0;
    /* fields after the command: state is 3rd; utime 14th, stime 15th */
    if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %ld %ld", &ut, &st) != 2)
        wl_die("cannot parse the server's /proc stat");
    return ut + st;
}

/* A client text frame with a zero masking key (legal: the XOR is a no-op). */
static size_t wl_frame(unsigned char *out, int opcode, const char *data, size_t n)
{
    size_t h = 0;
    out[h++] = (unsigned char)(0x80 | opcode);
    if (n < 126) {
        out[h++] = (unsigned char)(0x80 | n);
    } else {
        out[h++] = 0x80 | 126;
        out[h++] = (unsigned char)(n >> 8);
        out[h++] = (unsigned char)n;
    }
    memset(out + h, 0, 4);
    memcpy(out + h + 4, data, n);
    return h + 4 + n;
}

static void wl_send(wl_conn *c, const void *p, size_t n)
{
    if (send(c->fd, p, n, MSG_NOSIGNAL) != (ssize_t)n)
        wl_die("send");
}

static int wl_connect(int port, int i, wl_conn *c)
{
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    c->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (c->fd < 0 || connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) != 0)
        wl_die("connect");
    int one = 1;
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    char req[512];
    int n = snprintf(req, sizeof(req),
                     "GET /ws/chat HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUpgrade: websocket\r\n"
                     "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                     "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: dvcbot.chat.v1\r\n\r\n",
                     port);
    wl_send(c, req, (size_t)n);
    c->cap = 8192;
    c->buf = malloc(c->cap);
    if (!c->buf)
        wl_die("malloc");
    /* the 101 head; bytes after it (frames) stay in the buffer */
    for (;;) {
        ssize_t r = recv(c->fd, c->buf + c->len, c->cap - c->len, 0);
        if (r <= 0)
            wl_die("handshake");
        c->len += (size_t)r;
        unsigned char *e = memmem(c->buf, c->len, "\r\n\r\n", 4);
        if (e) {
            if (c->len < 13 || memcmp(c->buf + 9, "101", 3))
                wl_die("handshake refused");
            size_t head = (size_t)(e + 4 - c->buf);
            memmove(c->buf, c->buf + head, c->len - head);
            c->len -= head;
            break;
        }
        if (c->len == c->cap)
            wl_die("handshake too long");
    }
    char hello[64];
    n = snprintf(hello, sizeof(hello), "{\"type\":\"hello\",\"user\":\"bench-%d\"}", i);
    c->hello_len = wl_frame(c->hello, 1, hello, (size_t)n);
    return c->fd;
}

static void wl_record(double dt)
{
    if (wl_nlat == wl_caplat) {
        wl_caplat = wl_caplat ? wl_caplat * 2 : 65536;
        wl_lat = realloc(wl_lat, wl_caplat * sizeof(*wl_lat));
        if (!wl_lat)
            wl_die("malloc");
    }
    wl_lat[wl_nlat++] = dt;
}

typedef struct wl_run {
    wl_conn *conns;
    int n, ready;
    double t_end;
    long c0;
    const char *pid;
    long messages;
} wl_run;

/* Every text frame: a hello answer makes the connection ready (the last one
 * starts the clock and every connection's first message), a reply during
 * the run is counted and answered with the next message. */
static void wl_on_text(wl_run *r, wl_conn *c, const unsigned char *p, size_t n)
{
    if (!c->ready && memmem(p, n, "\"hello\"", 7)) {
        c->ready = 1;
        if (++r->ready == r->n) {
            double t = wl_now();
            r->t_end = t + r->t_end;
            r->c0 = wl_cpu_ticks(r->pid);
            for (int i = 0; i < r->n; i++) {
                r->conns[i].sent_at = t;
                wl_send(&r->conns[i], wl_msg, wl_msg_len);
            }
        }
    } else if (c->ready && r->ready == r->n && memmem(p, n, "\"reply\"", 7)) {
        double t = wl_now();
        wl_record(t - c->sent_at);
        r->messages++;
        c->sent_at = t;
        wl_send(c, wl_msg, wl_msg_len);
    }
}

/* Consume the complete frames in c's buffer. */
static void wl_frames(wl_run *r, wl_conn *c)
{
    size_t off = 0;
    while (c->len - off >= 2) {
        const unsigned char *f = c->buf + off;
        size_t n = f[1] & 0x7f, h = 2;
        if (n == 126) {
            if (c->len - off < 4)
                break;
            n = ((size_t)f[2] << 8) | f[3];
            h = 4;
        } else if (n == 127) {
            if (c->len - off < 10)
                break;
            n = 0;
            for (int i = 2; i < 10; i++)
                n = (n << 8) | f[i];
            h = 10;
        }
        if (c->len - off < h + n)
            break;
        int op = f[0] & 0x0f;
        if (op == 0x9) {
            unsigned char pong[256];
            if (n > 125)
                wl_die("ping too long");
            wl_send(c, pong, wl_frame(pong, 0xA, (const char *)f + h, n));
        } else if (op == 0x8) {
            wl_die("the server closed a connection");
        } else if (op == 0x1) {
            wl_on_text(r, c, f + h, n);
        }
        off += h + n;
    }
    memmove(c->buf, c->buf + off, c->len - off);
    c->len -= off;
}

static void wl_read(wl_run *r, wl_conn *c)
{
    for (;;) {
        if (c->len == c->cap) {
            c->cap *= 2;
            c->buf = realloc(c->buf, c->cap);
            if (!c->buf)
                wl_die("malloc");
        }
        ssize_t got = recv(c->fd, c->buf + c->len, c->cap - c->len, MSG_DONTWAIT);
        if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            break;
        if (got <= 0)
            wl_die("the server closed a connection");
        c->len += (size_t)got;
        wl_frames(r, c);
    }
}

static int wl_cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: ws_load PORT PID CONNECTIONS SECONDS\n");
        return 2;
    }
    int port = atoi(argv[1]), n = atoi(argv[3]);
    double seconds = atof(argv[4]);
    if (n <= 0 || seconds <= 0)
        return 2;
    static const char msg[] = "{\"type\":\"message\",\"text\":\"xin chao\"}";
    wl_msg_len = wl_frame(wl_msg, 1, msg, sizeof(msg) - 1);
    wl_run r = {.conns = calloc((size_t)n, sizeof(wl_conn)), .n = n, .t_end = seconds,
                .pid = argv[2]};
    int ep = epoll_create1(EPOLL_CLOEXEC);
    if (!r.conns || ep < 0)
        wl_die("setup");
    for (int i = 0; i < n; i++) {
        struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &r.conns[i]};
        if (epoll_ctl(ep, EPOLL_CTL_ADD, wl_connect(port, i, &r.conns[i]), &ev) != 0)
            wl_die("epoll_ctl");
    }
    double deadline = wl_now() + 30;
    for (int i = 0; i < n; i++) {
        wl_send(&r.conns[i], r.conns[i].hello, r.conns[i].hello_len);
        wl_frames(&r, &r.conns[i]); /* frames that came with the 101 */
    }
    struct epoll_event evs[256];
    for (;;) {
        double t = wl_now();
        if (r.ready == n ? t >= r.t_end : t >= deadline)
            break;
        int k = epoll_wait(ep, evs, 256, 100);
        if (k < 0 && errno != EINTR)
            wl_die("epoll_wait");
        for (int i = 0; i < k; i++)
            wl_read(&r, evs[i].data.ptr);
    }
    if (r.ready < n) {
        fprintf(stderr, "ws_load: %d of %d connections were answered hello\n", r.ready, n);
        return 1;
    }
    long cpu = wl_cpu_ticks(r.pid) - r.c0;
    qsort(wl_lat, wl_nlat, sizeof(*wl_lat), wl_cmp);
    double p50 = wl_nlat ? wl_lat[wl_nlat / 2] * 1e3 : 0;
    double p99 = wl_nlat ? wl_lat[(size_t)((double)wl_nlat * 0.99)] * 1e3 : 0;
    double us = (double)cpu * 1e6 / (double)sysconf(_SC_CLK_TCK);
    printf("{\"connections\": %d, \"seconds\": %g, \"messages\": %ld, \"messages_per_s\": %.0f, "
           "\"p50_ms\": %.2f, \"p99_ms\": %.2f, \"cpu_us_per_msg\": %.1f, \"client\": \"ws_load.c\"}\n",
           n, seconds, r.messages, (double)r.messages / seconds, p50, p99,
           us / (double)(r.messages ? r.messages : 1));
    for (int i = 0; i < n; i++) {
        close(r.conns[i].fd);
        free(r.conns[i].buf);
    }
    free(r.conns);
    free(wl_lat);
    close(ep);
    return 0;
}
