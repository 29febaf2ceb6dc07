/* complaint.c -- complaint_new and complaint_status (PAKN).
 *
 * [core] stage: acknowledges the intent or asks for what is missing; durable
 * complaint records come with the [domain] issue. */
#include "dialog.h"

void dialog_complaint_new(dialog_ctx *ctx)
{
    dialog_say(ctx, "complaint_new.received", NULL);
    dialog_finish(ctx);
}

void dialog_complaint_status(dialog_ctx *ctx)
{
    if (!ctx->ir->complaint_code[0])
        dialog_ask(ctx, "complaint_status.ask_code", INTENT_COMPLAINT_STATUS);
    else
        dialog_say(ctx, "complaint_status.received", "code", ctx->ir->complaint_code, NULL);
    dialog_finish(ctx);
}
