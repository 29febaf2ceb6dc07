/* test_agent_hub.c -- the hand-off of a web-chat conversation to a human
 * operator (bot/conv/agent.c) against a real Redis.
 *
 * Through tests/unit/conv_fixture.h (the real configuration, a private
 * redis-server, the router with its agent hub on a libuv loop): a citizen
 * asks for a person and is queued in Redis; stand-in operator connections
 * (agent_op_ops recording the frames sent to them) get the queue, the one
 * who takes the conversation gets the citizen's text while the bot stays
 * silent, and after the release (or after webchat.agent_wait_s) the bot
 * answers again. SMS citizens are offered a complaint instead. */
#include <time.h>

#include "t.h"
#include "tests/unit/conv_fixture.h"
#include "store/agent_queue.h"
#include "bot/conv/chatlog.h"
#include "bot/conv/reply_json.h"

/* A stand-in operator connection: counts the frames of each type sent to it
 * and keeps the last message as "conv|text". */
struct agent_op {
    char name[16];
    int messages, queues;
    char last[256];
};

static void op_send(struct agent_op *op, const char *text, size_t len)
{
    json_t *j = json_loadb(text, len, 0, NULL);
    const char *type = json_string_value(json_object_get(j, "type"));
    if (type && !strcmp(type, "message")) {
        op->messages++;
        snprintf(op->last, sizeof(op->last), "%s|%s", json_string_value(json_object_get(j, "conv")),
                 json_string_value(json_object_get(j, "text")));
    } else if (type && !strcmp(type, "queue")) {
        op->queues++;
    }
    json_decref(j);
}

static const char *op_name(const struct agent_op *op) { return op->name; }
static const agent_op_ops op_ops = {.send = op_send, .name = op_name};

static void on_taken(int status, void *privdata) { *(int *)privdata = status; }

static int take(const char *conv, const char *op)
{
    int st = -2;
    if (agentq_take(S, conv, op, "{\"type\":\"notice\"}", (long long)time(NULL), on_taken, &st) < 0)
        return -1;
    RUN_UNTIL(st != -2, 2000);
    return st;
}

static int release(const char *conv, const char *op)
{
    int st = -2;
    if (agentq_release(S, conv, op, "{\"type\":\"notice\"}", on_taken, &st) < 0)
        return -1;
    RUN_UNTIL(st != -2, 2000);
    return st;
}

static void test_agent(void)
{
    struct agent_op op1 = {.name = "op1"}, op2 = {.name = "op2"}, anon = {.name = ""};
    chat("u-agent", "gặp nhân viên");
    char *state = r_str(r_cmd("HGET dvcbot:agent:conv:chat:u-agent state"));
    T_OK(said("human_agent.waiting", NULL) && sess_load("chat", "u-agent") &&
         json_is_true(json_object_get(sess, "agent")) && is(state, "waiting"),
         "chat human_agent: queued (Redis), session flagged");
    free(state);
    chat("u-agent", "xin chào");
    T_OK(said("greeting", NULL), "still waiting: the bot answers");
    agent_op_add(hub, &op1, &op_ops);
    agent_op_add(hub, &op2, &op_ops);
    agent_op_add(hub, &anon, &op_ops);
    RUN_UNTIL(op1.queues > 0, 2500);
    T_OK(op1.queues > 0 && op2.queues > 0 && anon.queues == 0,
         "the queue is pushed to logged-in operators only");
    T_OK(take("chat:u-agent", "op1") == 0, "op1 takes the conversation");
    chat("u-agent", "tôi cần hỗ trợ gấp");
    T_OK(T.calls == 1 && T.status == ROUTER_OK && T.r && T.r->nparts == 0 &&
             is(T.intent, "human_agent"),
         "held: done once with an empty reply (the bot is silent)");
    T_STREQ(op1.last, "chat:u-agent|tôi cần hỗ trợ gấp",
            "held: the text reached the holder's send()");
    T_OK(op1.messages == 1 && op2.messages == 0 && anon.messages == 0,
         "only the holder got it, once");
    T_OK(r_int(r_cmd("LLEN dvcbot:agent:log:chat:u-agent")) >= 3,
         "the exchange is logged for the operator");
    agent_op_remove(hub, &op1);
    chat("u-agent", "còn ai không?");
    T_OK(op1.messages == 1 && T.r && T.r->nparts == 0,
         "after agent_op_remove op1 gets nothing; still held");
    T_OK(release("chat:u-agent", "op1") == 0, "op1 releases the conversation");
    chat("u-agent", "xin chào");
    T_OK(said("greeting", NULL) && sess_load("chat", "u-agent") && !json_object_get(sess, "agent"),
         "released: the bot answers, the flag is gone");
    agent_op_remove(hub, &op2);
    agent_op_remove(hub, &anon);
    sms("84922222222", "gap nhan vien", NULL);
    T_OK(said("human_agent.queued", NULL) && button("complaint_new") &&
             r_int(r_cmd("EXISTS dvcbot:agent:conv:sms:84922222222")) == 0,
         "SMS: offered a complaint, not queued");
}

static void test_agent_timeout(void)
{
    int wait = cfg->webchat.agent_wait_s;
    cfg->webchat.agent_wait_s = 0;
    chat("u-wait", "gặp nhân viên");
    RUN_UNTIL(r_int(r_cmd("EXISTS dvcbot:agent:conv:chat:u-wait")) == 0, 3000);
    RUN_FOR(50);    /* the expiry's own callback */
    cfg->webchat.agent_wait_s = wait;
    char *notice = r_str(r_cmd("LINDEX dvcbot:notices:chat:u-wait -1"));
    T_OK(notice && strstr(notice, "agent_timeout") &&
             strstr(notice, messages_get(msgs, "human_agent.timeout", "vi")),
         "waited longer than agent_wait_s: left the queue, citizen told");
    free(notice);
    chat("u-wait", "xin chào");
    T_OK(said("greeting", NULL) && sess_load("chat", "u-wait") && !json_object_get(sess, "agent"),
         "after the timeout the bot answers again");
}

static void on_queued(int status, void *privdata) { *(int *)privdata = status; }

/* The operator's last line of a conversation whose chat log holds the
 * citizen's "hi" and a reply of these parts (texts), once it asks for a
 * person: its text (the hand-off history, store/lua/agentq_enqueue.lua),
 * or NULL when the history has no bot line. */
static char *bot_line(const char *const *texts, size_t n)
{
    static int seq;
    reply *r = reply_new();
    for (size_t i = 0; i < n; i++)
        reply_add_text(r, texts[i]);
    char user[32], conv[48], key[80];
    snprintf(user, sizeof(user), "u-lines-%d", ++seq);
    snprintf(conv, sizeof(conv), "chat:%s", user);
    snprintf(key, sizeof(key), "dvcbot:chatlog:%s", conv);
    message *m = message_new(CHANNEL_CHAT, user, strlen(user));
    m->text = xstrdup("hi");
    chat_json j = {0};
    reply_json_build(&j, r);
    char *lines[8];
    json_t *session = json_object();
    size_t k = chatlog_remember(session, m, r, &j, 1796290000, lines, 8);
    for (size_t i = 0; i < k; i++) {
        freeReplyObject(r_cmd("RPUSH %s %s", key, lines[i]));
        free(lines[i]);
    }
    int st = -2;
    char *out = NULL;
    if (agentq_enqueue(S, conv, "test", (long long)time(NULL), NULL, 0, on_queued, &st) == 0) {
        RUN_UNTIL(st != -2, 2000);
        char *raw = r_str(r_cmd("LINDEX dvcbot:agent:log:%s -1", conv));
        json_t *last = raw ? json_loads(raw, 0, NULL) : NULL;
        free(raw);
        const char *from = json_string_value(json_object_get(last, "from"));
        if (st == 0 && from && !strcmp(from, "bot") &&
            json_integer_value(json_object_get(last, "at")) == 1796290000)
            out = xstrdup(json_string_value(json_object_get(last, "text")));
        json_decref(last);
    }
    json_decref(session);
    chat_json_clear(&j);
    reply_free(r);
    message_free(m);
    return out;
}

/* What the line must hold: the non-empty texts joined by '\n', cut to
 * AGENTQ_TEXT_MAX bytes, never inside a UTF-8 sequence. */
static char *bot_line_want(const char *const *texts, size_t n)
{
    buf joined = {0};
    for (size_t i = 0; i < n; i++) {
        if (!*texts[i])
            continue;
        if (joined.len)
            buf_putc(&joined, '\n');
        buf_puts(&joined, texts[i]);
    }
    size_t len = joined.len;
    if (len > AGENTQ_TEXT_MAX) {
        len = AGENTQ_TEXT_MAX;
        while (len > 0 && ((unsigned char)joined.data[len] & 0xC0) == 0x80)
            len--;
    }
    char *out = xstrndup(joined.data ? joined.data : "", len);
    buf_free(&joined);
    return out;
}

static void check_bot_line(const char *const *texts, size_t n, const char *what)
{
    char *got = bot_line(texts, n), *want = bot_line_want(texts, n);
    T_STREQ(got, want, "hand-off line: %s", what);
    free(got);
    free(want);
}

/* A chat log with damaged lines (not JSON, not an object, a text that is
 * not a string, invalid UTF-8 in a stored line) hands the operator the
 * good lines only, in order; an earlier version's sess-recent list is read
 * when the conversation has no chat log. */
static const char *str_of(const json_t *o, const char *key)
{
    const char *v = json_string_value(json_object_get(o, key));
    return v ? v : "";
}

static void test_history_damaged(void)
{
    const char *k = "dvcbot:chatlog:chat:u-damaged";
    const char *lines[] = {"{\"from\":\"me\",\"text\":\"first\",\"at\":5}", "not json {",
                           "[1,2]", "{\"from\":\"bot\",\"text\":7}", "\"\xff\xfe\"",
                           "{\"from\":\"bot\",\"text\":\"second\",\"at\":6}"};
    for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
        freeReplyObject(r_cmd("RPUSH %s %s", k, lines[i]));
    freeReplyObject(r_cmd("RPUSH dvcbot:sess-recent:chat:u-old-hist %s",
                          "{\"from\":\"citizen\",\"text\":\"old\",\"at\":1}"));
    int st = -2, st2 = -2;
    int rc = agentq_enqueue(S, "chat:u-damaged", "test", (long long)time(NULL), NULL, 0, on_queued, &st);
    int rc2 = agentq_enqueue(S, "chat:u-old-hist", "test", (long long)time(NULL), NULL, 0, on_queued,
                             &st2);
    RUN_UNTIL(st != -2 && st2 != -2, 2000);
    long long n = r_int(r_cmd("LLEN dvcbot:agent:log:chat:u-damaged"));
    json_t *a = NULL, *b = NULL, *o = NULL;
    char *ra = r_str(r_cmd("LINDEX dvcbot:agent:log:chat:u-damaged 0"));
    char *rb = r_str(r_cmd("LINDEX dvcbot:agent:log:chat:u-damaged 1"));
    char *ro = r_str(r_cmd("LINDEX dvcbot:agent:log:chat:u-old-hist 0"));
    a = ra ? json_loads(ra, 0, NULL) : NULL;
    b = rb ? json_loads(rb, 0, NULL) : NULL;
    o = ro ? json_loads(ro, 0, NULL) : NULL;
    T_OK(rc == 0 && st == 0 && n == 2 &&
             !strcmp(str_of(a, "from"), "citizen") &&
             !strcmp(str_of(a, "text"), "first") &&
             json_integer_value(json_object_get(a, "at")) == 5 &&
             !strcmp(str_of(b, "text"), "second"),
         "damaged chat log lines left out: the operator gets the two good ones (%lld)", n);
    T_OK(rc2 == 0 && st2 == 0 && !strcmp(str_of(o, "text"), "old"),
         "no chat log: an earlier version's history list is the operator's");
    json_decref(a);
    json_decref(b);
    json_decref(o);
    free(ra);
    free(rb);
    free(ro);
}

/* The hand-off history is the chat log's lines in the operator's format
 * (store/agent_queue.h): where it cuts the joined texts of a reply. */
static void test_recent_lines(void)
{
    char a398[401], a399[402], quotes[420], long_vi[1300];
    memset(a398, 'a', 398);
    strcpy(a398 + 398, "\xc3\xa9");      /* "é" ends at byte 400 */
    memset(a399, 'a', 399);
    strcpy(a399 + 399, "\xc3\xa9");      /* "é" across the cut */
    memset(quotes, 'q', 390);
    strcpy(quotes + 390, "\"\n\\\t\"\n\"\\x\"\n\"y");
    size_t k = 0;
    while (k + 4 < sizeof(long_vi))
        memcpy(long_vi + k, "ệ\"", 4), k += 4;  /* 3-byte letters and quotes */
    long_vi[k] = '\0';
    const char *whole[] = {a398, "next"}, *across[] = {a399, "x"}, *sep[] = {a398 + 1, "xyz"};
    const char *at_sep[] = {a398 + 2, "b", "c"}, *esc[] = {quotes, "z"}, *many[] = {"a", "", "b", ""};
    const char *vi[] = {"mở đầu", long_vi}, *one[] = {long_vi}, *empty[] = {""}, *two_empty[] = {"", ""};
    check_bot_line(whole, 2, "a first part of exactly 400 bytes, the '\\n' after it cut");
    check_bot_line(across, 2, "a letter across the cut is left out whole");
    check_bot_line(sep, 2, "the '\\n' is the 400th byte: kept, nothing of the next part");
    check_bot_line(at_sep, 3, "the cut at the '\\n' before a third part");
    check_bot_line(esc, 2, "escaped quotes, newlines and backslashes at the cut");
    check_bot_line(many, 4, "short parts joined whole, the empty ones left out");
    check_bot_line(vi, 2, "a long second part of 3-byte letters");
    check_bot_line(one, 1, "one long part");
    char *none = bot_line(empty, 1), *none2 = bot_line(two_empty, 2);
    T_OK(!none && !none2, "one or two empty parts: no bot line");
    free(none);
    free(none2);
}

int main(void)
{
    if (conv_setup(30) != 0)
        return t_done();
    test_recent_lines();
    test_history_damaged();
    test_agent();
    test_agent_timeout();
    return conv_teardown();
}
