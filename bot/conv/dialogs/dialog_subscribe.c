/* subscribe.c -- subscribe and unsubscribe to dossier notifications.
 *
 * "DK <code>" subscribes the asker to an existing dossier: on SMS and USSD
 * the sender's number (notified by SMS through the outbox), on chat the chat
 * user (notified by a notice in the conversation). A dossier has at most
 * limits.subs_per_dossier subscribers, a citizen follows at most
 * limits.subs_per_member; on USSD a number that is not the applicant's is
 * asked to confirm by sending DK by SMS (an SMS proves the number; a DK by
 * SMS subscribes at once). Unknown codes count in the miss limit. "HUY"/"STOP" removes
 * every subscription of the asker and, for a phone number, opts it out of
 * every notification until it subscribes again (store/subscriptions.h).
 * On chat, "hủy" while a complaint form is open cancels the form instead
 * (complaint.c).
 *
 * "DK" / "nhận tin về hồ sơ này" without a code takes the dossier the
 * conversation is about ("last_dossier"). Unsubscribing everything is one
 * step only as a whole SMS/USSD keyword (HUY, STOP: the Kannel convention),
 * and the answer says what stopped and how to undo it; anywhere else it is
 * asked first (buttons unsubscribe:confirm / unsubscribe:keep, also
 * answered by "có" / "không"). */
#include "bot/conv/dialogs/dialog.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "intents/normalize.h"
#include "store/subscriptions.h"
#include "common/xmalloc.h"


typedef struct subs_job {
    dialog_ctx *ctx;
    char code[48];
} subs_job;

static int subs_remote(const dialog_ctx *ctx)
{
    return ctx->msg->channel == CHANNEL_SMS || ctx->msg->channel == CHANNEL_USSD;
}

static void subs_added(int status, void *privdata)
{
    subs_job *job = privdata;
    dialog_ctx *ctx = job->ctx;
    if (status == SUBS_ADDED)
        dialog_say(ctx, subs_remote(ctx) ? "subscribe.done" : "subscribe.done_chat", "code",
                   job->code, NULL);
    else if (status == SUBS_ALREADY)
        dialog_say(ctx, "subscribe.already", "code", job->code, NULL);
    else if (status == SUBS_NO_DOSSIER)
        dialog_say(ctx, "subscribe.no_dossier", "code", job->code, NULL);
    else if (status == SUBS_TOO_MANY)
        dialog_say(ctx, "subscribe.too_many", NULL);
    else if (status == SUBS_FULL)
        dialog_say(ctx, "subscribe.full", "code", job->code, NULL);
    else if (status == SUBS_LIMITED)
        dialog_say(ctx, "dossier_status.too_many", NULL);
    else if (status == SUBS_CONFIRM_SMS)
        dialog_say(ctx, "subscribe.confirm_sms", "code", job->code, NULL);
    else
        dialog_say(ctx, "errors.unavailable", NULL);
    if (status == SUBS_ADDED || status == SUBS_ALREADY)
        json_object_set_new(ctx->session, "last_dossier", json_string(job->code));
    free(job);
    dialog_finish(ctx);
}

void dialog_subscribe(dialog_ctx *ctx)
{
    json_object_del(ctx->session, "await_text");
    const char *last = dialog_session_str(ctx, "last_dossier");
    if (!ctx->ir->dossier_code[0] && last && ctx->awaited != INTENT_SUBSCRIBE)
        snprintf(ctx->ir->dossier_code, sizeof(ctx->ir->dossier_code), "%s", last);
    if (!ctx->ir->dossier_code[0]) {
        dialog_ask(ctx, "subscribe.ask_code", INTENT_SUBSCRIBE);
        json_object_set_new(ctx->session, "await_text", json_true()); /* a bare code answers */
        dialog_finish(ctx);
        return;
    }
    subs_job *job = xcalloc(1, sizeof(*job));
    job->ctx = ctx;
    snprintf(job->code, sizeof(job->code), "%s", ctx->ir->dossier_code);
    char *member = subs_member(channel_name(ctx->msg->channel), ctx->msg->user);
    subs_request rq = {.code = job->code, .member = member,
                       .msisdn = subs_remote(ctx) ? ctx->msg->user : NULL,
                       .confirm = ctx->msg->channel == CHANNEL_USSD,
                       .max_per_dossier = ctx->cfg->limits.subs_per_dossier,
                       .max_per_member = ctx->cfg->limits.subs_per_member,
                       .miss = dialog_miss(ctx)};
    int rc = subs_add(ctx->store, &rq, subs_added, job);
    free(member);
    if (rc < 0) {
        free(job);
        dialog_say(ctx, "errors.unavailable", NULL);
        dialog_finish(ctx);
    }
}

static void subs_stopped(int status, void *privdata)
{
    dialog_ctx *ctx = privdata;
    if (status < 0)
        dialog_say(ctx, "errors.unavailable", NULL);
    else
        dialog_say(ctx, subs_remote(ctx) ? "unsubscribe.done" : "unsubscribe.done_chat", NULL);
    dialog_finish(ctx);
}

/* A whole-message keyword: HUY, STOP and their everyday spellings. */
static int subs_keyword(const dialog_ctx *ctx)
{
    static const char *const kw[] = {"huy", "stop", "huy dk", "huy dang ky", "tu choi", "ngung",
                                     "stop all", "huy tat ca", NULL};
    const char *t = ctx->msg->text ? ctx->msg->text : "";
    size_t n = strlen(t);
    char *norm = xmalloc(n + 1);
    int hit = 0;
    if (norm_text(t, n, norm, n + 1, NULL) == 0)
        for (size_t i = 0; kw[i] && !hit; i++)
            hit = !strcmp(norm, kw[i]);
    free(norm);
    return hit;
}

static void subs_ask_stop(dialog_ctx *ctx)
{
    dialog_say(ctx, "unsubscribe.ask", NULL);
    reply_add_button(ctx->out, messages_get(ctx->msgs, "button.unsubscribe", ctx->lang),
                     "unsubscribe:confirm");
    reply_add_button(ctx->out, messages_get(ctx->msgs, "button.keep_subs", ctx->lang),
                     "unsubscribe:keep");
    dialog_finish(ctx);
}

void dialog_unsubscribe(dialog_ctx *ctx)
{
    if (dialog_complaint_form_cancel(ctx))
        return;
    const char *p = ctx->msg->payload;
    if (p && !strcmp(p, "unsubscribe:keep")) {
        dialog_say(ctx, "unsubscribe.kept", NULL);
        dialog_finish(ctx);
        return;
    }
    int asked = p && !strcmp(p, "unsubscribe:confirm");
    if (!asked && !(subs_remote(ctx) && subs_keyword(ctx))) {
        subs_ask_stop(ctx);
        return;
    }
    char *member = subs_member(channel_name(ctx->msg->channel), ctx->msg->user);
    int rc = subs_stop(ctx->store, member, subs_remote(ctx) ? ctx->msg->user : NULL,
                       subs_stopped, ctx);
    free(member);
    if (rc < 0) {
        dialog_say(ctx, "errors.unavailable", NULL);
        dialog_finish(ctx);
    }
}
