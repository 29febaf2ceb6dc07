/* dialog_say.c -- the helpers every dialog shares (see dialog.h): texts,
 * buttons, the main menu, pending questions, and dialog_finish(). */
#include "bot/conv/dialogs/dialog.h"

#include <stdarg.h>
#include <string.h>

#include "common/buf.h"

void dialog_finish(dialog_ctx *ctx)
{
    ctx->finish(ctx);
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
