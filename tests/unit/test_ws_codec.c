/* test_ws_codec.c -- the dvcbot.chat.v1 frame codec (channels/ws.c): parse and render. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "channels/ws.h"
#include "t.h"

static const char *perr(const char *frame)
{
    ws_frame f;
    const char *err = NULL;
    int rc = ws_parse(frame, strlen(frame), 100, &f, &err);
    ws_frame_clear(&f);
    return rc == 0 ? "ok" : err;
}

static void parse_good(void)
{
    ws_frame f;
    const char *err;
    const char *s = "{\"type\":\"hello\",\"user\":\"người-dùng 1\"}";
    T_OK(ws_parse(s, strlen(s), 100, &f, &err) == 0 && f.type == WS_FRAME_HELLO &&
         !strcmp(f.user, "người-dùng 1"), "hello parsed");
    ws_frame_clear(&f);
    s = "{\"type\":\"message\",\"text\":\"Xin chào\"}";
    T_OK(ws_parse(s, strlen(s), 100, &f, &err) == 0 && f.type == WS_FRAME_MESSAGE &&
         !strcmp(f.text, "Xin chào"), "message parsed");
    message *m = ws_frame_message(&f, CHANNEL_CHAT, "u1");
    T_OK(m->channel == CHANNEL_CHAT && !strcmp(m->user, "u1") && !strcmp(m->text, "Xin chào") &&
         !m->payload && !f.text, "message moved into a router message (channel chat)");
    message_free(m);
    ws_frame_clear(&f);
    s = "{\"type\":\"postback\",\"payload\":\"rating:5\"}";
    T_OK(ws_parse(s, strlen(s), 100, &f, &err) == 0 && f.type == WS_FRAME_POSTBACK &&
         !strcmp(f.payload, "rating:5"), "postback parsed");
    ws_frame_clear(&f);
    ws_frame_clear(NULL);
    T_OK(1, "ws_frame_clear(NULL) is a no-op");
}

static void parse_bad(void)
{
    char big[300];
    memset(big, 0, sizeof(big));
    snprintf(big, sizeof(big), "{\"type\":\"message\",\"text\":\"%0150d\"}", 0);
    struct { const char *in, *err, *what; } cases[] = {
        {"", "invalid_json", "empty frame"},
        {"not json", "invalid_json", "garbage"},
        {"[1]", "invalid_json", "array"},
        {"{\"type\":\"a\",\"type\":\"b\"}", "invalid_json", "duplicate key"},
        {"{}", "unknown_type", "no type"},
        {"{\"type\":5}", "unknown_type", "type not a string"},
        {"{\"type\":\"subscribe\"}", "unknown_type", "unknown type"},
        {"{\"type\":\"hello\"}", "invalid_user", "hello without user"},
        {"{\"type\":\"hello\",\"user\":\"a\\nb\"}", "invalid_user", "user with a newline"},
        {"{\"type\":\"hello\",\"user\":\"12345678901234567890123456789012345678901234567890123456789012345\"}",
         "invalid_user", "user of 65 characters"},
        {"{\"type\":\"message\"}", "missing_text", "message without text"},
        {"{\"type\":\"message\",\"text\":[]}", "invalid_text", "text not a string"},
        {"{\"type\":\"message\",\"text\":\"a\\u0000b\"}", "invalid_text", "NUL in text"},
        {big, "text_too_long", "text over max_text"},
        {"{\"type\":\"postback\"}", "invalid_payload", "postback without payload"},
        {"{\"type\":\"postback\",\"payload\":\"\"}", "invalid_payload", "empty payload"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        T_STREQ(perr(cases[i].in), cases[i].err, "%s -> %s", cases[i].what, cases[i].err);
}

static void render(void)
{
    reply *r = reply_new();
    reply_add_text(r, "Chào \"bạn\" <b>");
    reply_add_button(r, "Tra cứu", "dossier_status");
    size_t n;
    char *t = ws_render_reply_part(r, NULL, 0, "greeting", &n);
    json_t *j = json_loadb(t, n, 0, NULL);
    T_OK(j && !strcmp(json_string_value(json_object_get(j, "type")), "reply") &&
         !strcmp(json_string_value(json_object_get(j, "text")), "Chào \"bạn\" <b>") &&
         !strcmp(json_string_value(json_object_get(j, "intent")), "greeting") &&
         json_array_size(json_object_get(j, "buttons")) == 1, "reply frame renders text, buttons, intent");
    json_decref(j);
    free(t);
    reply_free(r);
    t = ws_render_error("invalid_json", "Sai \"JSON\"", &n);
    T_STREQ(t, "{\"type\":\"error\",\"error\":\"invalid_json\",\"message\":\"Sai \\\"JSON\\\"\"}",
            "error frame");
    free(t);
    t = ws_render_hello("u\"1", &n);
    T_STREQ(t, "{\"type\":\"hello\",\"user\":\"u\\\"1\"}", "hello frame escapes the user");
    free(t);
    const char *nt = "{\"type\":\"notice\",\"kind\":\"complaint_answered\"}";
    T_OK(ws_notice_valid(nt, strlen(nt)), "a notice is forwarded");
    T_OK(!ws_notice_valid("{\"type\":\"reply\"}", 16) && !ws_notice_valid("x", 1),
         "anything else is not");
}

int main(void)
{
    parse_good();
    parse_bad();
    render();
    return t_done();
}
