/* dialog_payment.c -- payment: a dossier's fee, how to pay it, whether the
 * payment was recorded.
 *
 * With a dossier code (from the message or a button) the dossier is read through the miss-limited lookup
 * (store/dossiers.h, as dossier_status does). Then:
 *  - a fee still due (dossiers_fee_due) is shown with its amount, the
 *    account (bank, number, name), the reference to type and the due date
 *    only to the applicant: on SMS/USSD the asker's number must be the
 *    dossier's applicant_phone; on web chat the citizen proves the dossier
 *    by typing the last 4 digits of that number, checked and counted by
 *    store/payproof.h (PAY_PROOF_DOSSIER wrong tries per dossier and
 *    PAY_PROOF_IDENTITY per citizen, whatever the session, for
 *    PAY_PROOF_WINDOW_S); a proved code is kept in the session's
 *    "pay_proved". Others hear that a fee is due, without the details;
 *  - a paid fee (or a recorded payment) says so, with amount and date, and
 *    offers nothing to pay;
 *  - a dossier without a fee: the ways to pay (payment_required) or that
 *    nothing is due.
 * On USSD, "payment:<code>:sms" (the menu's "send the details by SMS")
 * queues the applicant's SMS text through the outbox to the caller's own
 * number, and only when it is the applicant's and a fee is due.
 * Without a dossier code, a procedure named in the message ("phí làm hộ
 * chiếu bao nhiêu", or a "payment:<procedure code>" button) gets that
 * procedure's fees from the catalogue and how fees are paid; a procedure
 * named unclearly, in answer to the question below, gets the likely ones
 * as buttons. Otherwise it explains the ways to pay and asks for the code
 * (or the procedure), whose answer comes back here. Amounts are integers (VND) throughout. The
 * gateway takes no payment itself: the citizen pays from a banking app and
 * the agency records it (POST /api/v1/dossiers/{code}/payment). */
#include "bot/conv/dialogs/dialog.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "catalogue/catalogue.h"
#include "channels/msisdn.h"
#include "channels/sms.h"
#include "channels/vietqr.h"
#include "common/xmalloc.h"
#include "common/buf.h"
#include "intents/normalize.h"
#include "store/dossiers.h"
#include "store/outbox.h"
#include "store/payproof.h"

#define PAY_PROOF_DOSSIER 5         /* wrong proofs of one dossier, by anyone */
#define PAY_PROOF_IDENTITY 3        /* wrong proofs by one citizen, any dossier */
#define PAY_PROOF_WINDOW_S 86400    /* how long they are remembered */
/* A procedure search that is unsure offers its hits as buttons only above
 * this (catalogue_hit_confidence): "thanh toán lệ phí" names no procedure. */
#define PAY_PROC_CHOOSE 0.5f
#define PAY_SMS_DEDUPE_S 600        /* "send by SMS" twice within this: one SMS */
#define PAY_QR_PX 240               /* the QR's side on web chat, pixels */

typedef struct pay_call {
    dialog_ctx *ctx;
    char code[DOSSIERS_CODE_MAX];
    int sms;                    /* "payment:<code>:sms": send the details by SMS */
} pay_call;

static const char *pay_field(const json_t *o, const char *f)
{
    return json_string_value(json_object_get(o, f));
}

/* 1 when the asker may see the account details of rec. */
static int pay_owner(const dialog_ctx *ctx, const json_t *rec, const char *code)
{
    const char *phone = pay_field(rec, "applicant_phone");
    channel ch = ctx->msg->channel;
    char me[MSISDN_MAX];
    if (ch == CHANNEL_SMS || ch == CHANNEL_USSD)
        return phone && msisdn_normalize(ctx->msg->user, me) == 0 && !strcmp(me, phone);
    json_t *proved = json_object_get(ctx->session, "pay_proved"), *v;
    size_t i;
    json_array_foreach(proved, i, v) {
        if (json_is_string(v) && !strcmp(json_string_value(v), code))
            return 1;
    }
    return 0;
}

/* The bank of a BIN (SBV letter 1589/NHNN-TT); NULL when not listed. */
static const char *pay_bank(const char *bin)
{
    static const char *const banks[][2] = {
        {"970436", "Vietcombank"}, {"970415", "VietinBank"},
        {"970418", "BIDV"},        {"970405", "Agribank"},
    };
    for (size_t i = 0; bin && i < sizeof banks / sizeof banks[0]; i++)
        if (!strcmp(bin, banks[i][0]))
            return banks[i][1];
    return NULL;
}

/* Web chat: the VietQR code of what is due (BIN, account, amount, the
 * reference as purpose: nothing personal), as an SVG on the last part. */
static void pay_qr(dialog_ctx *ctx, const json_t *fee, long long due)
{
    json_t *acct = json_object_get(fee, "account");
    vietqr q = {.amount = due};
    char payload[VIETQR_PAYLOAD_MAX];
    const char *bin = pay_field(acct, "bank_bin"), *number = pay_field(acct, "number");
    const char *ref = pay_field(fee, "reference");
    snprintf(q.bin, sizeof q.bin, "%s", bin ? bin : "");
    snprintf(q.account, sizeof q.account, "%s", number ? number : "");
    snprintf(q.service, sizeof q.service, "%s", VIETQR_TO_ACCOUNT);
    snprintf(q.purpose, sizeof q.purpose, "%s", ref ? ref : "");
    if (vietqr_build(&q, payload, sizeof payload) < 0)
        return;                     /* a record written before the checks: text only */
    char *svg = vietqr_svg(payload, PAY_QR_PX, NULL);
    if (svg)
        reply_set_svg(ctx->out, svg);
    free(svg);
}

/* The text of key (payment.details, .sms, .ussd) for the fee of code. */
static void pay_format(dialog_ctx *ctx, const char *key, const char *code, const json_t *fee,
                       long long due, buf *out)
{
    json_t *acct = json_object_get(fee, "account");
    const char *bin = pay_field(acct, "bank_bin");
    char amount[32], date[11] = "", bank[64];
    vietqr_format_vnd(due, amount);
    const char *name = pay_bank(bin);
    if (name)
        snprintf(bank, sizeof bank, "%s", name);
    else
        snprintf(bank, sizeof bank, "BIN %s", bin ? bin : "?");
    if (dossiers_format_date(pay_field(fee, "due_at"), ctx->cfg->domain.tz_offset_min, date) < 0)
        snprintf(date, sizeof date, "-");
    messages_format(ctx->msgs, key, ctx->lang, out, "code", code, "amount", amount,
                    "description", pay_field(fee, "description"), "bank", bank, "account",
                    pay_field(acct, "number"), "name", pay_field(acct, "name"), "reference",
                    pay_field(fee, "reference"), "due", date, NULL);
}

/* The fee's details for the applicant, in the channel's form. */
static void pay_details(dialog_ctx *ctx, const char *code, const json_t *fee, long long due)
{
    channel ch = ctx->msg->channel;
    const char *key = ch == CHANNEL_SMS ? "payment.sms" : ch == CHANNEL_USSD ? "payment.ussd"
                                                                            : "payment.details";
    buf b = {0};
    pay_format(ctx, key, code, fee, due, &b);
    reply_add_text(ctx->out, b.data ? b.data : "");
    buf_free(&b);
    if (ch == CHANNEL_CHAT || ch == CHANNEL_WS)
        pay_qr(ctx, fee, due);
}

/* Paid: amount and date of the latest payment. */
static void pay_paid(dialog_ctx *ctx, const char *code, const json_t *rec)
{
    const json_t *last = json_object_get(rec, "last_payment");
    json_t *fee = json_object_get(rec, "fee");
    json_t *paid = json_object_get(fee, "paid_vnd");
    long long v = json_is_integer(paid) ? (long long)json_integer_value(paid)
                  : (long long)json_integer_value(json_object_get(last, "amount_vnd"));
    char amount[32], date[11] = "?";
    vietqr_format_vnd(v, amount);
    dossiers_format_date(pay_field(last, "paid_at"), ctx->cfg->domain.tz_offset_min, date);
    dialog_say(ctx, "payment.paid", "code", code, "amount", amount, "date", date, NULL);
}

/* Web chat: ask for the last 4 digits of the applicant's number. */
static void pay_ask_proof(dialog_ctx *ctx, const char *code)
{
    dialog_say(ctx, "payment.prove", "code", code, NULL);
    json_object_set_new(ctx->session, "pay_prove", json_string(code));
    json_object_set_new(ctx->session, "await", json_string(intent_name(INTENT_PAYMENT)));
}

static void pay_render(dialog_ctx *ctx, const char *code, const json_t *rec)
{
    const char *st = pay_field(rec, "status");
    long long due;
    if (dossiers_fee_due(rec, &due)) {
        channel ch = ctx->msg->channel;
        if (pay_owner(ctx, rec, code))
            pay_details(ctx, code, json_object_get(rec, "fee"), due);
        else if (ch == CHANNEL_SMS || ch == CHANNEL_USSD || !pay_field(rec, "applicant_phone"))
            dialog_say(ctx, "payment.due_other", "code", code, NULL);
        else
            pay_ask_proof(ctx, code);
    } else if (json_object_get(rec, "last_payment")) {
        pay_paid(ctx, code, rec);
    } else if (st && !strcmp(st, "payment_required")) {
        dialog_say(ctx, "payment.dossier", "code", code, NULL);
    } else {
        char key[96];
        snprintf(key, sizeof key, "dossier_status.status.%s", st ? st : "");
        dialog_say(ctx, "payment.none", "code", code, "status",
                   messages_get(ctx->msgs, key, ctx->lang), NULL);
    }
    char payload[64];
    snprintf(payload, sizeof payload, "dossier_status:%s", code);
    reply_add_button(ctx->out, messages_get(ctx->msgs, "menu.dossier_status", ctx->lang),
                     payload);
}

/* The proof typed on web chat, as payproof_check found it. */
static void pay_proved(payproof_status st, const json_t *rec, int left, void *privdata)
{
    pay_call *pc = privdata;
    dialog_ctx *ctx = pc->ctx;
    json_object_del(ctx->session, "pay_prove");
    if (st == PAYPROOF_RIGHT) {
        json_t *proved = json_object_get(ctx->session, "pay_proved");
        if (!json_is_array(proved)) {
            proved = json_array();
            json_object_set_new(ctx->session, "pay_proved", proved);
        }
        json_array_append_new(proved, json_string(pc->code));
        pay_render(ctx, pc->code, rec);
    } else if (st == PAYPROOF_WRONG && left > 0) {
        char n[16];
        snprintf(n, sizeof n, "%d", left);
        json_object_set_new(ctx->session, "pay_prove", json_string(pc->code));
        json_object_set_new(ctx->session, "await", json_string(intent_name(INTENT_PAYMENT)));
        dialog_say(ctx, "payment.prove_failed", "left", n, NULL);
    } else if (st == PAYPROOF_WRONG || st == PAYPROOF_LOCKED) {
        dialog_say(ctx, "payment.prove_locked", "code", pc->code, NULL);
    } else if (st == PAYPROOF_MISSING) {
        dialog_say(ctx, "dossier_status.not_found", "code", pc->code, NULL);
    } else {
        dialog_say(ctx, "errors.unavailable", NULL);
    }
    free(pc);
    dialog_finish(ctx);
}

static void pay_prove(dialog_ctx *ctx, const char *code, const char *digits)
{
    pay_call *pc = xcalloc(1, sizeof(*pc));
    pc->ctx = ctx;
    snprintf(pc->code, sizeof pc->code, "%s", code);
    payproof_req req = {.code = pc->code, .channel = channel_name(ctx->msg->channel),
                        .user = ctx->msg->user, .digits = digits,
                        .dossier_limit = PAY_PROOF_DOSSIER, .identity_limit = PAY_PROOF_IDENTITY,
                        .window_s = PAY_PROOF_WINDOW_S};
    if (payproof_check(ctx->store, &req, pay_proved, pc) < 0) {
        free(pc);
        dialog_say(ctx, "errors.unavailable", NULL);
        dialog_finish(ctx);
    }
}

static void pay_sms_queued(int status, long long id, int created, void *privdata)
{
    pay_call *pc = privdata;
    (void)id;
    (void)created;
    if (status < 0)
        dialog_say(pc->ctx, "errors.unavailable", NULL);
    else
        dialog_say(pc->ctx, "payment.sms_queued", "code", pc->code, NULL);
    dialog_finish(pc->ctx);
    free(pc);
}

/* USSD "send the details by SMS": queued through the outbox to the caller's
 * own number, only when it is the applicant's and a fee is due (otherwise
 * the ordinary answer). Returns 1 when queued (pc is then the callback's). */
static int pay_send_sms(pay_call *pc, const json_t *rec)
{
    dialog_ctx *ctx = pc->ctx;
    long long due;
    char to[MSISDN_MAX];
    if ((ctx->msg->channel != CHANNEL_USSD && ctx->msg->channel != CHANNEL_SMS) ||
        !dossiers_fee_due(rec, &due) || !pay_owner(ctx, rec, pc->code) ||
        msisdn_normalize(ctx->msg->user, to) < 0)
        return 0;
    buf b = {0};
    pay_format(ctx, "payment.sms", pc->code, json_object_get(rec, "fee"), due, &b);
    size_t len;
    char *text = ctx->cfg->sms.unicode ? xstrdup(b.data ? b.data : "")
                                       : sms_gsm_fold(b.data ? b.data : "", b.len, &len);
    buf_free(&b);
    /* a retried request within 10 minutes queues nothing more */
    char dedupe[160];
    snprintf(dedupe, sizeof dedupe, "dossier:%s:payment-sms:%s:%lld:%lld", pc->code, to, due,
             (long long)time(NULL) / PAY_SMS_DEDUPE_S);
    outbox_msg m = {.to = to, .text = text, .kind = "reply", .dedupe = dedupe, .ref = pc->code};
    int rc = outbox_enqueue(ctx->store, &m, pay_sms_queued, pc);
    free(text);
    if (rc < 0)
        dialog_say(ctx, "errors.unavailable", NULL);
    return rc == 0 ? 1 : -1;
}

static void pay_got(int status, json_t *rec, void *privdata)
{
    pay_call *pc = privdata;
    dialog_ctx *ctx = pc->ctx;
    int sent = status == 0 && pc->sms ? pay_send_sms(pc, rec) : 0;
    if (sent == 1) {
        json_object_set_new(ctx->session, "last_dossier", json_string(pc->code));
        return;                     /* pay_sms_queued finishes */
    }
    if (sent < 0) {
        /* pay_send_sms said errors.unavailable */
    } else if (status == 0) {
        pay_render(ctx, pc->code, rec);
    } else if (status == 1) {
        dialog_say(ctx, "dossier_status.not_found", "code", pc->code, NULL);
    } else if (status == 2) {
        dialog_say(ctx, "dossier_status.too_many", NULL);
    } else {
        dialog_say(ctx, "errors.unavailable", NULL);
    }
    if (status == 0 || status == 1)
        json_object_set_new(ctx->session, "last_dossier", json_string(pc->code));
    free(pc);
    dialog_finish(ctx);
}

static void pay_lookup(dialog_ctx *ctx, const char *code)
{
    pay_call *pc = xcalloc(1, sizeof(*pc));
    pc->ctx = ctx;
    snprintf(pc->code, sizeof pc->code, "%s", code);
    const char *p = ctx->msg->payload;
    size_t pl = p ? strlen(p) : 0;
    pc->sms = pl > 4 && !strcmp(p + pl - 4, ":sms");
    const config *cfg = ctx->cfg;
    if (dossiers_lookup(ctx->store, pc->code, channel_name(ctx->msg->channel), ctx->msg->user,
                        cfg->domain.miss_limit, cfg->domain.miss_window_s, pay_got, pc) < 0) {
        free(pc);
        dialog_say(ctx, "errors.unavailable", NULL);
        dialog_finish(ctx);
    }
}

/* The 4 digits of a proof in text (spaces around allowed), into out; 0 or -1. */
static int pay_digits(const char *text, char out[5])
{
    const char *s = text ? text : "";
    while (*s == ' ')
        s++;
    size_t n = 0;
    while (s[n] >= '0' && s[n] <= '9')
        n++;
    const char *e = s + n;
    while (*e == ' ')
        e++;
    if (n != 4 || *e)
        return -1;
    memcpy(out, s, 4);
    out[4] = '\0';
    return 0;
}

/* A procedure's fees from the catalogue, how fees are paid, and a button
 * for the whole procedure. */
static void pay_procedure_fee(dialog_ctx *ctx, const catalogue_proc *p)
{
    buf list = {0};
    for (size_t i = 0; i < p->nfees; i++) {
        if (list.len)
            buf_putc(&list, '\n');
        buf_puts(&list, "- ");
        buf_puts(&list, p->fees[i].text ? p->fees[i].text : "");
    }
    dialog_say(ctx, "payment.procedure_fee", "name", p->name, "code", p->code, "list",
               list.data ? list.data : "", NULL);
    buf_free(&list);
    dialog_say(ctx, "payment.procedure_how", NULL);
    char payload[64];
    snprintf(payload, sizeof payload, "procedure_info:%s", p->code);
    reply_add_button(ctx->out, messages_get(ctx->msgs, "menu.procedure_info", ctx->lang), payload);
    json_object_set_new(ctx->session, "last_procedure", json_string(p->code));
}

/* The procedure the message names: 1 when answered (its fee, or the likely
 * procedures as buttons), 0 when none is named clearly enough. */
static int pay_procedure(dialog_ctx *ctx, const char *text)
{
    const catalogue_proc *p = ctx->catalogue && ctx->ir->procedure_code[0] ?
                              catalogue_find_code(ctx->catalogue, ctx->ir->procedure_code) : NULL;
    size_t n = text ? strlen(text) : 0;
    if (!p && ctx->catalogue && n) {
        char *norm = xmalloc(n + 1);
        catalogue_answer ans = {0};
        if (norm_text(text, n, norm, n + 1, NULL) == 0)
            catalogue_ask(ctx->catalogue, norm, &ans);
        free(norm);
        if (ans.verdict == CATALOGUE_ANSWER)
            p = ans.hits[0].proc;
        else if (ans.verdict == CATALOGUE_CHOOSE && ans.nhits &&
                 (ctx->awaited == INTENT_PAYMENT ||
                  catalogue_hit_confidence(&ans.hits[0]) >= PAY_PROC_CHOOSE)) {
            dialog_say(ctx, "payment.which_procedure", NULL);
            for (size_t i = 0; i < ans.nhits; i++) {
                char payload[64];
                snprintf(payload, sizeof payload, "payment:%s", ans.hits[i].proc->code);
                reply_add_button(ctx->out, ans.hits[i].proc->name, payload);
            }
            return 1;
        }
    }
    if (!p)
        return 0;
    pay_procedure_fee(ctx, p);
    return 1;
}

void dialog_payment(dialog_ctx *ctx)
{
    const char *prove = dialog_session_str(ctx, "pay_prove");
    char digits[5];
    const char *text = ctx->ir->text ? ctx->ir->text : ctx->msg->text;
    if (!ctx->ir->dossier_code[0] && prove && pay_digits(text, digits) == 0) {
        pay_prove(ctx, prove, digits);   /* copies the code before the session changes */
        return;
    }
    if (ctx->ir->dossier_code[0]) {
        pay_lookup(ctx, ctx->ir->dossier_code);
        return;
    }
    if (pay_procedure(ctx, ctx->msg->payload ? NULL : ctx->msg->text)) {
        dialog_finish(ctx);
        return;
    }
    dialog_ask(ctx, "payment.how", INTENT_PAYMENT);
    dialog_menu_button(ctx, INTENT_HUMAN_AGENT);
    dialog_finish(ctx);
}
