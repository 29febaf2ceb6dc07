/* test_chat_codec.c -- the web-chat REST codec: parse and render. */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "channels/chat.h"
#include "channels/errors.h"
#include "t.h"

static const char *parse_err(const char *body)
{
    const char *err = NULL;
    message *m = chat_parse(body, strlen(body), 100, &err);
    message_free(m);
    return m ? "ok" : err;
}

/* chat_json (escaped once, chat.h): the answer byte for byte, and the marks
 * are the escaped lengths of the texts' prefixes. */
static void test_chat_json(void)
{
    reply *r = reply_new();
    reply_add_text(r, "Một \"hai\"\nba\\");
    reply_add_button(r, "Tra cứu", "dossier_status");
    reply_add_button(r, "x\"y", "p:\\1");
    reply_add_text(r, "");
    reply_set_svg(r, "<svg a=\"1\"/>");
    reply_add_text(r, "tab\there");
    size_t len;
    char *out = chat_render(r, "greeting", &len);
    T_STREQ(out, "{\"replies\":[{\"text\":\"Một \\\"hai\\\"\\nba\\\\\",\"buttons\":[{\"title\":\"Tra cứu\","
                 "\"payload\":\"dossier_status\"},{\"title\":\"x\\\"y\",\"payload\":\"p:\\\\1\"}]},"
                 "{\"text\":\"\",\"buttons\":[],\"qr_svg\":\"<svg a=\\\"1\\\"/>\"},"
                 "{\"text\":\"tab\\there\",\"buttons\":[]}],\"intent\":\"greeting\"}",
            "the answer: parts, escapes, buttons, image, intent");
    T_OK(len == strlen(out), "its length");
    size_t marks[] = {8, 0, 3};  /* 8 ends inside "hai" */
    chat_json j = {0};
    chat_json_build(&j, r, marks);
    size_t len2;
    char *out2 = chat_render_json(r, &j, "greeting", &len2);
    T_STREQ(out2, out, "rendered from the JSON escaped once: the same bytes");
    const chat_json_part *p = &j.parts[0];
    T_OK(j.nparts == 3 && p->mark[0] == 9 && p->text_len == 19,
         "part 0: the mark at the escaped length of 8 bytes");
    T_OK(!memcmp(j.data + p->text, "Một \\\"ha", 10), "part 0: the escaped prefix");
    T_OK(j.parts[1].mark[0] == 0 && j.parts[1].buttons_len == 0,
         "an empty part: its mark, no buttons");
    T_OK(j.parts[2].mark[0] == 3, "a mark before the tab, which is escaped in two bytes after it");
    T_OK(!memcmp(j.data + p->buttons, "[{\"title\":\"Tra cứu\"", 20) &&
         j.data[p->buttons + p->buttons_len - 1] == ']', "part 0: its buttons' array");
    chat_json_clear(&j);
    size_t past[] = {99, 99, 99};
    chat_json_build(&j, r, past);
    T_OK(j.parts[0].mark[0] == j.parts[0].text_len && j.parts[2].mark[0] == j.parts[2].text_len,
         "a mark past the text's end stands for all of it");
    buf b = {0};
    chat_render_part_json(&b, r, NULL, 1);
    T_STREQ(b.data, "{\"text\":\"\",\"buttons\":[],\"qr_svg\":\"<svg a=\\\"1\\\"/>\"}",
            "one part's object");
    buf_free(&b);
    chat_json_clear(&j);
    chat_json_clear(&j);
    chat_json_clear(NULL);
    free(out);
    free(out2);
    reply_free(r);
}

int main(void)
{
    test_chat_json();
    const char *err;
    const char *b = "{\"user\": \"u1\", \"text\": \"Xin chào\"}";
    message *m = chat_parse(b, strlen(b), 100, &err);
    T_OK(m && m->channel == CHANNEL_CHAT && !strcmp(m->user, "u1") &&
         !strcmp(m->text, "Xin chào") && !m->payload, "text message parsed");
    message_free(m);
    b = "{\"user\": \"u1\", \"payload\": \"rating:5\"}";
    m = chat_parse(b, strlen(b), 100, &err);
    T_OK(m && !m->text && !strcmp(m->payload, "rating:5"), "payload message parsed");
    message_free(m);

    T_STREQ(parse_err("{"), "invalid_json", "truncated");
    T_STREQ(parse_err("\"x\""), "invalid_json", "not an object");
    T_STREQ(parse_err("{\"text\":\"a\"}"), "invalid_user", "no user");
    T_STREQ(parse_err("{\"user\":\"\",\"text\":\"a\"}"), "invalid_user", "empty user");
    T_STREQ(parse_err("{\"user\":\"a\\u0001\",\"text\":\"a\"}"), "invalid_user", "control in user");
    T_STREQ(parse_err("{\"user\":\"ĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐ\",\"text\":\"a\"}"),
            "ok", "64 non-ASCII characters accepted (characters, not bytes)");
    T_STREQ(parse_err("{\"user\":\"a\",\"text\":\"a\\u0000b\"}"), "invalid_text", "NUL in text");
    T_STREQ(parse_err("{\"user\":\"a\",\"text\":null}"), "missing_text", "null text");
    T_STREQ(parse_err("{\"user\":\"a\",\"text\":[]}"), "invalid_text", "array text");
    T_STREQ(parse_err("{\"user\":\"a\",\"payload\":\"\"}"), "invalid_payload", "empty payload");
    char big[300];
    snprintf(big, sizeof(big), "{\"user\":\"a\",\"text\":\"%0150d\"}", 0);
    T_STREQ(parse_err(big), "text_too_long", "text over the limit");

    reply *r = reply_new();
    reply_add_text(r, "Xin chào \"bạn\"\n<b>");
    reply_add_button(r, "Tra cứu", "dossier_status");
    size_t len;
    char *out = chat_render(r, "greeting", &len);
    json_error_t je;
    json_t *j = json_loads(out, 0, &je);
    json_t *t = json_object_get(json_array_get(json_object_get(j, "replies"), 0), "text");
    T_OK(j && !strcmp(json_string_value(t), "Xin chào \"bạn\"\n<b>"), "render escapes and round-trips");
    T_OK(j && !strcmp(json_string_value(json_object_get(j, "intent")), "greeting"), "intent rendered");
    json_decref(j);
    free(out);
    reply_free(r);
    out = chat_render(NULL, NULL, &len);
    T_STREQ(out, "{\"replies\":[],\"intent\":\"unknown\"}", "empty reply");
    free(out);
    out = error_render("bad", "a\"b", &len);
    T_STREQ(out, "{\"error\":\"bad\",\"message\":\"a\\\"b\"}", "error body");
    free(out);
    reply_free(NULL);
    message_free(NULL);
    return t_done();
}
