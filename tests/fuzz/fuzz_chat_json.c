/* fuzz_chat_json.c -- libFuzzer target: the web-chat REST body parser and the
 * history and CSAT request parsers (chat_parse_history, chat_parse_csat) and the
 * reply renderer must take any bytes without crashing, leaking or reading out
 * of bounds, and anything parsed must render back to valid JSON, the same
 * when escaped once with marks (chat_json). */
#include "fuzz.h"
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "channels/chat.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *err;
    message_free(chat_parse_history((const char *)data, size, &err));
    int score = 0;
    message *cs = chat_parse_csat((const char *)data, size, &score, &err);
    if (cs && (score < 1 || score > 5))
        abort(); /* a parsed rating is always 1..5 */
    message_free(cs);
    message *m = chat_parse((const char *)data, size, 2000, &err);
    if (!m)
        return 0;
    reply *r = reply_new();
    reply_add_text(r, m->text ? m->text : m->payload);
    reply_add_button(r, m->user, m->payload ? m->payload : "x");
    size_t len;
    char *out = chat_render(r, "unknown", &len);
    json_t *j = json_loadb(out, len, JSON_ALLOW_NUL, NULL);
    if (!j)
        abort(); /* rendered JSON must always parse */
    json_decref(j);
    size_t tl = strlen(r->parts[0].text), marks[CHAT_JSON_MARKS] = {size % (tl + 2)};
    chat_json cj = {0};
    chat_json_build(&cj, r, marks);
    size_t len2;
    char *out2 = chat_render_json(r, &cj, "unknown", &len2);
    const chat_json_part *p = &cj.parts[0];
    if (len2 != len || memcmp(out, out2, len) || p->mark[0] > p->text_len ||
        (marks[0] >= tl && p->mark[0] != p->text_len))
        abort(); /* escaped once, the same answer; marks inside the text */
    free(out2);
    chat_json_clear(&cj);
    free(out);
    reply_free(r);
    message_free(m);
    return 0;
}
