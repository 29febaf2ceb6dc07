/* dialog_payment.c -- payment: how and where a dossier's fee is paid, and
 * whether a payment was recorded.
 *
 * With a dossier code the answer names it and offers its lookup (its status
 * shows "payment_required" until the agency records the payment); without
 * one it explains the ways to pay and asks for the code, whose answer comes
 * back here. A minimal dialog: no payment is taken by the gateway itself. */
#include "bot/conv/dialogs/dialog.h"

#include <stdio.h>

void dialog_payment(dialog_ctx *ctx)
{
    if (ctx->ir->dossier_code[0]) {
        char payload[64];
        dialog_say(ctx, "payment.dossier", "code", ctx->ir->dossier_code, NULL);
        snprintf(payload, sizeof payload, "dossier_status:%s", ctx->ir->dossier_code);
        reply_add_button(ctx->out, messages_get(ctx->msgs, "menu.dossier_status", ctx->lang),
                         payload);
        json_object_set_new(ctx->session, "last_dossier", json_string(ctx->ir->dossier_code));
    } else {
        dialog_ask(ctx, "payment.how", INTENT_PAYMENT);
        dialog_menu_button(ctx, INTENT_HUMAN_AGENT);
    }
    dialog_finish(ctx);
}
