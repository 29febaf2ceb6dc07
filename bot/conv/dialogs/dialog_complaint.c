/* complaint.c -- complaint_new and complaint_status (PAKN).
 *
 * complaint_new on chat (and ws): a form kept in the session object "pakn"
 * {id, topic, text, dossier, contact}; the next question is always the first
 * field still missing (topic -> content -> dossier code -> contact -> confirm),
 * asked with buttons whose payloads come back as "complaint_new:<action>":
 * topic:<id>, skip, confirm, cancel ("hủy", which the classifier reads as
 * unsubscribe, cancels a form too: see subscribe.c). On SMS and USSD one
 * message files at once: "PAKN <content>", the sender's number as contact.
 * The code is said only after Redis confirmed the record (store/complaints.h);
 * on failure the citizen hears errors.unavailable and the form stays, so
 * "confirm" can be pressed again (the form id makes that idempotent).
 *
 * complaint_status: by code (status, and the agency's answer for the citizen
 * who filed it), else the asker's recent complaints, else asks for a code. */
#include "bot/conv/dialogs/dialog.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/buf.h"
#include "channels/msisdn.h"
#include "store/complaints.h"
#include "common/xmalloc.h"

#define PAKN_CONTENT_WORDS 8    /* a message this long is content, not a request */
#define PAKN_CONTENT_MIN_CHARS 10 /* or, after a keyword, 2 words or this many characters */
#define PAKN_CONTACT_MAX 100
#define PAKN_LIST_MAX 5

static const char *const pakn_topics[] = {"procedure", "attitude", "delay", "fee", "online",
                                          "other", NULL};


static int pakn_remote(const dialog_ctx *ctx)
{
    return ctx->msg->channel == CHANNEL_SMS || ctx->msg->channel == CHANNEL_USSD;
}

/* malloc'd copy of s without surrounding white space; NULL when empty. */
static char *pakn_trim(const char *s)
{
    if (!s)
        return NULL;
    while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
        s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
        n--;
    return n ? xstrndup(s, n) : NULL;
}

static size_t pakn_chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

static size_t pakn_words(const char *s)
{
    size_t n = 0;
    for (int in = 0; *s; s++) {
        int sp = *s == ' ' || *s == '\t' || *s == '\r' || *s == '\n';
        n += !sp && !in;
        in = !sp;
    }
    return n;
}

/* The content entity, whole: the classifier caps its input, so ir->text is
 * found again in the message and taken to its end. A long message without
 * the entity (a problem described without "phản ánh") is content whole. */
static char *pakn_full_text(const dialog_ctx *ctx)
{
    const char *t = ctx->ir->text, *m = ctx->msg->text;
    if ((!t || !*t) && m && pakn_words(m) >= PAKN_CONTENT_WORDS)
        t = m;
    if (!t || !*t)
        return NULL;
    const char *p = m ? strstr(m, t) : NULL;
    return pakn_trim(p ? p : t);
}

/* "PAKN <content>" (a keyword was stripped) or a long sentence. What is
 * left after the keyword must have some substance: the classifier reads a
 * bare "PAKN" as "PA" + "KN". */
static int pakn_is_content(const dialog_ctx *ctx, const char *text)
{
    if (!text)
        return 0;
    char *whole = pakn_trim(ctx->msg->text);
    int stripped = whole && strcmp(whole, text) != 0;
    free(whole);
    if (stripped && (pakn_words(text) >= 2 || pakn_chars(text) >= PAKN_CONTENT_MIN_CHARS))
        return 1;
    return pakn_words(text) >= PAKN_CONTENT_WORDS;
}

static void pakn_await(dialog_ctx *ctx)
{
    json_object_set_new(ctx->session, "await", json_string(intent_name(INTENT_COMPLAINT_NEW)));
}

/* The pending question wants free text. For the content ("content") the
 * router routes the next typed message here whatever it looks like (only a
 * cancel escapes), so "thủ tục rườm rà" is an answer, not a new question;
 * for a code or a contact ("contact": a phone number or an e-mail in it
 * answers) a bare code or an unclear text answers, and a clear question is
 * answered instead while the form is parked. */
static void pakn_await_text(dialog_ctx *ctx, const char *mode)
{
    json_object_set_new(ctx->session, "await_text", mode ? json_string(mode) : json_true());
}

/* 0 if text can be filed; else says why (empty / too long) and returns -1. */
static int pakn_check_text(dialog_ctx *ctx, const char *text)
{
    if (!text || !*text) {
        dialog_ask(ctx, "complaint_new.ask", INTENT_COMPLAINT_NEW);
        pakn_await_text(ctx, "content");
        return -1;
    }
    size_t n = pakn_chars(text), max = (size_t)ctx->cfg->domain.complaint_max_text;
    if (n <= max)
        return 0;
    char len[24], lim[24];
    snprintf(len, sizeof(len), "%zu", n);
    snprintf(lim, sizeof(lim), "%zu", max);
    dialog_say(ctx, "complaint_new.too_long", "len", len, "max", lim, NULL);
    pakn_await(ctx);
    pakn_await_text(ctx, "content");
    return -1;
}

static void pakn_button(dialog_ctx *ctx, const char *key, const char *payload)
{
    reply_add_button(ctx->out, messages_get(ctx->msgs, key, ctx->lang), payload);
}

static void pakn_filed(int status, const char *code, int created, void *privdata)
{
    dialog_ctx *ctx = privdata;
    (void)created;
    if (status < 0 || status == 2) {
        dialog_say(ctx, status == 2 ? "complaint_new.limited" : "errors.unavailable", NULL);
        dialog_finish(ctx);
        return;
    }
    if (ctx->msg->channel == CHANNEL_CHAT) { /* [web] a button, not SMS syntax */
        char payload[64];
        dialog_say(ctx, "complaint_new.filed.web", "code", code, NULL);
        snprintf(payload, sizeof(payload), "complaint_status:%s", code);
        reply_add_button(ctx->out, messages_get(ctx->msgs, "button.complaint_result", ctx->lang),
                         payload);
    } else {
        dialog_say(ctx, "complaint_new.filed", "code", code, NULL);
    }
    json_object_del(ctx->session, "pakn");
    json_object_del(ctx->session, "pakn_wait");
    json_object_set_new(ctx->session, "last_complaint", json_string(code));
    dialog_finish(ctx);
}

static void pakn_file(dialog_ctx *ctx, const char *topic, const char *text, const char *dossier,
                      const char *contact, const char *token)
{
    char agency[64];
    complaints_agency_of(dossier, ctx->cfg->domain.complaint_agency, agency, sizeof(agency));
    complaint_new n = {
        .channel = channel_name(ctx->msg->channel), .user = ctx->msg->user,
        .contact = contact, .topic = topic, .text = text, .dossier_code = dossier,
        .agency = agency, .token = token, .now = time(NULL),
        .tz_offset_min = ctx->cfg->domain.tz_offset_min, .addr = ctx->msg->addr,
        .per_day = ctx->cfg->limits.complaints_per_day,
        .addr_per_day = ctx->cfg->limits.complaints_addr_per_day,
        .portal = ctx->cfg->domain.complaint_agency,
    };
    if (complaints_create(ctx->store, &n, pakn_filed, ctx) < 0) {
        dialog_say(ctx, "errors.unavailable", NULL);
        dialog_finish(ctx);
    }
}

/* SMS / USSD: one message files the complaint. "pakn_wait" holds the turn
 * at which the bare content is expected after we asked for it. */
static void pakn_remote_new(dialog_ctx *ctx)
{
    json_t *turns = json_object_get(ctx->session, "turns");
    json_t *wait = json_object_get(ctx->session, "pakn_wait");
    int waiting = json_is_integer(wait) && json_is_integer(turns) &&
                  json_integer_value(wait) == json_integer_value(turns);
    char *text = pakn_full_text(ctx);
    json_int_t next = (json_is_integer(turns) ? json_integer_value(turns) : 0) + 1;
    if (!waiting && !pakn_is_content(ctx, text)) {
        json_object_set_new(ctx->session, "pakn_wait", json_integer(next));
        dialog_ask(ctx, "complaint_new.ask_sms", INTENT_COMPLAINT_NEW);
        pakn_await_text(ctx, "content");
    } else if (pakn_check_text(ctx, text) < 0) {
        json_object_set_new(ctx->session, "pakn_wait", json_integer(next));
    } else {
        /* a retried MO (same Kannel id) after a crash between the write and the
         * answer finds the complaint it filed instead of filing it twice */
        char token[96] = "";
        if (ctx->msg->ref)
            snprintf(token, sizeof(token), "%s:%s", channel_name(ctx->msg->channel),
                     ctx->msg->ref);
        pakn_file(ctx, "", text, ctx->ir->dossier_code, ctx->msg->user, token[0] ? token : NULL);
        free(text);
        return;
    }
    free(text);
    dialog_finish(ctx);
}

static json_t *pakn_form(const dialog_ctx *ctx)
{
    json_t *f = json_object_get(ctx->session, "pakn");
    return json_is_object(f) ? f : NULL;
}

static const char *pakn_get(json_t *f, const char *field)
{
    json_t *v = json_object_get(f, field);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

static const char *pakn_topic_title(dialog_ctx *ctx, const char *id)
{
    char key[64];
    snprintf(key, sizeof(key), "complaint.topic.%s", id && *id ? id : "other");
    return messages_get(ctx->msgs, key, ctx->lang);
}

static void pakn_ask_topic(dialog_ctx *ctx)
{
    dialog_ask(ctx, "complaint_new.ask_topic", INTENT_COMPLAINT_NEW);
    for (size_t i = 0; pakn_topics[i]; i++) {
        char payload[64];
        snprintf(payload, sizeof(payload), "complaint_new:topic:%s", pakn_topics[i]);
        reply_add_button(ctx->out, pakn_topic_title(ctx, pakn_topics[i]), payload);
    }
    pakn_button(ctx, "button.cancel", "complaint_new:cancel");
}

static void pakn_confirm(dialog_ctx *ctx, json_t *f)
{
    const char *none = messages_get(ctx->msgs, "complaint_new.none", ctx->lang);
    const char *d = pakn_get(f, "dossier"), *c = pakn_get(f, "contact");
    dialog_say(ctx, "complaint_new.confirm", "topic", pakn_topic_title(ctx, pakn_get(f, "topic")),
               "text", pakn_get(f, "text"), "dossier", d && *d ? d : none, "contact",
               c && *c ? c : none, NULL);
    pakn_await(ctx);
    pakn_button(ctx, "button.confirm", "complaint_new:confirm");
    pakn_button(ctx, "button.cancel", "complaint_new:cancel");
}

/* Ask for the first missing field of the form (or confirm), then finish. */
static void pakn_next(dialog_ctx *ctx, json_t *f)
{
    const char *step;
    if (!pakn_get(f, "topic")) {
        step = "topic";
        pakn_ask_topic(ctx);
    } else if (!pakn_get(f, "text")) {
        step = "text";
        dialog_ask(ctx, "complaint_new.ask", INTENT_COMPLAINT_NEW);
        pakn_button(ctx, "button.cancel", "complaint_new:cancel");
    } else if (!pakn_get(f, "dossier")) {
        step = "dossier";
        dialog_ask(ctx, "complaint_new.ask_dossier", INTENT_COMPLAINT_NEW);
        pakn_button(ctx, "button.skip", "complaint_new:skip");
        pakn_button(ctx, "button.cancel", "complaint_new:cancel");
    } else if (!pakn_get(f, "contact")) {
        step = "contact";
        dialog_ask(ctx, "complaint_new.ask_contact", INTENT_COMPLAINT_NEW);
        pakn_button(ctx, "button.skip", "complaint_new:skip");
        pakn_button(ctx, "button.cancel", "complaint_new:cancel");
    } else {
        step = "confirm";
        pakn_confirm(ctx, f);
    }
    json_object_set_new(f, "step", json_string(step));
    if (strcmp(step, "confirm") && strcmp(step, "topic"))
        pakn_await_text(ctx, !strcmp(step, "text") ? "content"
                             : !strcmp(step, "contact") ? "contact" : NULL);
    dialog_finish(ctx);
}

/* Store the message's content in the form if it is fit; 0 if stored. */
static int pakn_take_text(dialog_ctx *ctx, json_t *f, char *text)
{
    int rc = pakn_check_text(ctx, text);
    if (rc == 0)
        json_object_set_new(f, "text", json_string(text));
    free(text);
    return rc;
}

static void pakn_start(dialog_ctx *ctx)
{
    static unsigned long seq;
    char id[96];
    snprintf(id, sizeof(id), "%s:%lx:%lx:%.40s", channel_name(ctx->msg->channel),
             (unsigned long)time(NULL), ++seq, ctx->msg->user);
    json_t *f = json_object();
    json_object_set_new(f, "id", json_string(id));
    json_object_set_new(ctx->session, "pakn", f);
    char *text = pakn_full_text(ctx);
    if (pakn_is_content(ctx, text) &&
        pakn_chars(text) <= (size_t)ctx->cfg->domain.complaint_max_text) {
        json_object_set_new(f, "text", json_string(text));
    }
    free(text);
    if (ctx->ir->dossier_code[0])
        json_object_set_new(f, "dossier", json_string(ctx->ir->dossier_code));
    pakn_next(ctx, f);
}

/* A phone number written inside a sentence ("số của tôi là 0912 345 678"):
 * the first run of digits, spaces, dots and dashes (an optional leading
 * '+') that normalises. 0 and the MSISDN in out, or -1. */
static int pakn_phone_in(const char *t, char out[MSISDN_MAX])
{
    for (const char *p = t; *p; p++) {
        if (!(*p == '+' || (*p >= '0' && *p <= '9')))
            continue;
        char run[32];
        size_t n = 0;
        for (const char *q = p; *q && n + 1 < sizeof(run); q++) {
            if ((*q >= '0' && *q <= '9') || (*q == '+' && q == p))
                run[n++] = *q;
            else if (*q != ' ' && *q != '.' && *q != '-')
                break;
        }
        run[n] = '\0';
        if (msisdn_normalize(run, out) == 0)
            return 0;
        while (p[1] && ((p[1] >= '0' && p[1] <= '9') || p[1] == ' ' || p[1] == '.' || p[1] == '-'))
            p++;
    }
    return -1;
}

/* A contact the agency can use: a phone number (normalised) or an e-mail
 * address, alone or inside a sentence; anything else ("không", "bỏ qua")
 * means none. */
static char *pakn_contact(const char *typed)
{
    char msisdn[MSISDN_MAX];
    char *t = pakn_trim(typed);
    if (!t)
        return xstrdup("");
    if (msisdn_normalize(t, msisdn) == 0 || pakn_phone_in(t, msisdn) == 0) {
        free(t);
        return xstrdup(msisdn);
    }
    for (char *save = NULL, *w = strtok_r(t, " \t,;", &save); w; w = strtok_r(NULL, " \t,;", &save)) {
        size_t n = strlen(w);
        while (n && (w[n - 1] == '.' || w[n - 1] == ')'))
            w[--n] = '\0';
        if (n <= PAKN_CONTACT_MAX && strchr(w, '@') && w[0] != '@' && w[n - 1] != '@') {
            char *c = xstrdup(w);
            free(t);
            return c;
        }
    }
    free(t);
    return xstrdup("");
}

/* A typed message (no payload) at the form's current step. */
static void pakn_typed(dialog_ctx *ctx, json_t *f, const char *step)
{
    if (!strcmp(step, "topic")) {
        char *text = pakn_full_text(ctx);
        if (!pakn_is_content(ctx, text)) {
            free(text);
            pakn_next(ctx, f);
            return;
        }
        json_object_set_new(f, "topic", json_string("other"));
        if (pakn_take_text(ctx, f, text) < 0) {
            dialog_finish(ctx);
            return;
        }
    } else if (!strcmp(step, "text")) {
        if (pakn_take_text(ctx, f, pakn_trim(ctx->msg->text)) < 0) {
            dialog_finish(ctx);
            return;
        }
    } else if (!strcmp(step, "dossier")) {
        json_object_set_new(f, "dossier", json_string(ctx->ir->dossier_code));
    } else if (!strcmp(step, "contact")) {
        char *c = pakn_contact(ctx->msg->text);
        json_object_set_new(f, "contact", json_string(c));
        free(c);
    }
    pakn_next(ctx, f);
}

/* "quay lại": forget the field asked before the current step. */
static void pakn_back(json_t *f, const char *step)
{
    static const char *const order[] = {"topic", "text", "dossier", "contact", "confirm", NULL};
    for (size_t i = 1; order[i]; i++)
        if (!strcmp(step, order[i])) {
            json_object_del(f, order[i - 1]);
            return;
        }
}

/* A button of the form: topic:<id>, skip, confirm, back, resume. */
static void pakn_action(dialog_ctx *ctx, json_t *f, const char *step, const char *act)
{
    if (!strcmp(act, "back"))
        pakn_back(f, step);
    else if (!strncmp(act, "topic:", 6) && !strcmp(step, "topic")) {
        for (size_t i = 0; pakn_topics[i]; i++)
            if (!strcmp(act + 6, pakn_topics[i]))
                json_object_set_new(f, "topic", json_string(pakn_topics[i]));
    } else if (!strcmp(act, "skip") && (!strcmp(step, "dossier") || !strcmp(step, "contact"))) {
        json_object_set_new(f, step, json_string(""));
    } else if (!strcmp(act, "confirm") && !strcmp(step, "confirm")) {
        pakn_file(ctx, pakn_get(f, "topic"), pakn_get(f, "text"), pakn_get(f, "dossier"),
                  pakn_get(f, "contact"), pakn_get(f, "id"));
        return;
    }
    pakn_next(ctx, f);
}

int dialog_complaint_form_cancel(dialog_ctx *ctx)
{
    if (pakn_remote(ctx) || !pakn_form(ctx))
        return 0;
    json_object_del(ctx->session, "pakn");
    json_object_del(ctx->session, "await_text");
    dialog_say(ctx, "complaint_new.cancelled", NULL);
    dialog_menu_button(ctx, INTENT_COMPLAINT_NEW);
    dialog_finish(ctx);
    return 1;
}

/* "thôi"/"hủy"/"không" typed over a form that holds the citizen's text:
 * ask before throwing it away (the Hủy button itself is explicit). */
static int pakn_cancel_typed(dialog_ctx *ctx)
{
    json_t *f = pakn_form(ctx);
    if (!ctx->msg->text || !f || !pakn_get(f, "text"))
        return 0;
    dialog_say(ctx, "complaint_new.cancel_ask", NULL);
    pakn_await(ctx);
    pakn_button(ctx, "button.cancel_complaint", "complaint_new:cancel_confirm");
    pakn_button(ctx, "button.resume_edit", "complaint_new:resume");
    dialog_finish(ctx);
    return 1;
}

void dialog_complaint_new(dialog_ctx *ctx)
{
    json_object_del(ctx->session, "await_text");
    if (pakn_remote(ctx)) {
        pakn_remote_new(ctx);
        return;
    }
    const char *p = ctx->msg->payload, *act = NULL;
    size_t plen = strlen(intent_name(INTENT_COMPLAINT_NEW));
    if (p && !strncmp(p, intent_name(INTENT_COMPLAINT_NEW), plen) && (!p[plen] || p[plen] == ':'))
        act = p[plen] ? p + plen + 1 : "";
    if (act && !strcmp(act, "cancel") && pakn_cancel_typed(ctx))
        return;
    if (act && (!strcmp(act, "cancel") || !strcmp(act, "cancel_confirm"))) {
        if (!dialog_complaint_form_cancel(ctx)) {
            dialog_say(ctx, "complaint_new.cancelled", NULL);
            dialog_finish(ctx);
        }
        return;
    }
    json_t *f = pakn_form(ctx);
    const char *step = f ? pakn_get(f, "step") : NULL;
    if (!f || !step || (act && !*act) || (!act && p)) {
        pakn_start(ctx);
        return;
    }
    if (act)
        pakn_action(ctx, f, step, act);
    else if (ctx->awaited != INTENT_COMPLAINT_NEW)
        pakn_next(ctx, f);      /* back to a parked form: its pending question */
    else
        pakn_typed(ctx, f, step);
}

/* ---- complaint_status ---- */

/* "2024-08-23T09:15:00+07:00" -> "09:15 23/08/2024" for citizens; other
 * shapes are shown as stored. */
static const char *pakn_when(const char *iso, char *out, size_t n)
{
    int y, mo, d, h, mi;
    if (!iso || sscanf(iso, "%4d-%2d-%2dT%2d:%2d", &y, &mo, &d, &h, &mi) != 5)
        return iso ? iso : "";
    snprintf(out, n, "%02d:%02d %02d/%02d/%04d", h % 100, mi % 100, d % 100, mo % 100, y % 10000);
    return out;
}

static int pakn_is_owner(const dialog_ctx *ctx, const complaint *c)
{
    const char *ch = channel_name(ctx->msg->channel);
    int same_phone = pakn_remote(ctx) && (!strcmp(c->channel, "sms") || !strcmp(c->channel, "ussd"));
    return !strcmp(c->user, ctx->msg->user) && (same_phone || !strcmp(c->channel, ch));
}

static void pakn_status_got(int status, const complaint *c, void *privdata)
{
    dialog_ctx *ctx = privdata;
    char t1[32], t2[32];
    if (status < 0)
        dialog_say(ctx, "errors.unavailable", NULL);
    else if (status == 1)
        dialog_say(ctx, "complaint_status.not_found", "code", ctx->ir->complaint_code, NULL);
    else if (status == 2)
        dialog_say(ctx, "dossier_status.too_many", NULL);
    else if (strcmp(c->status, "answered"))
        dialog_say(ctx, "complaint_status.open", "code", c->code, "created_at",
                   pakn_when(c->created_at, t1, sizeof(t1)), "topic",
                   pakn_topic_title(ctx, c->topic), NULL);
    else if (pakn_is_owner(ctx, c))
        dialog_say(ctx, "complaint_status.answered", "code", c->code, "answered_at",
                   pakn_when(c->answered_at, t2, sizeof(t2)), "answer", c->answer, NULL);
    else
        dialog_say(ctx, "complaint_status.answered_other", "code", c->code, "answered_at",
                   pakn_when(c->answered_at, t2, sizeof(t2)), NULL);
    if (status == 0)
        json_object_set_new(ctx->session, "last_complaint", json_string(c->code));
    dialog_finish(ctx);
}

static void pakn_status_listed(int status, complaint *const *list, size_t n, void *privdata)
{
    dialog_ctx *ctx = privdata;
    if (status < 0) {
        dialog_say(ctx, "errors.unavailable", NULL);
    } else if (n == 0) {
        dialog_ask(ctx, "complaint_status.ask_code", INTENT_COMPLAINT_STATUS);
    } else {
        buf b = {0};
        messages_format(ctx->msgs, "complaint_status.list", ctx->lang, &b, NULL);
        for (size_t i = 0; i < n; i++) {
            char key[64], t[32];
            snprintf(key, sizeof(key), "complaint_status.state.%s",
                     strcmp(list[i]->status, "answered") ? "open" : "answered");
            buf_putc(&b, '\n');
            messages_format(ctx->msgs, "complaint_status.item", ctx->lang, &b, "code",
                            list[i]->code, "status", messages_get(ctx->msgs, key, ctx->lang),
                            "created_at", pakn_when(list[i]->created_at, t, sizeof(t)), NULL);
        }
        reply_add_text(ctx->out, b.data);
        buf_free(&b);
        for (size_t i = 0; i < n; i++) {
            char payload[64];
            snprintf(payload, sizeof(payload), "complaint_status:%s", list[i]->code);
            reply_add_button(ctx->out, list[i]->code, payload);
        }
    }
    dialog_finish(ctx);
}

void dialog_complaint_status(dialog_ctx *ctx)
{
    int rc;
    ratelimit_miss miss = dialog_miss(ctx);
    if (ctx->ir->complaint_code[0])
        rc = complaints_lookup(ctx->store, ctx->ir->complaint_code, &miss, pakn_status_got, ctx);
    else
        rc = complaints_list_user(ctx->store, channel_name(ctx->msg->channel), ctx->msg->user,
                                  PAKN_LIST_MAX, pakn_status_listed, ctx);
    if (rc < 0) {
        dialog_say(ctx, "errors.unavailable", NULL);
        dialog_finish(ctx);
    }
}
