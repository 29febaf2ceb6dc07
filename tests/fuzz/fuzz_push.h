/* fuzz_push.h -- the body shared by the push-channel fuzz targets
 * (fuzz_zalo.c, fuzz_telegram.c): an adapter of channels/push.h must take any
 * webhook body, signature or API answer without crashing, leaking or reading
 * out of bounds; every event it accepts survives the in stream (encode,
 * decode) and renders back into API bodies that are valid JSON. Included
 * once per target; the functions are static. */
#ifndef DVC_TESTS_FUZZ_PUSH_H
#define DVC_TESTS_FUZZ_PUSH_H

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "channels/push.h"

static void fuzz_push_json(const char *s, size_t n)
{
    json_t *j = json_loadb(s, n, 0, NULL);
    if (!j)
        abort(); /* rendered bodies must always parse */
    json_decref(j);
}

static void fuzz_push_event(const push_adapter *ad, channel ch, const push_event *e)
{
    size_t n;
    char *js = push_event_encode(e, &n);
    push_event d;
    if (push_event_decode(js, n, &d) < 0 || d.kind != e->kind || strcmp(d.user, e->user))
        abort(); /* what the webhook stores, the handler must read back */
    message *m = push_event_message(&d, ch);
    reply *r = reply_new();
    reply_add_text(r, d.text ? d.text : d.phone ? d.phone : "");
    reply_add_button(r, d.user, d.payload ? d.payload : d.id);
    push_texts t = {.more = "more"};
    push_calls c = {0};
    ad->render(r, "12345", &t, &c);
    for (size_t i = 0; i < c.n; i++)
        fuzz_push_json(c.v[i].body, c.v[i].len);
    push_calls_free(&c);
    reply_free(r);
    message_free(m);
    push_event_clear(&d);
    free(js);
}

/* One input through parse, verify, classify and the stream decoder of ad. */
static void fuzz_push_input(const push_adapter *ad, channel ch, const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    push_events e;
    const char *err;
    if (ad->parse(s, size, &e, &err) == 0) {
        for (size_t i = 0; i < e.n; i++)
            fuzz_push_event(ad, ch, &e.v[i]);
        push_events_clear(&e);
    }
    push_verify_in in = {.signature = "mac=00", .body = s, .len = size, .secret = "k",
                         .app_id = "1", .now_ms = 1, .window_ms = 1000};
    ad->verify(&in, &err);
    long ra;
    ad->classify(200, s, size, &ra);
    ad->classify(429, s, size, &ra);
    push_event d;
    if (push_event_decode(s, size, &d) == 0)
        push_event_clear(&d);
}

#endif
