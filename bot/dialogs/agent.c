/* agent.c -- human_agent: the citizen wants a person.
 *
 * [core] stage: acknowledges and offers a complaint instead; the operator
 * queue and console come with the [webchat] issue. */
#include "dialog.h"

void dialog_agent(dialog_ctx *ctx)
{
    dialog_say(ctx, "human_agent.queued", NULL);
    dialog_menu_button(ctx, INTENT_COMPLAINT_NEW);
    dialog_finish(ctx);
}
