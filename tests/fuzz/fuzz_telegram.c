/* fuzz_telegram.c -- libFuzzer target: the Telegram adapter (channels/telegram.c) must take
 * any webhook body, signature or API answer without crashing, leaking or
 * reading out of bounds; every event it accepts survives the in stream
 * (encode, decode) and renders back into API bodies that are valid JSON. */
#include "fuzz.h"
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "channels/telegram.h"

static void fuzz_telegram_json(const char *s, size_t n)
{
    json_t *j = json_loadb(s, n, 0, NULL);
    if (!j)
        abort(); /* rendered bodies must always parse */
    json_decref(j);
}

static void fuzz_telegram_event(const push_event *e)
{
    size_t n;
    char *js = push_event_encode(e, &n);
    push_event d;
    if (push_event_decode(js, n, &d) < 0 || d.kind != e->kind || strcmp(d.user, e->user))
        abort(); /* what the webhook stores, the handler must read back */
    message *m = push_event_message(&d, CHANNEL_TELEGRAM);
    reply *r = reply_new();
    reply_add_text(r, d.text ? d.text : d.phone ? d.phone : "");
    reply_add_button(r, d.user, d.payload ? d.payload : d.id);
    push_texts t = {.more = "more"};
    push_calls c = {0};
    telegram_adapter.render(r, "12345", &t, &c);
    for (size_t i = 0; i < c.n; i++)
        fuzz_telegram_json(c.v[i].body, c.v[i].len);
    push_calls_free(&c);
    reply_free(r);
    message_free(m);
    push_event_clear(&d);
    free(js);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    push_events e;
    const char *err;
    if (telegram_adapter.parse(s, size, &e, &err) == 0) {
        for (size_t i = 0; i < e.n; i++)
            fuzz_telegram_event(&e.v[i]);
        push_events_clear(&e);
    }
    push_verify_in in = {.signature = "mac=00", .body = s, .len = size, .secret = "k",
                         .app_id = "1", .now_ms = 1, .window_ms = 1000};
    telegram_adapter.verify(&in, &err);
    long ra;
    telegram_adapter.classify(200, s, size, &ra);
    telegram_adapter.classify(429, s, size, &ra);
    push_event d;
    if (push_event_decode(s, size, &d) == 0)
        push_event_clear(&d);
    return 0;
}
