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

int main(void)
{
    if (conv_setup(30) != 0)
        return t_done();
    test_agent();
    test_agent_timeout();
    return conv_teardown();
}
