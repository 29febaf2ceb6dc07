/* fuzz_ws.c -- libFuzzer target: the dvcbot.chat.v1 frame parser (channels/ws.c)
 * must take any bytes without crashing, leaking or reading out of bounds, and
 * what it accepts must render back into frames that are valid JSON. */
#include "fuzz.h"
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>

#include "channels/ws.h"

static void fuzz_ws_check(char *out, size_t len)
{
    json_t *j = json_loadb(out, len, JSON_ALLOW_NUL, NULL);
    if (!j)
        abort(); /* rendered frames must always parse */
    json_decref(j);
    free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ws_frame f;
    const char *err;
    size_t len;
    ws_notice_valid((const char *)data, size);
    if (ws_parse((const char *)data, size, 2000, &f, &err) < 0) {
        fuzz_ws_check(ws_render_error(err, err, &len), len);
        return 0;
    }
    if (f.type == WS_FRAME_HELLO) {
        fuzz_ws_check(ws_render_hello(f.user, &len), len);
        ws_frame_clear(&f);
        return 0;
    }
    message *m = ws_frame_message(&f, CHANNEL_CHAT, "fuzz");
    reply *r = reply_new();
    reply_add_text(r, m->text ? m->text : m->payload);
    reply_add_button(r, "t", m->payload ? m->payload : "x");
    fuzz_ws_check(ws_render_reply_part(r, NULL, 0, "unknown", &len), len);
    reply_free(r);
    message_free(m);
    ws_frame_clear(&f);
    return 0;
}
