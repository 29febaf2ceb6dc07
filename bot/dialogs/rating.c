/* rating.c -- rating: satisfaction with a dossier's handling, 1 to 5.
 *
 * [core] stage: thanks for a score or offers the five scores as buttons;
 * storing ratings per dossier comes with the [domain] issue. */
#include "dialog.h"

#include <stdio.h>

void dialog_rating(dialog_ctx *ctx)
{
    if (ctx->ir->score < 1 || ctx->ir->score > 5) {
        dialog_ask(ctx, "rating.ask", INTENT_RATING);
        for (int s = 5; s >= 1; s--) {
            char title[16], payload[32];
            snprintf(title, sizeof(title), "%d", s);
            snprintf(payload, sizeof(payload), "rating:%d", s);
            reply_add_button(ctx->out, title, payload);
        }
    } else {
        char score[16];
        snprintf(score, sizeof(score), "%d", ctx->ir->score);
        dialog_say(ctx, "rating.received", "score", score, NULL);
    }
    dialog_finish(ctx);
}
