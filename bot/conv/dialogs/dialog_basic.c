/* basic.c -- greeting, help and unknown, the dialog registry, and the helpers
 * every dialog shares (see dialog.h). */
#include "bot/conv/dialogs/dialog.h"

#include <stdarg.h>
#include <string.h>

#include "common/buf.h"

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
    [INTENT_GREETING] = dialog_greeting,
    [INTENT_UNKNOWN] = dialog_unknown,
};

dialog_fn *dialog_for(intent_id id)
{
    if ((unsigned)id >= INTENT__COUNT || !dialog_table[id])
        return dialog_unknown;
    return dialog_table[id];
}

void dialog_say(dialog_ctx *ctx, const char *key, ...)
{
    buf b = {0};
    va_list ap;
    va_start(ap, key);
    messages_vformat(ctx->msgs, key, ctx->lang, &b, ap);
    va_end(ap);
    reply_add_text(ctx->out, b.data ? b.data : "");
    buf_free(&b);
}

void dialog_menu_button(dialog_ctx *ctx, intent_id id)
{
    char key[64] = "menu.";
    strncat(key, intent_name(id), sizeof(key) - strlen(key) - 1);
    reply_add_button(ctx->out, messages_get(ctx->msgs, key, ctx->lang), intent_name(id));
}

void dialog_main_menu(dialog_ctx *ctx)
{
    static const intent_id menu[] = {
        INTENT_DOSSIER_STATUS, INTENT_PROCEDURE_INFO, INTENT_COMPLAINT_NEW,
        INTENT_COMPLAINT_STATUS, INTENT_RATING, INTENT_HUMAN_AGENT,
    };
    for (size_t i = 0; i < sizeof(menu) / sizeof(menu[0]); i++)
        dialog_menu_button(ctx, menu[i]);
}

void dialog_ask(dialog_ctx *ctx, const char *key, intent_id id)
{
    dialog_say(ctx, key, NULL);
    json_object_set_new(ctx->session, "await", json_string(intent_name(id)));
}

const char *dialog_session_str(const dialog_ctx *ctx, const char *field)
{
    json_t *v = json_object_get(ctx->session, field);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

static void dialog_greeting(dialog_ctx *ctx)
{
    dialog_say(ctx, "greeting", NULL);
    dialog_main_menu(ctx);
    dialog_finish(ctx);
}

static void dialog_help(dialog_ctx *ctx)
{
    dialog_say(ctx, "help", NULL);
    dialog_main_menu(ctx);
    dialog_finish(ctx);
}

static void dialog_unknown(dialog_ctx *ctx)
{
    const char *last = dialog_session_str(ctx, "last_intent");
    int again = last && !strcmp(last, intent_name(INTENT_UNKNOWN));
    dialog_say(ctx, again ? "unknown.again" : "unknown", NULL);
    dialog_main_menu(ctx);
    if (again)
        dialog_menu_button(ctx, INTENT_HELP);
    dialog_finish(ctx);
}
