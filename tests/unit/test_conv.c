/* test_conv.c -- the router, the dialogs and the agent hub (bot/conv/)
 * against a real Redis.
 *
 * Loads the real configuration (config/dvcbot.json, its messages, intent
 * rules and catalogue), starts a private redis-server on a free port (killed
 * on every exit path), and drives whole conversations through router_handle()
 * on a libuv loop: what a citizen reads (texts of messages.vi.json, buttons,
 * the intent) and what Redis holds afterwards (sessions with their TTL,
 * complaints, ratings, subscriptions, the operator queue). The agent hub is
 * driven with a stand-in operator connection (agent_op_ops recording frames).
 * Redis killed mid-flight and Redis stalled must give 503 once and leak
 * nothing (the suite runs under ASan with detect_leaks). */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <hiredis/hiredis.h>
#include <jansson.h>
#include <uv.h>

#include "t.h"
#include "bot/conv/agent.h"
#include "bot/conv/router.h"
#include "catalogue/catalogue.h"
#include "common/buf.h"
#include "common/xmalloc.h"
#include "store/agent_queue.h"
#include "store/dossiers.h"
#include "store/sessions.h"

/* ---- the private redis-server ---- */

static volatile pid_t redis_pid = -1;
static int redis_port;
static char redis_dir[] = "/tmp/dvcbot-test-conv-XXXXXX";

static int free_port(void)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t alen = sizeof(a);
    int fd = socket(AF_INET, SOCK_STREAM, 0), port = -1;
    if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
        getsockname(fd, (struct sockaddr *)&a, &alen) == 0)
        port = ntohs(a.sin_port);
    if (fd >= 0)
        close(fd);
    return port;
}

static void redis_kill(void)
{
    pid_t pid = redis_pid;
    if (pid <= 0)
        return;
    redis_pid = -1;
    kill(pid, SIGKILL);
    while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
        ;
}

static void redis_on_signal(int sig)
{
    static const char msg[] = "test_conv: killed by signal or timeout\n";
    if (redis_pid > 0)
        kill(redis_pid, SIGKILL);
    rmdir(redis_dir);
    (void)!write(2, msg, sizeof(msg) - 1);
    _exit(128 + sig);
}

static redisContext *redis_connect(void)
{
    struct timeval tv = {0, 200000};
    redisContext *c = redisConnectWithTimeout("127.0.0.1", redis_port, tv);
    if (c && c->err) {
        redisFree(c);
        c = NULL;
    }
    return c;
}

static int redis_start(void)
{
    pid_t parent = getpid();
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        char port[16];
        int fd = open("/dev/null", O_RDWR);
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
            _exit(127);
        dup2(fd, 0), dup2(fd, 1), dup2(fd, 2);
        snprintf(port, sizeof(port), "%d", redis_port);
        execlp("redis-server", "redis-server", "--port", port, "--bind", "127.0.0.1", "--save",
               "", "--appendonly", "no", "--dir", redis_dir, (char *)NULL);
        _exit(127);
    }
    redis_pid = pid;
    for (int i = 0; i < 100; i++) {
        redisContext *c = redis_connect();
        redisReply *r = c ? redisCommand(c, "PING") : NULL;
        int ok = r && r->type == REDIS_REPLY_STATUS;
        freeReplyObject(r);
        redisFree(c);
        if (ok)
            return 0;
        usleep(50000);
    }
    return -1;
}

/* ---- blocking peeks at what Redis holds (test side only) ---- */

static redisContext *peek;
static json_t *sess;            /* the session read last by sess_load() */

static redisReply *r_cmd(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    redisReply *r = peek ? redisvCommand(peek, fmt, ap) : NULL;
    va_end(ap);
    return r;
}

/* A string reply as a malloc'd copy, or NULL; frees r. */
static char *r_str(redisReply *r)
{
    char *s = r && r->type == REDIS_REPLY_STRING ? xstrndup(r->str, r->len) : NULL;
    freeReplyObject(r);
    return s;
}

/* An integer reply, or -99; frees r. */
static long long r_int(redisReply *r)
{
    long long v = r && r->type == REDIS_REPLY_INTEGER ? r->integer : -99;
    freeReplyObject(r);
    return v;
}

/* Read the stored session of (channel, user) into sess (NULL if none). */
static json_t *sess_load(const char *ch, const char *user)
{
    char *s = r_str(r_cmd("GET dvcbot:sess:%s:%s", ch, user));
    json_decref(sess);
    sess = s ? json_loads(s, 0, NULL) : NULL;
    free(s);
    return sess;
}

static const char *sess_str(const char *field)
{
    return json_string_value(json_object_get(sess, field));
}

static int is(const char *a, const char *b) { return a && b && !strcmp(a, b); }

/* ---- the loop ---- */

static uv_loop_t loop;
static uv_timer_t tick;

static uint64_t now_ms(void) { return uv_hrtime() / 1000000; }
static void on_tick(uv_timer_t *t) { (void)t; }

#define RUN_UNTIL(cond, ms) do {                                          \
    uint64_t end_ = now_ms() + (ms);                                      \
    uv_timer_start(&tick, on_tick, 5, 5);                                 \
    while (!(cond) && now_ms() < end_)                                    \
        uv_run(&loop, UV_RUN_ONCE);                                       \
    uv_timer_stop(&tick);                                                 \
} while (0)
#define RUN_FOR(ms) RUN_UNTIL(0, ms)

/* ---- the application, loaded as `serve` loads it ---- */

static config *cfg;
static messages *msgs;
static intents *rules;
static catalogue *cat;
static store *S;
static agent_hub *hub;
static router *R;
static const char *proc_code;   /* a procedure of the catalogue */

static store *open_store(int port, int timeout_ms)
{
    char url[64], err[256];
    snprintf(url, sizeof(url), "redis://127.0.0.1:%d/0", port);
    store_options o = {.url = url, .timeout_ms = timeout_ms, .reconnect_max_ms = 300};
    return store_new(&loop, &o, err, sizeof(err));
}

static router *open_router(store *s, agent_hub *h)
{
    router_deps d = {.store = s, .intents = rules, .msgs = msgs, .cfg = cfg, .catalogue = cat,
                     .session_ttl_s = cfg->session.ttl_s, .agent = h};
    return router_new(&d);
}

/* ---- one message through the router ---- */

typedef struct turn {
    int calls, status;
    reply *r;
    const char *intent;
} turn;

static turn T;
static int n_msgs, n_once;

static void on_done(int status, reply *r, const char *intent, void *ctx)
{
    turn *t = ctx;
    t->calls++;
    t->status = status;
    reply_free(t->r);
    t->r = r;
    t->intent = intent;
}

/* Send one message; returns router_handle's value. Runs the loop until done
 * was called, then a little longer to catch a second call. */
static int send_msg(router *rt, channel ch, const char *user, const char *text,
                    const char *payload, const char *ref)
{
    reply_free(T.r);
    memset(&T, 0, sizeof(T));
    message *m = message_new(ch, user, strlen(user));
    m->text = text ? xstrdup(text) : NULL;
    m->payload = payload ? xstrdup(payload) : NULL;
    m->ref = ref ? xstrdup(ref) : NULL;
    if (router_handle(rt, m, on_done, &T) < 0)
        return -1;
    RUN_UNTIL(T.calls, 3000);
    RUN_FOR(5);
    n_msgs++;
    n_once += T.calls == 1;
    return 0;
}

static void chat(const char *user, const char *text)
{
    send_msg(R, CHANNEL_CHAT, user, text, NULL, NULL);
}

static void press(const char *user, const char *payload)
{
    send_msg(R, CHANNEL_CHAT, user, NULL, payload, NULL);
}

static void sms(const char *user, const char *text, const char *ref)
{
    send_msg(R, CHANNEL_SMS, user, text, NULL, ref);
}

static const char *part(size_t i)
{
    return T.r && i < T.r->nparts ? T.r->parts[i].text : NULL;
}

static size_t nbuttons(void)
{
    size_t n = 0;
    for (size_t i = 0; T.r && i < T.r->nparts; i++)
        n += T.r->parts[i].nbuttons;
    return n;
}

/* The title of the button with this payload, or NULL. */
static const char *button(const char *payload)
{
    for (size_t i = 0; T.r && i < T.r->nparts; i++)
        for (size_t j = 0; j < T.r->parts[i].nbuttons; j++)
            if (!strcmp(T.r->parts[i].buttons[j].payload, payload))
                return T.r->parts[i].buttons[j].title;
    return NULL;
}

static char *text_vof(const char *key, va_list ap)
{
    buf b = {0};
    messages_vformat(msgs, key, "vi", &b, ap);
    return buf_detach(&b, NULL);
}

/* The Vietnamese text of key with (name, value) pairs, malloc'd. */
static char *text_of(const char *key, ...)
{
    va_list ap;
    va_start(ap, key);
    char *t = text_vof(key, ap);
    va_end(ap);
    return t;
}

/* 1 if a part of the reply is exactly the text of key (formatted). */
static int said(const char *key, ...)
{
    va_list ap;
    va_start(ap, key);
    char *want = text_vof(key, ap);
    va_end(ap);
    int hit = 0;
    for (size_t i = 0; T.r && i < T.r->nparts; i++)
        hit |= is(T.r->parts[i].text, want);
    if (!hit)
        printf("#   want %s: \"%s\"\n#   got: \"%s\" (status %d, intent %s)\n", key,
               want ? want : "", part(0) ? part(0) : "(none)", T.status, T.intent ? T.intent : "-");
    free(want);
    return hit;
}

/* 1 if the reply carries the main menu: one button per public service. */
static int main_menu(void)
{
    static const char *const menu[] = {"dossier_status", "procedure_info", "complaint_new",
                                       "complaint_status", "rating", "human_agent"};
    for (size_t i = 0; i < sizeof(menu) / sizeof(menu[0]); i++) {
        char key[64];
        snprintf(key, sizeof(key), "menu.%s", menu[i]);
        const char *t = button(menu[i]);
        if (!t || strcmp(t, messages_get(msgs, key, "vi")))
            return 0;
    }
    return 1;
}

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
    T_OK(said("unknown.again", NULL) && button("help"),
         "unknown twice: unknown.again and a help button");
    sess_load("chat", "u-greet");
    T_OK(json_integer_value(json_object_get(sess, "turns")) == 3, "session turns counted to 3");
}

static void test_session_state(void)
{
    freeReplyObject(r_cmd("SET dvcbot:sess:chat:u-en %s", "{\"lang\":\"en\"}"));
    chat("u-en", "xin chào");
    T_STREQ(part(0), messages_get(msgs, "greeting", "en"),
            "a session with lang en: English greeting");
    freeReplyObject(r_cmd("SET dvcbot:sess:chat:u-junk %s", "not json {"));
    chat("u-junk", "xin chào");
    T_OK(T.status == ROUTER_OK && said("greeting", NULL) &&
             json_is_object(sess_load("chat", "u-junk")),
         "a damaged session is started afresh and saved as JSON");
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
    T_OK(said("rating.replaced", "score", "3", "old", "5", "code", DOSSIER_DONE, NULL),
         "rating again replaces the score");
    chat("u-rate2", "đánh giá 4");
    T_OK(said("rating.ask_code", "score", "4", NULL),
         "a score without a dossier: asks for the code");
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
    T_OK(said("unsubscribe.done_chat", NULL) && subscribed("chat:u-sub") == 0,
         "chat hủy without a form: unsubscribed");
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
    T_OK(complaints_code_ok(code) && said("complaint_new.filed", "code", code, NULL),
         "confirm: filed, the code said is the one kept");
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
    T_OK(complaints_code_ok(code) && said("complaint_new.filed", "code", code, NULL),
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
             nbuttons() == CATALOGUE_ASPECT__COUNT - 1,
         "procedure button: the overview, a button per other aspect");
    sess_load("chat", "u-proc");
    T_STREQ(sess_str("last_procedure"), proc_code, "session keeps last_procedure");
}

/* ---- the agent hub, with a stand-in operator connection ---- */

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

/* ---- Redis failing ---- */

static void test_redis_stalled(void)
{
    /* CLIENT PAUSE WRITE lets the session load through and holds the
     * dialog's script past a short store timeout */
    store *s2 = open_store(redis_port, 150);
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
    peek = redis_connect();
    chat("u-back", "xin chào");
    T_OK(up && T.status == ROUTER_OK && said("greeting", NULL),
         "Redis back: the store reconnects, 200 again");
}

/* ---- setup ---- */

static int load_app(void)
{
    char err[512];
    if (!(cfg = config_load("config/dvcbot.json", err, sizeof(err))) ||
        !(msgs = messages_load(cfg->files.messages, err, sizeof(err))) ||
        !(rules = intents_load(cfg->files.intents, err, sizeof(err))) ||
        !(cat = catalogue_load(cfg->files.catalogue, cfg->files.procedure_aspects, NULL, err,
                               sizeof(err)))) {
        printf("# %s\n", err);
        return -1;
    }
    for (size_t i = 0; i < catalogue_count(cat) && !proc_code; i++)
        if (!catalogue_at(cat, i)->ended && catalogue_at(cat, i)->name)
            proc_code = catalogue_at(cat, i)->code;
    return proc_code ? 0 : -1;
}

static void install_guards(void)
{
    struct sigaction sa = {.sa_handler = redis_on_signal};
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGALRM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    atexit(redis_kill);
    alarm(50);
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    install_guards();
    uv_loop_init(&loop);
    uv_timer_init(&loop, &tick);
    T_OK(load_app() == 0, "config, messages, intents and catalogue load (%s)",
         proc_code ? proc_code : "-");
    redis_port = free_port();
    if (!cfg || !mkdtemp(redis_dir) || redis_port < 0 || redis_start() != 0 ||
        !(peek = redis_connect())) {
        T_OK(0, "start redis-server on port %d", redis_port);
        return t_done();
    }
    S = open_store(redis_port, cfg->redis.timeout_ms);
    hub = agent_new(&loop, S, cfg, msgs);
    R = open_router(S, hub);
    RUN_UNTIL(store_is_up(S), 3000);
    T_OK(store_is_up(S), "store connected to the private Redis");

    test_greeting();
    test_session_state();
    test_status();
    test_rating();
    test_subscribe();
    test_complaint_form();
    test_complaint_sms();
    test_procedure();
    test_agent();
    test_agent_timeout();
    test_redis_stalled();
    test_redis_killed();
    T_OK(n_once == n_msgs, "done was called exactly once for each of the %d messages handled",
         n_msgs);

    reply_free(T.r);
    json_decref(sess);
    router_free(R);
    agent_stop(hub);
    store_close(S);
    uv_close((uv_handle_t *)&tick, NULL);
    uv_run(&loop, UV_RUN_DEFAULT);
    T_OK(uv_loop_close(&loop) == 0, "the loop closes: every handle was closed");
    agent_free(hub);
    catalogue_free(cat);
    intents_free(rules);
    messages_free(msgs);
    config_free(cfg);
    redisFree(peek);
    redis_kill();
    rmdir(redis_dir);
    return t_done();
}
