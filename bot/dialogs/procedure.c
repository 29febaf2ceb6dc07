/* procedure.c -- procedure_info: how to do an administrative procedure.
 *
 * [core] stage: echoes what was understood (code or search words) or asks
 * which procedure; the catalogue search comes with the [domain] issue. */
#include "dialog.h"

void dialog_procedure(dialog_ctx *ctx)
{
    const char *q = ctx->ir->procedure_code[0] ? ctx->ir->procedure_code : ctx->ir->query;
    if (!q || !*q) {
        dialog_ask(ctx, "procedure_info.ask", INTENT_PROCEDURE_INFO);
    } else {
        dialog_say(ctx, "procedure_info.received", "query", q, NULL);
    }
    dialog_finish(ctx);
}
