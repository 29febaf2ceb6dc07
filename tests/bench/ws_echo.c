/* ws_echo.c -- the WebSocket baseline of `make bench` (tests/bench/run.sh).
 *
 *   ws_echo PORT
 *
 * libwebsockets (the library dvcbot uses), one thread, its default event loop,
 * subprotocol dvcbot.chat.v1 on /ws/chat: every text frame is answered with a
 * fixed frame of the size of a typical dvcbot reply ("hello" frames with a
 * hello frame). No Redis, no classification, no JSON parsing: the floor that
 * dvcbot's WebSocket path is compared against (tests/bench/ws_bench.py). */
#include <libwebsockets.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

static const char HELLO[] = "{\"type\":\"hello\",\"user\":\"bench\",\"resumed\":false}";
static const char REPLY[] =
    "{\"type\":\"reply\",\"replies\":[{\"text\":\"Xin chao! Toi la tro ly cua Cong Dich vu cong.\","
    "\"buttons\":[]}],\"intent\":\"greeting\"}";

struct echo_conn {
    int hello, replies; /* frames owed */
};

static int echo_cb(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                   size_t len)
{
    struct echo_conn *c = user;
    unsigned char buf[LWS_PRE + 256];
    switch (reason) {
    case LWS_CALLBACK_RECEIVE:
        if (len >= 14 && memmem(in, len, "\"hello\"", 7))
            c->hello++;
        else
            c->replies++;
        lws_callback_on_writable(wsi);
        return 0;
    case LWS_CALLBACK_SERVER_WRITEABLE: {
        const char *msg = c->hello ? HELLO : REPLY;
        size_t n = strlen(msg);
        if (!c->hello && !c->replies)
            return 0;
        if (c->hello)
            c->hello--;
        else
            c->replies--;
        memcpy(buf + LWS_PRE, msg, n);
        if (lws_write(wsi, buf + LWS_PRE, n, LWS_WRITE_TEXT) < (int)n)
            return -1;
        if (c->hello || c->replies)
            lws_callback_on_writable(wsi);
        return 0;
    }
    default:
        return 0;
    }
}

static const struct lws_protocols protocols[] = {
    {.name = "http", .callback = lws_callback_http_dummy},
    {.name = "dvcbot.chat.v1", .callback = echo_cb, .per_session_data_size = sizeof(struct echo_conn)},
    {.name = NULL},
};

static volatile sig_atomic_t stop;
static void on_term(int sig) { (void)sig; stop = 1; }

int main(int argc, char **argv)
{
    struct lws_context_creation_info info;
    memset(&info, 0, sizeof(info));
    info.port = argc > 1 ? atoi(argv[1]) : 7681;
    info.iface = "127.0.0.1";
    info.protocols = protocols;
    info.options = LWS_SERVER_OPTION_DISABLE_IPV6;
    lws_set_log_level(LLL_ERR, NULL);
    struct lws_context *ctx = lws_create_context(&info);
    if (!ctx)
        return 1;
    signal(SIGTERM, on_term);
    signal(SIGINT, on_term);
    while (!stop && lws_service(ctx, 0) >= 0)
        ;
    lws_context_destroy(ctx);
    return 0;
}
