/* dialog_basic.c -- the dialog registry (intent -> dialog) and the three
 * dialogs without state: greeting (and courtesy turns), help and unknown
 * (see dialog.h). The
 * helpers every dialog shares are in dialog_say.c, so that the registry is
 * the only file that references every dialog and no dialog references it. */
#include "bot/conv/dialogs/dialog.h"

#include <stdlib.h>
#include <string.h>

#include "common/xmalloc.h"
#include "intents/normalize.h"

static dialog_fn dialog_greeting, dialog_help, dialog_unknown;

static dialog_fn *const dialog_table[INTENT__COUNT] = {
    [INTENT_DOSSIER_STATUS] = dialog_status,
    [INTENT_PROCEDURE_INFO] = dialog_procedure,
    [INTENT_COMPLAINT_NEW] = dialog_complaint_new,
    [INTENT_COMPLAINT_STATUS] = dialog_complaint_status,
    [INTENT_RATING] = dialog_rating,
    [INTENT_SUBSCRIBE] = dialog_subscribe,
    [INTENT_UNSUBSCRIBE] = dialog_unsubscribe,
    [INTENT_HUMAN_AGENT] = dialog_agent,
    [INTENT_HELP] = dialog_help,
    [INTENT_PAYMENT] = dialog_payment,
    [INTENT_GREETING] = dialog_greeting,
    [INTENT_UNKNOWN] = dialog_unknown,
};

dialog_fn *dialog_for(intent_id id)
{
    if ((unsigned)id >= INTENT__COUNT || !dialog_table[id])
        return dialog_unknown;
    return dialog_table[id];
}

/* A greeting, or a courtesy turn (thanks, praise, goodbye: also classified
 * greeting) answered in kind rather than by "Xin chào" again. */
static void dialog_greeting(dialog_ctx *ctx)
{
    const char *t = ctx->msg->text ? ctx->msg->text : "";
    size_t n = strlen(t);
    char *norm = xmalloc(n + 1);
    int kind = norm_text(t, n, norm, n + 1, NULL) == 0 ? dialog_answer_courtesy(norm) : 0;
    free(norm);
    if (kind) {
        dialog_say(ctx, kind == 2 ? "courtesy.bye" : "courtesy.thanks", NULL);
        dialog_finish(ctx);
        return;
    }
    dialog_say(ctx, "greeting", NULL);
    dialog_main_menu(ctx);
    dialog_finish(ctx);
}

void dialog_dropped(dialog_ctx *ctx)
{
    json_object_del(ctx->session, "rating_score");
    json_object_del(ctx->session, "pakn_wait");
    dialog_say(ctx, "dialog.dropped", NULL);
    dialog_main_menu(ctx);
    dialog_finish(ctx);
}

static void dialog_help(dialog_ctx *ctx)
{
    /* [web] the web chat has buttons: no SMS keyword list there */
    dialog_say(ctx, ctx->msg->channel == CHANNEL_CHAT ? "help.web" : "help", NULL);
    dialog_main_menu(ctx);
    dialog_finish(ctx);
}

static void dialog_unknown(dialog_ctx *ctx)
{
    const char *last = dialog_session_str(ctx, "last_intent");
    int again = last && !strcmp(last, intent_name(INTENT_UNKNOWN));
    dialog_say(ctx, !again ? "unknown" : ctx->msg->channel == CHANNEL_CHAT ? "unknown.again.web"
                                                                           : "unknown.again", NULL);
    dialog_main_menu(ctx);
    if (again)
        dialog_menu_button(ctx, INTENT_HELP);
    dialog_finish(ctx);
}
