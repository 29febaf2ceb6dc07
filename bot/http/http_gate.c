/* http_gate.c -- the client's bytes looked at before lws parses them (see
 * http_gate.h): the connection table and the recv() lws calls. */
#include "bot/http/http_gate.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "bot/http/conn.h"
#include "bot/http/http_gate_int.h"
#include "bot/app/log.h"
#include "common/xmalloc.h"

#define GATE_PEER_MAX 64        /* an IPv6 address and then some */

typedef struct gate_conn {
    struct lws *wsi;
    hg_scan scan;
    uint64_t served;            /* requests lws asked a verdict for */
    char peer[GATE_PEER_MAX];   /* lws_get_peer_simple()'s answer, once asked */
    int peer_known;
} gate_conn;

static struct {
    gate_conn **tab;            /* by descriptor */
    int cap;
    unsigned char in[65536];    /* one read before it is scanned */
} gate;

void http_gate_open(struct lws *wsi)
{
    int fd = (int)lws_get_socket_fd(wsi);
    if (fd < 0)
        return;
    if (fd >= gate.cap) {
        int cap = gate.cap ? gate.cap : 256;
        while (cap <= fd)
            cap *= 2;
        gate.tab = xrealloc(gate.tab, (size_t)cap * sizeof(*gate.tab));
        memset(gate.tab + gate.cap, 0, (size_t)(cap - gate.cap) * sizeof(*gate.tab));
        gate.cap = cap;
    }
    if (!gate.tab[fd])
        gate.tab[fd] = xmalloc(sizeof(gate_conn));
    conn_note_fd(wsi, fd);      /* for http_gate_close, after the descriptor is gone */
    gate.tab[fd]->wsi = wsi;
    gate.tab[fd]->served = 0;
    gate.tab[fd]->peer_known = 0;
    hg_init(&gate.tab[fd]->scan);
}

void http_gate_close(struct lws *wsi)
{
    /* the descriptor is closed by now: the one noted at the open (no
     * descriptor can be reused between lws's close() and this callback), or,
     * for a wsi without one, a look-up */
    int noted = conn_noted_fd(wsi);
    if (noted >= 0 && noted < gate.cap && gate.tab[noted] && gate.tab[noted]->wsi == wsi) {
        free(gate.tab[noted]);
        gate.tab[noted] = NULL;
        return;
    }
    for (int fd = 0; fd < gate.cap; fd++)
        if (gate.tab[fd] && gate.tab[fd]->wsi == wsi) {
            free(gate.tab[fd]);
            gate.tab[fd] = NULL;
            return;
        }
}

void http_gate_fini(void)
{
    for (int fd = 0; fd < gate.cap; fd++)
        free(gate.tab[fd]);
    free(gate.tab);
    gate.tab = NULL;
    gate.cap = 0;
}

/* wsi's entry, or NULL (not an accepted connection, or not open any more). */
static gate_conn *gate_of(struct lws *wsi)
{
    int fd = (int)lws_get_socket_fd(wsi);
    gate_conn *c = fd >= 0 && fd < gate.cap ? gate.tab[fd] : NULL;
    return c && c->wsi == wsi ? c : NULL;
}

void http_gate_peer(struct lws *wsi, char *out, size_t n)
{
    gate_conn *c = gate_of(wsi);
    if (!n)
        return;
    if (!c) {
        out[0] = '\0';
        lws_get_peer_simple(wsi, out, n);
        return;
    }
    if (!c->peer_known) {
        c->peer[0] = '\0';
        lws_get_peer_simple(wsi, c->peer, sizeof(c->peer));
        c->peer_known = 1;
    }
    size_t k = strnlen(c->peer, n - 1);
    memcpy(out, c->peer, k);
    out[k] = '\0';
}

int http_gate_verdict(struct lws *wsi, const char **code)
{
    gate_conn *c = gate_of(wsi);
    if (!c || ++c->served != c->scan.bad_seq)
        return 0;
    int st = c->scan.bad_status;
    *code = st == 414 ? "uri_too_long" : st == 431 ? "header_too_large" : "bad_request";
    log_info("http: request %llu of a connection refused before lws parsed it: %d %s",
             (unsigned long long)c->served, st, *code);
    return st;
}

/* lws 4.1.6 reads every connection with recv(fd, buf, len, 0); this
 * definition takes the place of the C library's for the whole process. */
ssize_t recv(int fd, void *buf, size_t len, int flags)
{
    gate_conn *c = fd >= 0 && fd < gate.cap ? gate.tab[fd] : NULL;
    if (!c || flags || len < HG_ROOM + HG_HOLD_MAX + 1)
        return recvfrom(fd, buf, len, flags, NULL, NULL);
    size_t h = c->scan.hold_len, want = len - HG_ROOM - h;
    if (want > sizeof(gate.in) - h)
        want = sizeof(gate.in) - h;
    memcpy(gate.in, c->scan.hold, h);
    ssize_t n = recvfrom(fd, gate.in + h, want, 0, NULL, NULL);
    if (n <= 0)
        return n; /* an error keeps the held bytes; at the end they do not matter */
    size_t out = hg_feed(&c->scan, gate.in, h + (size_t)n, buf);
    if (!out) {
        errno = EAGAIN; /* all held or dropped: 0 would read as the end */
        return -1;
    }
    return (ssize_t)out;
}
