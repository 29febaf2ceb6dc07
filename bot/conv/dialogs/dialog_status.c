/* status.c -- dossier_status: where is my dossier.
 *
 * With a code (from the message, else the session's "last_dossier"): one
 * atomic lookup in the dossier store that also enforces the miss limit
 * (store/dossiers.h): once a (channel, user) looked up domain.miss_limit
 * unknown codes within domain.miss_window_s, no dossier is read for it, so
 * codes cannot be enumerated. The answer gives status, procedure, dates
 * (dd/mm/yyyy, local time), overdue or not, what to do next, and buttons to
 * rate (done/returned) or subscribe (still open). The agency's note, which
 * may hold personal data, is shown only when the asker's number (SMS/USSD)
 * is the applicant's; the applicant's number is never shown. A fee still
 * due (store/dossiers.h "fee") adds its amount, reference and account for
 * the same applicant and a button to dialog_payment (which also lets a web
 * citizen prove the dossier); a recorded payment is named with its amount.
 * Without a code: on SMS/USSD the asker's own dossiers are listed ("hồ sơ
 * của tôi"), as numbered buttons (SMS "1" opens the first); on web chat
 * the dossier the conversation is about ("bao giờ xong" after a lookup),
 * else the code is asked for, and "quên mã" / "không có mã" is told where
 * the code is printed and how to list a phone's dossiers by SMS. */
#include "bot/conv/dialogs/dialog.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "catalogue/catalogue.h"
#include "common/buf.h"
#include "channels/msisdn.h"
#include "channels/vietqr.h"
#include "intents/normalize.h"
#include "store/dossiers.h"
#include "store/subscriptions.h"
#include "common/xmalloc.h"

#define STATUS_LIST_MAX 5

typedef struct status_call {
    dialog_ctx *ctx;
    char code[DOSSIERS_CODE_MAX];
} status_call;

/* Append the text of key on a line of its own. */
static void status_line(dialog_ctx *ctx, buf *b, const char *key, ...)
{
    va_list ap;
    if (b->len)
        buf_putc(b, '\n');
    va_start(ap, key);
    messages_vformat(ctx->msgs, key, ctx->lang, b, ap);
    va_end(ap);
}

/* The text of "{prefix}{status}" (e.g. dossier_status.status.done). */
static const char *status_text(dialog_ctx *ctx, const char *prefix, const char *status)
{
    char key[96];
    snprintf(key, sizeof(key), "%s%s", prefix, status ? status : "");
    return messages_get(ctx->msgs, key, ctx->lang);
}

/* The asker's canonical number on SMS/USSD, or the number a Zalo/Telegram
 * user linked (message.msisdn); 0 elsewhere. */
static int status_asker(const dialog_ctx *ctx, char me[MSISDN_MAX])
{
    channel ch = ctx->msg->channel;
    if (ctx->msg->msisdn)
        return msisdn_normalize(ctx->msg->msisdn, me) == 0;
    return (ch == CHANNEL_SMS || ch == CHANNEL_USSD) && msisdn_normalize(ctx->msg->user, me) == 0;
}

static const char *status_field(const json_t *rec, const char *f)
{
    return json_string_value(json_object_get(rec, f));
}

static void status_dates(dialog_ctx *ctx, buf *b, const json_t *rec, const char *st)
{
    int tz = ctx->cfg->domain.tz_offset_min;
    char rd[11] = "?", dd[11];
    dossiers_format_date(status_field(rec, "received_at"), tz, rd);
    if (dossiers_format_date(status_field(rec, "due_at"), tz, dd) < 0) {
        status_line(ctx, b, "dossier_status.dates_no_due", "received", rd, NULL);
        return;
    }
    status_line(ctx, b, "dossier_status.dates", "received", rd, "due", dd, NULL);
    if (!ids_dossier_status_final(st))
        status_line(ctx, b, dossiers_overdue(rec, time(NULL), tz) ? "dossier_status.overdue"
                                                                  : "dossier_status.on_time",
                    NULL);
}

/* What to do next; the note only for the applicant. */
static void status_next(dialog_ctx *ctx, buf *b, const json_t *rec, const char *st, int owner)
{
    const char *note = owner ? status_field(rec, "note") : NULL;
    int pay = !strcmp(st, "supplement_required") || !strcmp(st, "payment_required");
    char key[96];
    long long due;
    if (owner && dossiers_fee_due(rec, &due)) {
        if (note)                   /* the fee itself follows (status_fee) */
            status_line(ctx, b, "dossier_status.note", "note", note, NULL);
        return;
    }
    if (pay && note) {
        snprintf(key, sizeof(key), "dossier_status.next.%s.note", st);
        status_line(ctx, b, key, "note", note, NULL);
        return;
    }
    if (b->len)
        buf_putc(b, '\n');
    buf_puts(b, status_text(ctx, "dossier_status.next.", st));
    if (note)
        status_line(ctx, b, "dossier_status.note", "note", note, NULL);
}

/* The fee: what is due (details for the applicant only), or what was paid. */
static void status_fee(dialog_ctx *ctx, buf *b, const json_t *rec, int owner)
{
    json_t *fee = json_object_get(rec, "fee"), *last = json_object_get(rec, "last_payment");
    json_t *acct = json_object_get(fee, "account");
    long long due;
    char amount[32], date[11] = "?";
    if (dossiers_fee_due(rec, &due) && owner) {
        vietqr_format_vnd(due, amount);
        status_line(ctx, b, "payment.status_due", "amount", amount, "reference",
                    status_field(fee, "reference"), "account", status_field(acct, "number"),
                    NULL);
    } else if (!dossiers_fee_due(rec, &due) && last) {
        vietqr_format_vnd((long long)json_integer_value(json_object_get(last, "amount_vnd")),
                          amount);
        dossiers_format_date(status_field(last, "paid_at"), ctx->cfg->domain.tz_offset_min,
                             date);
        status_line(ctx, b, "payment.status_paid", "amount", amount, "date", date, NULL);
    }
}

static void status_render(dialog_ctx *ctx, const char *code, const json_t *rec)
{
    const char *st = status_field(rec, "status");
    const char *pc = status_field(rec, "procedure_code");
    const char *phone = status_field(rec, "applicant_phone");
    char me[MSISDN_MAX];
    int owner = phone && status_asker(ctx, me) && !strcmp(me, phone);
    const catalogue_proc *proc = pc ? catalogue_find_code(ctx->catalogue, pc) : NULL;
    buf b = {0};
    status_line(ctx, &b, "dossier_status.header", "code", code, "status",
                status_text(ctx, "dossier_status.status.", st), NULL);
    if (proc && proc->name)
        status_line(ctx, &b, "dossier_status.procedure_named", "name", proc->name, "procedure",
                    pc, NULL);
    else if (pc)
        status_line(ctx, &b, "dossier_status.procedure", "procedure", pc, NULL);
    status_dates(ctx, &b, rec, st ? st : "");
    status_next(ctx, &b, rec, st ? st : "", owner);
    status_fee(ctx, &b, rec, owner);
    reply_add_text(ctx->out, b.data ? b.data : "");
    buf_free(&b);
    long long due;
    if (dossiers_fee_due(rec, &due)) {
        char payload[64];
        snprintf(payload, sizeof payload, "payment:%s", code);
        reply_add_button(ctx->out, messages_get(ctx->msgs, "menu.payment", ctx->lang), payload);
    }
    if (st && (!strcmp(st, "done") || !strcmp(st, "returned")))
        dialog_menu_button(ctx, INTENT_RATING);
    if (!ids_dossier_status_final(st))
        dialog_menu_button(ctx, INTENT_SUBSCRIBE);
}

static void status_got(int status, json_t *rec, void *privdata)
{
    status_call *sc = privdata;
    dialog_ctx *ctx = sc->ctx;
    if (status == 0)
        status_render(ctx, sc->code, rec);
    else if (status == 1)
        dialog_say(ctx, "dossier_status.not_found", "code", sc->code, NULL);
    else if (status == 2)
        dialog_say(ctx, "dossier_status.too_many", NULL);
    else
        dialog_say(ctx, "errors.unavailable", NULL);
    if (status == 0 || status == 1)
        json_object_set_new(ctx->session, "last_dossier", json_string(sc->code));
    const char *pc = status == 0 ? status_field(rec, "procedure_code") : NULL;
    if (pc && catalogue_find_code(ctx->catalogue, pc)) /* "lệ phí bao nhiêu" next: its fee */
        json_object_set_new(ctx->session, "last_procedure", json_string(pc));
    free(sc);
    dialog_finish(ctx);
}

ratelimit_miss dialog_miss(const dialog_ctx *ctx)
{
    const config *cfg = ctx->cfg;
    return (ratelimit_miss){.channel = channel_name(ctx->msg->channel), .user = ctx->msg->user,
                            .addr = ctx->msg->addr, .limit = cfg->domain.miss_limit,
                            .addr_limit = cfg->limits.miss_addr_limit,
                            .window_s = cfg->domain.miss_window_s};
}

static void status_lookup(dialog_ctx *ctx, const char *code)
{
    status_call *sc = xcalloc(1, sizeof(*sc));
    sc->ctx = ctx;
    snprintf(sc->code, sizeof(sc->code), "%s", code);
    ratelimit_miss miss = dialog_miss(ctx);
    char *member = subs_member(channel_name(ctx->msg->channel), ctx->msg->user);
    int rc = dossiers_lookup_miss(ctx->store, sc->code, &miss, member, status_got, sc);
    free(member);
    if (rc < 0) {
        free(sc);
        dialog_say(ctx, "errors.unavailable", NULL);
        dialog_finish(ctx);
    }
}

/* "hồ sơ của tôi": the asker's dossiers, most recently updated first. */
static void status_listed(int status, json_t *const *recs, size_t n, void *privdata)
{
    dialog_ctx *ctx = privdata;
    if (status < 0) {
        dialog_say(ctx, "errors.unavailable", NULL);
    } else if (n == 0) {
        dialog_ask(ctx, "dossier_status.mine.none", INTENT_DOSSIER_STATUS);
    } else {
        buf b = {0};
        status_line(ctx, &b, "dossier_status.mine.header", NULL);
        for (size_t i = 0; i < n && i < STATUS_LIST_MAX; i++)
            status_line(ctx, &b, "dossier_status.mine.item", "code",
                        status_field(recs[i], "code"), "status",
                        status_text(ctx, "dossier_status.status.",
                                    status_field(recs[i], "status")), NULL);
        if (n > STATUS_LIST_MAX) {
            char more[24];
            snprintf(more, sizeof(more), "%zu", n - STATUS_LIST_MAX);
            status_line(ctx, &b, "dossier_status.mine.more", "n", more, NULL);
        }
        status_line(ctx, &b, "dossier_status.mine.hint", NULL);
        reply_add_text(ctx->out, b.data);
        buf_free(&b);
        for (size_t i = 0; i < n && i < STATUS_LIST_MAX; i++) { /* SMS numbers them: "1" picks */
            const char *code = status_field(recs[i], "code");
            char payload[DOSSIERS_CODE_MAX + 24];
            snprintf(payload, sizeof(payload), "dossier_status:%s", code ? code : "");
            reply_add_button(ctx->out, code ? code : "", payload);
        }
        if (n == 1)
            json_object_set_new(ctx->session, "last_dossier",
                                json_string(status_field(recs[0], "code")));
    }
    dialog_finish(ctx);
}

/* On the web, "tôi quên mã" / "không có mã" (also as the answer to the
 * code question): where the code is printed, and the SMS way by phone. */
static int status_no_code(const dialog_ctx *ctx)
{
    const char *t = ctx->msg->text ? ctx->msg->text : "";
    size_t n = strlen(t);
    char *norm = xmalloc(n + 1);
    int none = norm_text(t, n, norm, n + 1, NULL) == 0 &&
               (dialog_answer_no_code(norm) ||
                (ctx->awaited == INTENT_DOSSIER_STATUS && dialog_answer_yesno(norm) == DIALOG_NO));
    free(norm);
    return none;
}

/* SMS/USSD: "bao giờ xong" right after a dossier was the subject is about
 * that dossier; "TRACUU" / "tra cứu hồ sơ", "hồ sơ của tôi", "quên mã"
 * list the phone's. */
static int status_follow_up(const dialog_ctx *ctx)
{
    const char *prev = dialog_session_str(ctx, "last_intent");
    const char *t = ctx->msg->text ? ctx->msg->text : "";
    if (!dialog_session_str(ctx, "last_dossier") || !prev ||
        (strcmp(prev, "dossier_status") && strcmp(prev, "subscribe") && strcmp(prev, "rating")))
        return 0;
    size_t n = strlen(t);
    char *norm = xmalloc(n + 1);
    int follow = norm_text(t, n, norm, n + 1, NULL) == 0 && !strstr(norm, "tracuu") &&
                 !strstr(norm, "tra cuu") && !strstr(norm, "cua toi") && !strstr(norm, "cua so") &&
                 !dialog_answer_no_code(norm);
    free(norm);
    return follow;
}

void dialog_status(dialog_ctx *ctx)
{
    char me[MSISDN_MAX];
    if (ctx->ir->dossier_code[0]) {
        status_lookup(ctx, ctx->ir->dossier_code);
        return;
    }
    if (status_asker(ctx, me) && status_follow_up(ctx)) {
        status_lookup(ctx, dialog_session_str(ctx, "last_dossier"));
        return;
    }
    if (status_asker(ctx, me)) {
        if (dossiers_by_phone(ctx->store, me, status_listed, ctx) < 0) {
            dialog_say(ctx, "errors.unavailable", NULL);
            dialog_finish(ctx);
        }
        return;
    }
    const char *last = dialog_session_str(ctx, "last_dossier");
    if (status_no_code(ctx)) {
        dialog_ask(ctx, "dossier_status.no_code", INTENT_DOSSIER_STATUS);
    } else if (last) {
        status_lookup(ctx, last);   /* copies the code before the session changes */
        return;
    } else {
        dialog_ask(ctx, "dossier_status.ask_code", INTENT_DOSSIER_STATUS);
    }
    dialog_finish(ctx);
}
