/* subscribe.c -- subscribe and unsubscribe to dossier notifications.
 *
 * "DK <code>" subscribes the asker to an existing dossier: on SMS and USSD
 * the sender's number (notified by SMS through the outbox), on chat the chat
 * user (notified by a notice in the conversation). "HUY"/"STOP" removes
 * every subscription of the asker and, for a phone number, opts it out of
 * every notification until it subscribes again (store/subscriptions.h).
 * On chat, "hủy" while a complaint form is open cancels the form instead
 * (complaint.c). */
#include "bot/conv/dialogs/dialog.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
    int rc = subs_add(ctx->store, job->code, member, subs_remote(ctx) ? ctx->msg->user : NULL,
                      subs_added, job);
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

void dialog_unsubscribe(dialog_ctx *ctx)
{
    if (dialog_complaint_form_cancel(ctx))
        return;
    char *member = subs_member(channel_name(ctx->msg->channel), ctx->msg->user);
    int rc = subs_stop(ctx->store, member, subs_remote(ctx) ? ctx->msg->user : NULL,
                       subs_stopped, ctx);
    free(member);
    if (rc < 0) {
        dialog_say(ctx, "errors.unavailable", NULL);
        dialog_finish(ctx);
    }
}
