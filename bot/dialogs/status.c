/* status.c -- dossier_status: where is my dossier.
 *
 * [core] stage: takes the code from the message, or the dossier the user asked
 * about last (session "last_dossier"), or asks for it. The lookup in the
 * dossier store comes with the [domain] issue. */
#include "dialog.h"

void dialog_status(dialog_ctx *ctx)
{
    const char *code = ctx->ir->dossier_code[0] ? ctx->ir->dossier_code
                                                : dialog_session_str(ctx, "last_dossier");
    if (!code) {
        dialog_ask(ctx, "dossier_status.ask_code", INTENT_DOSSIER_STATUS);
        dialog_finish(ctx);
        return;
    }
    dialog_say(ctx, "dossier_status.received", "code", code, NULL);
    /* code may point into the session: store it last */
    json_object_set_new(ctx->session, "last_dossier", json_string(code));
    dialog_finish(ctx);
}
