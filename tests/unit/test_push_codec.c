/* test_push_codec.c -- the push-channel codecs (channels/push.c, zalo.c,
 * telegram.c): signatures, events, rendered API bodies, answer outcomes. */
#include <jansson.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "channels/telegram.h"
#include "channels/zalo.h"
#include "t.h"

static const push_texts texts = {.more = "Thêm:"};

/* "mac=" + hex(sha256(app + body + ts + secret)), computed here independently. */
static void zmac(const char *app, const char *body, const char *ts, const char *secret,
                 char out[70])
{
    char cat[4096];
    snprintf(cat, sizeof(cat), "%s%s%s%s", app, body, ts, secret);
    unsigned char md[32];
    unsigned int n;
    EVP_Digest(cat, strlen(cat), md, &n, EVP_sha256(), NULL);
    strcpy(out, "mac=");
    for (int i = 0; i < 32; i++)
        sprintf(out + 4 + 2 * i, "%02x", md[i]);
}

static int zverify(const char *sig, const char *body, long long now, const char **err)
{
    push_verify_in in = {.signature = sig, .body = body, .len = strlen(body), .secret = "OAS",
                         .app_id = "111", .now_ms = now, .window_ms = 300000};
    return zalo_adapter.verify(&in, err);
}

static void zalo_signature(void)
{
    const char *body = "{\"app_id\":\"111\",\"event_name\":\"user_send_text\",\"timestamp\":"
                       "\"1699003881354\",\"sender\":{\"id\":\"42\"},\"message\":{\"text\":\"hi\","
                       "\"msg_id\":\"m1\"}}";
    char sig[70];
    const char *err;
    zmac("111", body, "1699003881354", "OAS", sig);
    T_OK(zverify(sig, body, 1699003881354LL + 1000, &err) == 0, "a correct mac is accepted");
    for (char *p = sig + 4; *p; p++)
        *p = (char)(*p >= 'a' && *p <= 'f' ? *p - 32 : *p);
    T_OK(zverify(sig, body, 1699003881354LL, &err) == 0, "upper-case hex too");
    T_OK(zverify(NULL, body, 1699003881354LL, &err) < 0 && !strcmp(err, "bad_signature"),
         "no header: bad_signature");
    zmac("111", body, "1699003881354", "APPSECRET", sig);
    T_OK(zverify(sig, body, 1699003881354LL, &err) < 0, "another key: refused");
    zmac("111", body, "1699003881354", "OAS", sig);
    sig[10] ^= 1;
    T_OK(zverify(sig, body, 1699003881354LL, &err) < 0, "one hex digit changed: refused");
    zmac("111", body, "1699003881354", "OAS", sig);
    T_OK(zverify(sig + 4, body, 1699003881354LL, &err) < 0, "without the mac= prefix: refused");
    T_OK(zverify(sig, body, 1699003881354LL + 301000, &err) < 0 && !strcmp(err, "stale_event"),
         "outside the window: stale_event");
    T_OK(zverify(sig, body, 1699003881354LL - 301000, &err) < 0, "from the future: refused");
    const char *other = "{\"app_id\":\"999\",\"timestamp\":\"1\"}";
    zmac("999", other, "1", "OAS", sig);
    T_OK(zverify(sig, other, 1, &err) < 0, "another app's event: refused");
}

static push_events zparse(const char *body, int *rc)
{
    push_events e;
    const char *err;
    *rc = zalo_adapter.parse(body, strlen(body), &e, &err);
    return e;
}

static void zalo_events(void)
{
    int rc;
    push_events e = zparse("{\"event_name\":\"user_send_text\",\"sender\":{\"id\":\"6142494823\"},"
                           "\"message\":{\"text\":\"Chào\",\"msg_id\":\"cb31\"},\"timestamp\":"
                           "\"1699003881354\"}", &rc);
    T_OK(rc == 0 && e.n == 1 && e.v[0].kind == PUSH_EV_TEXT && !strcmp(e.v[0].user, "6142494823")
         && !strcmp(e.v[0].text, "Chào") && !strcmp(e.v[0].id, "cb31") &&
         e.v[0].ts_ms == 1699003881354LL, "user_send_text -> TEXT with msg_id as the id");
    push_events_clear(&e);
    e = zparse("{\"event_name\":\"user_send_text\",\"sender\":{\"id\":\"1\"},\"message\":{\"text\":"
               "\"#dvc:rating:5\",\"msg_id\":\"m\"},\"timestamp\":1}", &rc);
    T_OK(rc == 0 && e.n == 1 && e.v[0].kind == PUSH_EV_POSTBACK &&
         !strcmp(e.v[0].payload, "rating:5"), "an oa.query.hide payload -> POSTBACK");
    push_events_clear(&e);
    e = zparse("{\"event_name\":\"follow\",\"follower\":{\"id\":\"77\"},\"timestamp\":\"5\"}", &rc);
    T_OK(rc == 0 && e.n == 1 && e.v[0].kind == PUSH_EV_FOLLOW && !strcmp(e.v[0].user, "77") &&
         !strcmp(e.v[0].id, "follow:77:5"), "follow -> FOLLOW of follower.id");
    push_events_clear(&e);
    e = zparse("{\"event_name\":\"unfollow\",\"follower\":{\"id\":\"77\"},\"timestamp\":\"6\"}", &rc);
    T_OK(rc == 0 && e.n == 1 && e.v[0].kind == PUSH_EV_UNFOLLOW, "unfollow -> UNFOLLOW");
    push_events_clear(&e);
    e = zparse("{\"event_name\":\"user_submit_info\",\"sender\":{\"id\":\"8\"},\"info\":{\"phone\":"
               "\"0912345678\",\"name\":\"A\"},\"timestamp\":\"7\"}", &rc);
    T_OK(rc == 0 && e.n == 1 && e.v[0].kind == PUSH_EV_CONTACT &&
         !strcmp(e.v[0].phone, "0912345678"), "user_submit_info -> CONTACT");
    push_events_clear(&e);
    e = zparse("{\"event_name\":\"user_send_sticker\",\"sender\":{\"id\":\"8\"}}", &rc);
    T_OK(rc == 0 && e.n == 0, "other events: none, not an error");
    e = zparse("{\"event_name\":\"user_send_text\",\"sender\":{\"id\":\"a:b\"},\"message\":{"
               "\"text\":\"x\",\"msg_id\":\"m\"}}", &rc);
    T_OK(rc < 0 && e.n == 0, "a user id with ':' is refused");
    e = zparse("[1]", &rc);
    T_OK(rc < 0, "not an object: refused");
}

static json_t *call_body(const push_calls *c, size_t i)
{
    return json_loadb(c->v[i].body, c->v[i].len, 0, NULL);
}

static void zalo_render_cases(void)
{
    reply *r = reply_new();
    reply_add_text(r, "Chọn:");
    char t[32], p[32];
    for (int i = 0; i < 7; i++) {
        snprintf(t, sizeof(t), "Nút %d", i);
        snprintf(p, sizeof(p), "p:%d", i);
        reply_add_button(r, t, p);
    }
    push_calls c = {0};
    zalo_adapter.render(r, "42", &texts, &c);
    json_t *a = call_body(&c, 0), *b = call_body(&c, 1);
    json_t *btn = json_object_get(json_object_get(json_object_get(json_object_get(a, "message"),
                                  "attachment"), "payload"), "buttons");
    T_OK(c.n == 2 && !strcmp(c.v[0].method, "message/cs") &&
         !strcmp(json_string_value(json_object_get(json_object_get(a, "recipient"), "user_id")),
                 "42") && json_array_size(btn) == 5, "7 buttons: 5 in the first message");
    T_STREQ(json_string_value(json_object_get(json_array_get(btn, 0), "payload")), "#dvc:p:0",
            "button payloads carry the postback prefix");
    T_STREQ(json_string_value(json_object_get(json_array_get(btn, 0), "type")), "oa.query.hide",
            "buttons are oa.query.hide");
    T_STREQ(json_string_value(json_object_get(json_object_get(b, "message"), "text")), "Thêm:",
            "the rest follow with the 'more' heading");
    json_decref(a);
    json_decref(b);
    push_calls_free(&c);
    reply_free(r);
    r = reply_new();
    reply_add_text(r, "Chia sẻ số");
    reply_add_button(r, "Chia sẻ", ZALO_SHARE_PHONE);
    zalo_adapter.render(r, "42", &texts, &c);
    a = call_body(&c, 0);
    T_STREQ(json_string_value(json_object_get(json_object_get(json_object_get(
                json_object_get(a, "message"), "attachment"), "payload"), "template_type")),
            "request_user_info", "the share-phone button -> request_user_info");
    json_decref(a);
    push_calls_free(&c);
    reply_free(r);
    size_t n;
    char *z = zalo_render_zns("84912345678", "tpl", "ma_ho_so", "H56.14-240823-0001",
                              "trang_thai", "Đã xong", "trk-1", &n);
    a = json_loadb(z, n, 0, NULL);
    T_OK(a && !strcmp(json_string_value(json_object_get(a, "phone")), "84912345678") &&
         !strcmp(json_string_value(json_object_get(json_object_get(a, "template_data"),
                                                   "ma_ho_so")), "H56.14-240823-0001"),
         "ZNS body: phone, template_id, template_data, tracking_id");
    json_decref(a);
    free(z);
}

static push_outcome zc(const char *body)
{
    long ra;
    return zalo_adapter.classify(200, body, strlen(body), &ra);
}

static void zalo_answers(void)
{
    long ra;
    T_OK(zc("{\"error\":0,\"data\":{\"message_id\":\"x\"}}") == PUSH_SENT, "error 0: sent");
    T_OK(zc("{\"error\":-216,\"message\":\"Access token is invalid\"}") == PUSH_TOKEN, "-216: token");
    T_OK(zc("{\"error\":-220}") == PUSH_TOKEN, "-220: token");
    T_OK(zc("{\"error\":-211,\"message\":\"Out of quota\"}") == PUSH_QUOTA, "-211: quota");
    T_OK(zc("{\"error\":-32}") == PUSH_QUOTA, "-32: rate limit");
    T_OK(zc("{\"error\":-213}") == PUSH_BLOCKED, "-213 (not following): blocked");
    T_OK(zc("{\"error\":-230}") == PUSH_WINDOW, "-230: outside the window");
    T_OK(zc("{\"error\":-201}") == PUSH_FAILED, "-201: failed");
    T_OK(zc("<html>") == PUSH_RETRY, "not JSON: retry");
    T_OK(zalo_adapter.classify(502, "", 0, &ra) == PUSH_RETRY, "502: retry");
    T_OK(zalo_adapter.classify(0, "", 0, &ra) == PUSH_RETRY, "no answer: retry");
    char *a, *r;
    long ex;
    const char *tok = "{\"access_token\":\"A1\",\"refresh_token\":\"R1\",\"expires_in\":\"90000\"}";
    T_OK(zalo_parse_token(tok, strlen(tok), &a, &r, &ex) == 0 && !strcmp(a, "A1") &&
         !strcmp(r, "R1") && ex == 90000, "token answer parsed (expires_in as a string)");
    free(a);
    free(r);
    tok = "{\"error\":-14014}";
    T_OK(zalo_parse_token(tok, strlen(tok), &a, &r, &ex) < 0 && !a, "an error answer: -1");
    size_t n;
    char *f = zalo_render_refresh("111", "r&t=1", &n);
    T_STREQ(f, "refresh_token=r%26t%3D1&app_id=111&grant_type=refresh_token",
            "refresh form, percent-encoded");
    free(f);
}

static push_events tparse(const char *body, int *rc)
{
    push_events e;
    const char *err;
    *rc = telegram_adapter.parse(body, strlen(body), &e, &err);
    return e;
}

static void telegram_cases(void)
{
    push_verify_in in = {.signature = "s3cret", .body = "{}", .len = 2, .secret = "s3cret"};
    const char *err;
    T_OK(telegram_adapter.verify(&in, &err) == 0, "secret token equal: accepted");
    in.signature = "s3cre";
    T_OK(telegram_adapter.verify(&in, &err) < 0, "a prefix: refused");
    in.signature = NULL;
    T_OK(telegram_adapter.verify(&in, &err) < 0, "no header: refused");
    int rc;
    push_events e = tparse("{\"update_id\":9,\"message\":{\"message_id\":1,\"from\":{\"id\":77},"
                           "\"chat\":{\"id\":77,\"type\":\"private\"},\"date\":5,\"text\":\"hi\"}}",
                           &rc);
    T_OK(rc == 0 && e.n == 1 && e.v[0].kind == PUSH_EV_TEXT && !strcmp(e.v[0].id, "u9") &&
         !strcmp(e.v[0].user, "77") && e.v[0].ts_ms == 5000, "message.text -> TEXT, id u<update_id>");
    push_events_clear(&e);
    e = tparse("{\"update_id\":10,\"message\":{\"from\":{\"id\":77},\"chat\":{\"id\":-5,"
               "\"type\":\"group\"},\"text\":\"hi\"}}", &rc);
    T_OK(rc == 0 && e.n == 0, "group chats are ignored");
    e = tparse("{\"update_id\":11,\"callback_query\":{\"id\":\"q1\",\"from\":{\"id\":77},"
               "\"data\":\"Prating:5\"}}", &rc);
    T_OK(rc == 0 && e.n == 1 && e.v[0].kind == PUSH_EV_POSTBACK &&
         !strcmp(e.v[0].payload, "rating:5") && !strcmp(e.v[0].answer, "q1"),
         "callback_query -> POSTBACK with the id to answer");
    push_events_clear(&e);
    e = tparse("{\"update_id\":12,\"message\":{\"from\":{\"id\":77},\"chat\":{\"id\":77,\"type\":"
               "\"private\"},\"contact\":{\"phone_number\":\"+84912345678\",\"user_id\":78}}}", &rc);
    T_OK(rc == 0 && e.n == 0, "a contact of someone else: no event");
    e = tparse("{\"update_id\":13,\"message\":{\"from\":{\"id\":77},\"chat\":{\"id\":77,\"type\":"
               "\"private\"},\"contact\":{\"phone_number\":\"+84912345678\",\"user_id\":77}}}", &rc);
    T_OK(rc == 0 && e.n == 1 && e.v[0].kind == PUSH_EV_CONTACT, "the sender's own contact: CONTACT");
    push_events_clear(&e);
    reply *r = reply_new();
    reply_add_text(r, "Chọn");
    reply_add_button(r, "Có", "yes");
    reply_add_button(r, "Dài", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
    push_calls c = {0};
    telegram_adapter.render(r, "77", &texts, &c);
    json_t *b = json_loadb(c.v[0].body, c.v[0].len, 0, NULL);
    json_t *kb = json_object_get(json_object_get(b, "reply_markup"), "inline_keyboard");
    T_OK(c.n == 1 && !strcmp(c.v[0].method, "sendMessage") &&
         json_integer_value(json_object_get(b, "chat_id")) == 77 && json_array_size(kb) == 2,
         "sendMessage with one inline button a row");
    T_STREQ(json_string_value(json_object_get(json_array_get(json_array_get(kb, 0), 0),
                                              "callback_data")), "Pyes", "callback_data P+payload");
    T_STREQ(json_string_value(json_object_get(json_array_get(json_array_get(kb, 1), 0),
                                              "callback_data")), "TDài",
            "a payload over 64 bytes: T+title (taken as text)");
    json_decref(b);
    push_calls_free(&c);
    reply_free(r);
    long ra;
    const char *tm = "{\"ok\":false,\"error_code\":429,\"parameters\":{\"retry_after\":7}}";
    T_OK(telegram_adapter.classify(429, tm, strlen(tm), &ra) == PUSH_QUOTA && ra == 7,
         "429: quota with retry_after");
    T_OK(telegram_adapter.classify(403, "{\"ok\":false}", 12, &ra) == PUSH_BLOCKED, "403: blocked");
    T_OK(telegram_adapter.classify(200, "{\"ok\":true}", 11, &ra) == PUSH_SENT, "ok: sent");
    T_OK(telegram_adapter.classify(400, "{\"ok\":false}", 12, &ra) == PUSH_FAILED, "400: failed");
}

static void event_json(void)
{
    push_event e = {.kind = PUSH_EV_POSTBACK, .user = "u\"1", .id = "i", .payload = "p\n",
                    .answer = "q", .ts_ms = 12};
    size_t n;
    char *js = push_event_encode(&e, &n);
    push_event d;
    T_OK(push_event_decode(js, n, &d) == 0 && d.kind == PUSH_EV_POSTBACK &&
         !strcmp(d.user, "u\"1") && !strcmp(d.payload, "p\n") && !strcmp(d.answer, "q") &&
         d.ts_ms == 12, "an event survives the in stream (encode, decode)");
    push_event_clear(&d);
    free(js);
    T_OK(push_event_decode("{\"kind\":1,\"user\":\"u\"}", 21, &d) < 0, "TEXT without text: refused");
    T_OK(push_utf8_cut("ạb", 3, 2) == 0 && push_utf8_cut("aạ", 4, 3) == 1,
         "cuts never split a UTF-8 character");
    push_calls c = {0};
    push_calls_add(&c, "sendMessage", strdup("{\"text\":\"a\\\"b\\n\"}"), 17);
    push_calls_add(&c, "answerCallbackQuery", strdup("{}"), 2);
    char *cj = push_calls_json(&c);
    json_t *arr = json_loads(cj, 0, NULL);
    T_OK(json_array_size(arr) == 2 &&
         !strcmp(json_string_value(json_array_get(json_array_get(arr, 0), 1)), c.v[0].body) &&
         !strcmp(json_string_value(json_array_get(json_array_get(arr, 1), 0)),
                 "answerCallbackQuery"), "calls as one JSON array of [method, body], bodies intact");
    json_decref(arr);
    free(cj);
    push_calls_free(&c);
    T_OK(push_secret_equal("abc", "abc") && !push_secret_equal("abc", "abd") &&
         !push_secret_equal("", ""), "secret comparison");
}

int main(void)
{
    zalo_signature();
    zalo_events();
    zalo_render_cases();
    zalo_answers();
    telegram_cases();
    event_json();
    return t_done();
}
