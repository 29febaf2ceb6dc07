/* test_conv.c -- the router and the dialogs (bot/conv/) against a real Redis.
 *
 * Through tests/unit/conv_fixture.h (the real configuration, a private
 * redis-server killed on every exit path, the router on a libuv loop), drives
 * whole conversations through router_handle(): what a citizen reads (texts
 * of messages.vi.json, buttons, the intent) and what Redis holds afterwards
 * (sessions with their TTL, complaints, ratings, subscriptions). Redis killed
 * mid-flight and Redis stalled must give 503 once and leak nothing (the
 * suite runs under ASan with detect_leaks). The hand-off to operators is
 * test_agent_hub.c. */
#include "t.h"
#include "tests/unit/conv_fixture.h"
#include "bot/conv/dialogs/dialog.h"
#include "bot/conv/chatlog.h"
#include "bot/conv/reply_json.h"
#include "common/ids.h"
#include "store/dossiers.h"

#define DOSSIER_OPEN "000.00.12.H18-240520-0001"
#define DOSSIER_DONE "000.00.12.H18-240520-0002"
#define DOSSIER_NONE "000.00.12.H18-240520-0099"
#define OWNER "84912345678"
#define NOTE "Bổ sung bản sao CCCD"

static void on_put(int status, const dossiers_put_result *res, void *privdata)
{
    (void)res;
    *(int *)privdata = status;
}

static int put_dossier(const char *code, const char *status, const char *phone, const char *note)
{
    dossier_input in = {.code = code, .procedure_code = proc_code, .status = status,
                        .received_at = "2024-05-20", .due_at = "2099-12-31",
                        .applicant_phone = phone, .note = note};
    int st = -2;
    if (dossiers_put(S, &in, on_put, &st) < 0)
        return -1;
    RUN_UNTIL(st != -2, 2000);
    return st;
}

/* ---- conversations ---- */

static void test_greeting(void)
{
    chat("u-greet", "xin chào");
    T_OK(T.calls == 1 && T.status == ROUTER_OK, "greeting: done once with 200");
    T_STREQ(T.intent, "greeting", "greeting: intent name");
    T_OK(said("greeting", NULL), "greeting: the greeting text");
    T_OK(main_menu() && nbuttons() == 6, "greeting: the six main menu buttons with their titles");
    sess_load("chat", "u-greet");
    long long ttl = r_int(r_cmd("TTL dvcbot:sess:chat:u-greet"));
    T_OK(json_integer_value(json_object_get(sess, "turns")) == 1 &&
             is(sess_str("last_intent"), "greeting"),
         "greeting: session saved with turns 1 and last_intent");
    T_OK(ttl > 0 && ttl <= cfg->session.ttl_s, "greeting: session TTL %lld within session.ttl_s",
         ttl);
    chat("u-greet", "abc xyz");
    T_OK(said("unknown", NULL) && main_menu() && !button("help"),
         "unknown: said once, with the menu");
    chat("u-greet", "abc xyz");
    T_OK(said("unknown.again.web", NULL) && button("help"),
         "unknown twice on the web chat: unknown.again.web (no SMS syntax) and a help button");
    sess_load("chat", "u-greet");
    T_OK(json_integer_value(json_object_get(sess, "turns")) == 3, "session turns counted to 3");
}

static void test_session_state(void)
{
    freeReplyObject(r_cmd("SET dvcbot:sess:chat:u-en %s", "{\"lang\":\"en\"}"));
    chat("u-en", "hi");
    T_STREQ(part(0), messages_get(msgs, "greeting", "en"),
            "a session with lang en and a text of no clear language: English greeting");
    chat("u-en", "xin chào");
    T_STREQ(part(0), messages_get(msgs, "greeting", "vi"),
            "the same session writing Vietnamese: the Vietnamese greeting");
    freeReplyObject(r_cmd("SET dvcbot:sess:chat:u-junk %s", "not json {"));
    chat("u-junk", "xin chào");
    T_OK(T.status == ROUTER_OK && said("greeting", NULL) &&
             json_is_object(sess_load("chat", "u-junk")),
         "a damaged session is started afresh and saved in the stored format");
    /* the former format: a JSON text with the hand-off history inside */
    buf old = {0};
    buf_puts(&old, "{\"turns\":5,\"lang\":\"en\",\"recent\":[");
    for (int i = 0; i < 10; i++)
        buf_printf(&old, "%s{\"from\":\"citizen\",\"text\":\"old %d\",\"at\":1}", i ? "," : "", i);
    buf_puts(&old, "]}");
    freeReplyObject(r_cmd("SET dvcbot:sess:chat:u-old %s", old.data));
    buf_free(&old);
    chat("u-old", "hi");
    char *first = r_str(r_cmd("LINDEX dvcbot:chatlog:chat:u-old 0"));
    char *said_now = r_str(r_cmd("LINDEX dvcbot:chatlog:chat:u-old -2"));
    long long hist = r_int(r_cmd("LLEN dvcbot:chatlog:chat:u-old"));
    long long recent = r_int(r_cmd("EXISTS dvcbot:sess-recent:chat:u-old"));
    T_OK(T.status == ROUTER_OK && sess_load("chat", "u-old") &&
             json_integer_value(json_object_get(sess, "turns")) == 6 && is(sess_str("lang"), "en") &&
             !json_object_get(sess, "recent"),
         "an old JSON session is read and rewritten in the stored format, its state kept");
    T_OK(hist == 10 && first && strstr(first, "{\"from\":\"me\",\"text\":\"old 2\"") && said_now &&
             strstr(said_now, "{\"from\":\"me\",\"text\":\"hi\",\"at\":") && recent == 0,
         "its hand-off history moved to the chat log (the citizen's lines as \"me\"): its last 8 "
         "lines, then this turn's; no history list of its own");
    free(first);
    free(said_now);
}

static void test_status(void)
{
    chat("u-miss", "tra cứu hồ sơ " DOSSIER_NONE);
    T_STREQ(T.intent, "dossier_status", "unknown code: intent dossier_status");
    T_OK(said("dossier_status.not_found", "code", DOSSIER_NONE, NULL),
         "unknown code: not_found with the code");
    char *miss = r_str(r_cmd("GET dvcbot:rl-miss:chat:u-miss"));
    long long ttl = r_int(r_cmd("TTL dvcbot:rl-miss:chat:u-miss"));
    T_OK(is(miss, "1") && ttl > 0 && ttl <= cfg->domain.miss_window_s,
         "unknown code: one miss counted, with the window as TTL");
    free(miss);

    T_OK(put_dossier(DOSSIER_OPEN, "processing", OWNER, NOTE) == 0 &&
             put_dossier(DOSSIER_DONE, "done", NULL, NULL) == 0,
         "two dossiers seeded with dossiers_put");
    const char *processing = messages_get(msgs, "dossier_status.status.processing", "vi");
    char *head = text_of("dossier_status.header", "code", DOSSIER_OPEN, "status", processing, NULL);
    chat("u-look", "tra cứu hồ sơ " DOSSIER_OPEN);
    T_OK(part(0) && !strncmp(part(0), head, strlen(head)),
         "seeded dossier: header with its status");
    T_OK(part(0) && !strstr(part(0), NOTE), "chat: the agency's note is not shown to a stranger");
    T_OK(button("subscribe") && !button("rating"), "open dossier: subscribe button, no rating");
    sms(OWNER, "tra cuu ho so " DOSSIER_OPEN, NULL);
    T_OK(part(0) && !strncmp(part(0), head, strlen(head)) && strstr(part(0), NOTE),
         "SMS from the applicant's number: the note is shown");
    free(head);
    sms(OWNER, "tra cuu ho so", NULL);
    char *item =
        text_of("dossier_status.mine.item", "code", DOSSIER_OPEN, "status", processing, NULL);
    char list[512];
    snprintf(list, sizeof(list), "%s\n%s\n%s",
             messages_get(msgs, "dossier_status.mine.header", "vi"), item,
             messages_get(msgs, "dossier_status.mine.hint", "vi"));
    T_STREQ(part(0), list, "SMS without a code: the asker's own dossiers listed");
    free(item);
    chat("u-look", "tra cứu hồ sơ");
    T_OK(part(0) && strstr(part(0), DOSSIER_OPEN),
         "chat without a code: the session's last dossier");
    chat("u-ask", "tra cứu hồ sơ");
    T_OK(said("dossier_status.ask_code", NULL) && sess_load("chat", "u-ask") &&
         is(sess_str("await"), "dossier_status"),
         "no code, no history: asks for it and awaits dossier_status");

    char code[48];
    for (int i = 0; i < cfg->domain.miss_limit; i++) {
        snprintf(code, sizeof(code), "000.00.12.H18-240520-%04d", 500 + i);
        chat("u-enum", code);
    }
    chat("u-enum", DOSSIER_OPEN);
    T_OK(said("dossier_status.too_many", NULL),
         "after miss_limit unknown codes even a real one is refused");
}

static void test_rating(void)
{
    chat("u-rate", "tra cứu hồ sơ " DOSSIER_DONE);
    T_OK(button("rating") && !button("subscribe"), "done dossier: rating button, no subscribe");
    chat("u-rate", "đánh giá");
    T_OK(said("rating.ask", NULL) && nbuttons() == 5 && button("rating:5") && button("rating:1"),
         "rating without a score: asks, five score buttons");
    T_OK(sess_load("chat", "u-rate") && is(sess_str("await"), "rating"), "session awaits rating");
    press("u-rate", "rating:5");
    T_OK(said("rating.saved", "score", "5", "code", DOSSIER_DONE, NULL),
         "button rating:5 saved for the last dossier");
    char want[64];
    snprintf(want, sizeof(want), "5|%s", proc_code);
    char *got = r_str(r_cmd("HGET dvcbot:rating:%s %s", DOSSIER_DONE, "chat:u-rate"));
    T_STREQ(got, want, "Redis: the rating with its procedure");
    free(got);
    chat("u-rate", "đánh giá 3");
    T_OK(said("rating.confirm_replace", "score", "3", "old", "5", "code", DOSSIER_DONE, NULL) &&
             button("rating:replace") && button("rating:keep"),
         "rating again: asked before the score given earlier is replaced");
    got = r_str(r_cmd("HGET dvcbot:rating:%s %s", DOSSIER_DONE, "chat:u-rate"));
    T_STREQ(got, want, "... and nothing replaced yet");
    free(got);
    chat("u-rate", "có");
    T_OK(said("rating.replaced", "score", "3", "old", "5", "code", DOSSIER_DONE, NULL),
         "a typed \"có\" replaces the score");
    chat("u-rate", "đánh giá 1");
    chat("u-rate", "không");
    T_OK(said("rating.kept", "old", "3", "code", DOSSIER_DONE, NULL),
         "a typed \"không\" keeps the score");
    chat("u-rate2", "đánh giá 4");
    T_OK(said("rating.ask_code", "score", "4", NULL),
         "a score without a dossier: asks for the code");
    chat("u-rate2", DOSSIER_DONE);
    T_OK(said("rating.not_yours", "code", DOSSIER_DONE, NULL),
         "a citizen who never looked the returned dossier up may not rate it");
    /* what a TRACUU of the returned dossier by u-rate2 leaves (dossiers_lookup_miss) */
    free(r_str(r_cmd("SET dvcbot:rating-ok:%s:chat:u-rate2 1", DOSSIER_DONE)));
    chat("u-rate2", "đánh giá 4");
    chat("u-rate2", DOSSIER_DONE);
    T_OK(is(T.intent, "rating") && said("rating.saved", "score", "4", "code", DOSSIER_DONE, NULL),
         "await: the bare code answers the rating question");
    chat("u-rate3", "đánh giá 2 hồ sơ " DOSSIER_NONE);
    T_OK(said("rating.no_dossier", "code", DOSSIER_NONE, NULL) &&
             r_int(r_cmd("EXISTS dvcbot:rating:%s", DOSSIER_NONE)) == 0,
         "rating an unknown dossier: nothing stored");
}

static long long subscribed(const char *member)
{
    return r_int(r_cmd("SISMEMBER dvcbot:subs:%s %s", DOSSIER_OPEN, member));
}

static void test_subscribe(void)
{
    chat("u-sub", "DK " DOSSIER_OPEN);
    T_OK(said("subscribe.done_chat", "code", DOSSIER_OPEN, NULL) && subscribed("chat:u-sub") == 1,
         "chat subscribe: said and stored");
    chat("u-sub", "DK " DOSSIER_OPEN);
    T_OK(said("subscribe.already", "code", DOSSIER_OPEN, NULL), "subscribe again: already");
    chat("u-sub", "DK " DOSSIER_NONE);
    T_OK(said("subscribe.no_dossier", "code", DOSSIER_NONE, NULL),
         "subscribe to an unknown dossier");
    chat("u-sub2", "đăng ký nhận tin");
    T_OK(said("subscribe.ask_code", NULL), "subscribe without a code asks for it");
    chat("u-sub2", DOSSIER_OPEN);
    T_OK(said("subscribe.done_chat", "code", DOSSIER_OPEN, NULL),
         "await: the bare code subscribes");
    sms("84987654321", "DK " DOSSIER_OPEN, NULL);
    T_OK(said("subscribe.done", "code", DOSSIER_OPEN, NULL) && subscribed("sms:84987654321") == 1,
         "SMS subscribe: member sms:<msisdn>");
    sms("84987654321", "HUY", NULL);
    T_OK(said("unsubscribe.done", NULL) && subscribed("sms:84987654321") == 0 &&
         r_int(r_cmd("SISMEMBER dvcbot:optout %s", "84987654321")) == 1,
         "SMS HUY: subscription gone and the number opted out");
    chat("u-sub", "hủy");
    T_OK(said("unsubscribe.ask", NULL) && button("unsubscribe:confirm") &&
             subscribed("chat:u-sub") == 1,
         "chat hủy without a form: asked first, nothing removed");
    chat("u-sub", "không");
    T_OK(said("unsubscribe.kept", NULL) && subscribed("chat:u-sub") == 1,
         "... \"không\": the subscriptions stay");
    chat("u-sub", "hủy");
    press("u-sub", "unsubscribe:confirm");
    T_OK(said("unsubscribe.done_chat", NULL) && subscribed("chat:u-sub") == 0,
         "... confirmed: unsubscribed");
}

/* A field of a complaint record, compared. */
static int complaint_has(const char *code, const char *field, const char *want)
{
    char *v = r_str(r_cmd("HGET dvcbot:complaint:%s %s", code ? code : "", field));
    int ok = is(v, want);
    free(v);
    return ok;
}

/* The chat form, typed answers: topic button, content, dossier, contact, confirm. */
static void test_complaint_form(void)
{
    const char *content = "thủ tục rườm rà quá chờ mãi không xong";
    const char *delay = messages_get(msgs, "complaint.topic.delay", "vi");
    chat("u-pakn", "gửi phản ánh");
    T_OK(said("complaint_new.ask_topic", NULL) && button("complaint_new:topic:delay") &&
             button("complaint_new:cancel") && nbuttons() == 7,
         "form: topic asked with 6 topics + cancel");
    press("u-pakn", "complaint_new:topic:delay");
    T_OK(said("complaint_new.ask", NULL), "form: content asked");
    chat("u-pakn", content);
    T_OK(is(T.intent, "complaint_new") && said("complaint_new.ask_dossier", NULL) &&
             button("complaint_new:skip"),
         "await_text: a sentence that looks like a question is the content");
    chat("u-pakn", DOSSIER_OPEN);
    T_OK(said("complaint_new.ask_contact", NULL),
         "form: the bare code is the dossier, contact asked");
    chat("u-pakn", "0912345678");
    T_OK(said("complaint_new.confirm", "topic", delay, "text", content, "dossier", DOSSIER_OPEN,
              "contact", OWNER, NULL) &&
             button("complaint_new:confirm"),
         "form: confirmation shows every field (contact normalised)");
    press("u-pakn", "complaint_new:confirm");
    sess_load("chat", "u-pakn");
    char *code = xstrdup(sess_str("last_complaint") ? sess_str("last_complaint") : "");
    char result[64];
    snprintf(result, sizeof(result), "complaint_status:%s", code);
    T_OK(ids_complaint_code_ok(code) && said("complaint_new.filed.web", "code", code, NULL) &&
             button(result),
         "confirm: filed, the code said is the one kept, a result button (web chat)");
    T_OK(!json_object_get(sess, "pakn") && !json_object_get(sess, "await"),
         "confirm: the form left the session");
    T_OK(complaint_has(code, "topic", "delay") && complaint_has(code, "contact", OWNER) &&
             complaint_has(code, "text", content) &&
             complaint_has(code, "agency", "000.00.12.H18") &&
             complaint_has(code, "status", "open"),
         "Redis: the complaint record, with the dossier's agency");
    char q[48];
    snprintf(q, sizeof(q), "TTPA %s", code);
    chat("u-pakn", q);
    T_OK(is(T.intent, "complaint_status") && part(0) && strstr(part(0), code) &&
             strstr(part(0), delay),
         "complaint_status: the open complaint by its code, with its topic");
    free(code);
    chat("u-pakn2", "tôi muốn phản ánh");
    chat("u-pakn2", "hủy");
    T_OK(said("complaint_new.cancelled", NULL) && sess_load("chat", "u-pakn2") &&
             !json_object_get(sess, "pakn"),
         "hủy while a form is open cancels the form");
}

static void test_complaint_sms(void)
{
    const char *text = "PAKN thu tuc cham qua, cho 3 thang chua co ket qua";
    sms("84911111111", text, "kannel-7");
    sess_load("sms", "84911111111");
    char *code = xstrdup(sess_str("last_complaint") ? sess_str("last_complaint") : "");
    T_OK(ids_complaint_code_ok(code) && said("complaint_new.filed", "code", code, NULL),
         "SMS PAKN <content>: filed in one message");
    sms("84911111111", text, "kannel-7");
    T_OK(said("complaint_new.filed", "code", code, NULL) &&
         r_int(r_cmd("ZCARD dvcbot:complaints-by:sms:84911111111")) == 1,
         "the same Kannel id again: the same code, one complaint");
    free(code);
}

static void test_procedure(void)
{
    char payload[64];
    snprintf(payload, sizeof(payload), "procedure_info:%s", proc_code);
    press("u-proc", payload);
    T_OK(is(T.intent, "procedure_info") && part(0) &&
             strstr(part(0), catalogue_find_code(cat, proc_code)->name) &&
             nbuttons() == CATALOGUE_ASPECT_BUTTONS - 1,
         "procedure button: the overview, a button per other aspect");
    sess_load("chat", "u-proc");
    T_STREQ(sess_str("last_procedure"), proc_code, "session keeps last_procedure");
}

/* ---- Redis failing ---- */

static void test_redis_stalled(void)
{
    /* CLIENT PAUSE WRITE lets the session load through and holds the
     * dialog's script past a short store timeout */
    store *s2 = open_store(150);
    router *r2 = open_router(s2, NULL);
    RUN_UNTIL(store_is_up(s2), 2000);
    json_t *before = json_incref(sess_load("chat", "u-look"));
    freeReplyObject(r_cmd("CLIENT PAUSE 600 WRITE"));
    send_msg(r2, CHANNEL_CHAT, "u-look", "tra cứu hồ sơ " DOSSIER_OPEN, NULL, NULL);
    T_OK(T.calls == 1 && T.status == ROUTER_UNAVAILABLE && !T.r,
         "Redis stalls mid-dialog: done once with 503");
    RUN_FOR(700);
    T_OK(before && json_equal(before, sess_load("chat", "u-look")),
         "nothing acknowledged: the session is unchanged");
    json_decref(before);
    router_free(r2);
    store_close(s2);
}

static void test_redis_killed(void)
{
    reply_free(T.r);
    memset(&T, 0, sizeof(T));
    message *m = message_new(CHANNEL_CHAT, "u-greet", 7);
    m->text = xstrdup("xin chào");
    int rc = router_handle(R, m, on_done, &T);
    redis_kill();
    RUN_UNTIL(T.calls, 3000);
    RUN_FOR(20);
    n_msgs++;
    n_once += T.calls == 1;
    T_OK(rc == 0 && T.calls == 1 && T.status == ROUTER_UNAVAILABLE && !T.r &&
             is(T.intent, "unknown"),
         "Redis killed mid-flight: done once with 503, no reply");
    T_OK(send_msg(R, CHANNEL_CHAT, "u-greet", "xin chào", NULL, NULL) == -1 && T.calls == 0,
         "Redis down: router_handle returns -1 and done is not called");
    int up = redis_start() == 0;
    RUN_UNTIL(store_is_up(S), 3000);
    redisFree(peek);
    peek = sync_open(0);
    chat("u-back", "xin chào");
    T_OK(up && T.status == ROUTER_OK && said("greeting", NULL),
         "Redis back: the store reconnects, 200 again");
}

/* The number of buttons the session keeps in "btns"'s current form (one
 * string "title\0payload\0..."), 0 when it is not that form. */
static size_t btns_kept(json_t *session)
{
    const char *t[DIALOG_BUTTONS_MAX], *p[DIALOG_BUTTONS_MAX];
    int normalised;
    if (!json_is_string(json_object_get(session, "btns")))
        return 0;
    return dialog_buttons_kept(session, t, p, &normalised);
}

/* Typed answers (dialog_answer.c): yes/no/cancel, courtesy, buttons by
 * number and words; then the same through the router. */
static void test_typed_answers(void)
{
    static const char *const yes[] = {"co", "u", "ok", "dong y", "ok gui di", "vang a", "dung roi"};
    static const char *const no[] = {"khong", "ko", "khong co ma", "giu nguyen nhe"};
    int all = 1;
    for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
        all = all && dialog_answer_yesno(yes[i]) == DIALOG_YES;
    for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
        all = all && dialog_answer_yesno(no[i]) == DIALOG_NO;
    T_OK(all && dialog_answer_yesno("thoi") == DIALOG_CANCEL &&
             dialog_answer_yesno("huy") == DIALOG_CANCEL &&
             dialog_answer_yesno("co the cho toi hoi") == DIALOG_NEITHER &&
             dialog_answer_yesno("") == DIALOG_NEITHER && dialog_answer_yesno("?!") == DIALOG_NEITHER,
         "yes / no / cancel in their everyday forms, and nothing else");
    T_OK(dialog_answer_courtesy("cam on ban nhe") == 1 && dialog_answer_courtesy("tam biet") == 2 &&
             dialog_answer_courtesy("lam tot lam") == 1 && dialog_answer_courtesy("xin chao") == 0 &&
             dialog_answer_courtesy("chao ban co phieu") == 0,
         "courtesy: thanks, goodbye, not a greeting");
    T_OK(dialog_answer_back("quay lai") && !dialog_answer_back("quay lai sau") &&
             dialog_answer_no_code("toi quen ma ho so roi") && !dialog_answer_no_code("ma ho so"),
         "quay lại; quên mã");
    json_t *bs = json_pack("{s[[ss][ss][ss]]}", "buttons", "bo qua", "complaint_new:skip",
                             "huy", "complaint_new:cancel", "giai quyet cham, tre hen",
                             "complaint_new:topic:delay");
    T_OK(is(dialog_answer_button(bs, "huy"), "complaint_new:cancel") &&
             is(dialog_answer_button(bs, "khong"), "complaint_new:skip") &&
             is(dialog_answer_button(bs, "thoi"), "complaint_new:cancel") &&
             is(dialog_answer_button(bs, "1"), "complaint_new:skip") &&
             is(dialog_answer_button(bs, "giai quyet cham"), "complaint_new:topic:delay") &&
             !dialog_answer_button(bs, "4") && !dialog_answer_button(bs, "0") &&
             !dialog_answer_button(bs, "giai quyet ho so dat"),
         "buttons: exact title first, then number, yes/no role, words of one title");
    json_decref(bs);
    char big[2048];
    memset(big, 'a', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    T_OK(dialog_answer_yesno(big) == DIALOG_NEITHER && dialog_answer_courtesy(big) == 0,
         "a 2 KB word is no answer (and no overflow)");

    /* the last reply's buttons are kept once ("btns", titles as shown); a
     * session of the former format ("buttons" normalised + "chat_buttons")
     * is still read, then rewritten */
    chat("u-btns", "xin chào");
    chat("u-btns", "đánh giá hài lòng");
    T_OK(said("rating.ask", NULL) && sess_load("chat", "u-btns") && btns_kept(sess) == 5 &&
             !json_object_get(sess, "buttons") && !json_object_get(sess, "chat_buttons"),
         "a main menu title typed with its diacritics picks it; the buttons stored once");
    const char *old_btns =
        "{\"turns\":1,\"buttons\":[[\"tra cuu ho so\",\"dossier_status\"],"
        "[\"danh gia hai long\",\"rating\"]],\"chat_buttons\":[[\"Tra cứu hồ sơ\","
        "\"dossier_status\"],[\"Đánh giá hài lòng\",\"rating\"]]}";
    freeReplyObject(r_cmd("SET dvcbot:sess:chat:u-oldb %s", old_btns));
    chat("u-oldb", "2");
    T_OK(said("rating.ask", NULL) && sess_load("chat", "u-oldb") && btns_kept(sess) == 5 &&
             !json_object_get(sess, "buttons") && !json_object_get(sess, "chat_buttons"),
         "an old session's buttons: a typed number picks one; saved as \"btns\"");
    freeReplyObject(r_cmd("SET dvcbot:sess:chat:u-oldt %s", old_btns));
    press("u-oldt", "rating");
    char *me = r_str(r_cmd("LINDEX dvcbot:chatlog:chat:u-oldt 0"));
    T_OK(said("rating.ask", NULL) && me && strstr(me, "\"me\",\"text\":\"Đánh giá hài lòng\""),
         "an old session's buttons: a tap is logged by the title the page showed");
    free(me);
    press("u-oldt", "rating:5");
    me = r_str(r_cmd("LINDEX dvcbot:chatlog:chat:u-oldt -2"));
    T_OK(me && strstr(me, "\"me\",\"text\":\"5\""),
         "then, from the new form: a tap is logged by its title");
    free(me);
    /* the list form of "btns" (one string per title and payload), written
     * by the version before: a typed number, a typed title and a tap */
    const char *list_btns =
        "{\"turns\":1,\"btns\":[\"Tra cứu hồ sơ\",\"dossier_status\",\"Đánh giá hài lòng\","
        "\"rating\"]}";
    freeReplyObject(r_cmd("SET dvcbot:sess:chat:u-listb %s", list_btns));
    chat("u-listb", "2");
    T_OK(said("rating.ask", NULL) && sess_load("chat", "u-listb") && btns_kept(sess) == 5,
         "\"btns\" as a list: a typed number picks one; saved as one string");
    freeReplyObject(r_cmd("SET dvcbot:sess:chat:u-listt %s", list_btns));
    press("u-listt", "rating");
    me = r_str(r_cmd("LINDEX dvcbot:chatlog:chat:u-listt 0"));
    T_OK(said("rating.ask", NULL) && me && strstr(me, "\"me\",\"text\":\"Đánh giá hài lòng\""),
         "\"btns\" as a list: a tap is logged by its title");
    free(me);

    chat("u-typed", "tôi muốn phản ánh");
    chat("u-typed", "2");
    T_OK(said("complaint_new.ask", NULL), "the topic typed as its number");
    chat("u-typed", "quay lại");
    T_OK(said("complaint_new.ask_topic", NULL), "quay lại: the topic is asked again");
    chat("u-typed", "thái độ cán bộ");
    chat("u-typed", "Cán bộ tiếp dân nói năng cộc lốc");
    chat("u-typed", "không");
    chat("u-typed", "bỏ qua");
    chat("u-typed", "ok gửi đi");
    sess_load("chat", "u-typed");
    T_OK(sess_str("last_complaint") && !json_object_get(sess, "pakn"),
         "topic in words, \"không\", \"bỏ qua\" and \"ok gửi đi\": filed");
}

/* The chat log's lines of a turn are copied from the reply's JSON escaped
 * once (reply_json.h): texts cut to CHATLOG_TEXT_MAX bytes, never inside a
 * letter, buttons as shown. */
static void test_chatlog_lines(void)
{
    char long_vi[1400];
    size_t k = 0;
    memcpy(long_vi, "ab", 2), k = 2;        /* 1198 = 2 + 4 * 299: "ệ" across 1200 */
    while (k + 4 < sizeof(long_vi))
        memcpy(long_vi + k, "\"ệ", 4), k += 4;
    long_vi[k] = '\0';
    reply *r = reply_new();
    reply_add_text(r, long_vi);
    reply_add_button(r, "Có \"ngay\"", "yes");
    reply_add_text(r, "hai\ndòng");
    message *m = message_new(CHANNEL_CHAT, "u-log", 5);
    m->text = xstrdup("tôi \"hỏi\"");
    json_t *session = json_object();
    chat_json j = {0};
    reply_json_build(&j, r);
    char *lines[4];
    size_t n = chatlog_remember(session, m, r, &j, 1796290000, lines, 4);
    buf want = {0};
    buf_puts(&want, "{\"from\":\"bot\",\"text\":\"ab");
    for (size_t i = 0; i < 299; i++)
        buf_puts(&want, "\\\"ệ");
    buf_puts(&want, "\\\"\",\"buttons\":[{\"title\":\"Có \\\"ngay\\\"\",\"payload\":\"yes\"}],"
                    "\"at\":1796290000}");
    T_OK(n == 3, "chat log: the citizen's line and one per part");
    T_STREQ(n == 3 ? lines[0] : NULL, "{\"from\":\"me\",\"text\":\"tôi \\\"hỏi\\\"\",\"at\":1796290000}",
            "chat log: the citizen's text");
    T_STREQ(n == 3 ? lines[1] : NULL, want.data, "chat log: a long text cut before a letter at 1,200 bytes");
    T_STREQ(n == 3 ? lines[2] : NULL, "{\"from\":\"bot\",\"text\":\"hai\\ndòng\",\"at\":1796290000}",
            "chat log: a part without buttons");
    for (size_t i = 0; i < n; i++)
        free(lines[i]);
    buf_free(&want);
    chat_json_clear(&j);
    json_decref(session);
    message_free(m);
    reply_free(r);
}

int main(void)
{
    test_chatlog_lines();
    if (conv_setup(50) != 0)
        return t_done();
    test_greeting();
    test_session_state();
    test_status();
    test_rating();
    test_subscribe();
    test_complaint_form();
    test_complaint_sms();
    test_typed_answers();
    test_procedure();
    test_redis_stalled();
    test_redis_killed();
    return conv_teardown();
}
