/* subscribe.c -- subscribe and unsubscribe to dossier notifications.
 *
 * [core] stage: acknowledges; the subscription records and the outbox come
 * with the [domain] and [sms] issues. */
#include "dialog.h"

void dialog_subscribe(dialog_ctx *ctx)
{
    const char *code = ctx->ir->dossier_code[0] ? ctx->ir->dossier_code : NULL;
    if (!code)
        dialog_ask(ctx, "subscribe.ask_code", INTENT_SUBSCRIBE);
    else
        dialog_say(ctx, "subscribe.received", "code", code, NULL);
    dialog_finish(ctx);
}

void dialog_unsubscribe(dialog_ctx *ctx)
{
    dialog_say(ctx, "unsubscribe.done", NULL);
    dialog_finish(ctx);
}
