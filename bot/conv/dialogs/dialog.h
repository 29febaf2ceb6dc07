/* dialog.h -- the contract between the router and the conversations.
 *
 * A dialog answers one classified message. It reads the message, the intent
 * result and the session (a JSON object it may change: the router saves it
 * after the dialog finishes), appends reply parts to ctx->out, and calls
 * dialog_finish(ctx) exactly once, either before returning or later from an
 * asynchronous callback (e.g. after a Redis reply). A dialog knows nothing of
 * HTTP, Kannel or USSD screens: it writes texts (keys of messages.vi.json) and
 * buttons (title + payload); the channel codec renders them.
 *
 * Payload convention for buttons: "<intent>" or "<intent>:<argument>", e.g.
 * "dossier_status", "rating:5". The router turns a payload back into an
 * intent result.
 *
 * Session fields used by every dialog (others are the dialog's own):
 *   "lang"   "vi" | "en"
 *   "await"  intent name whose question is pending: a following message
 *            that matches no intent is routed to that dialog
 *   "await_text" true: the pending question wants free text (a code, a
 *            contact): an unmatched message answers it, a clear other intent
 *            wins; "content": it wants a complaint's content, and only a
 *            cancel escapes (router.c)
 *   "btns"   "title\0payload\0title\0payload\0...": the last reply's
 *            buttons in one string, each title and payload ended by a NUL
 *            (at most 16, titles as shown); a typed number, title or yes/no
 *            answers them (dialog_answer.c), and the web chat's log names a
 *            tapped one by its title (chatlog.c); "btns_from" (when not 0):
 *            the index of the first button of the reply's last part with
 *            buttons, the ones the web chat shows under its last bubble.
 *            Sessions written before kept "btns" as a list [title, payload,
 *            ...] (one string a title and a payload: twice the objects to
 *            decode, encode and free), or earlier "buttons" [[normalised
 *            title, payload], ...] and "chat_buttons" [[title, payload], ...]
 *            of that last part: all are still read (dialog_buttons_kept), and
 *            replaced by the string at the next save (docs/performance.md)
 *   "last_intent", "last_dossier", "last_procedure", "turns"
 *
 * The channel is ctx->msg->channel; on CHANNEL_SMS and CHANNEL_USSD,
 * ctx->msg->user is the citizen's normalised MSISDN (84xxxxxxxxx), so "my
 * dossiers" and notifications can use it. ctx->msg->payload holds the raw
 * button payload, whose argument a dialog may parse itself. A dialog waiting
 * on Redis must still call dialog_finish() once, also when Redis fails (after
 * saying "errors.unavailable" or similar). */
#ifndef DVC_BOT_CONV_DIALOGS_DIALOG_H
#define DVC_BOT_CONV_DIALOGS_DIALOG_H

#include <jansson.h>

#include "channels/message.h"
#include "intents/intents.h"
#include "bot/app/config.h"
#include "bot/app/messages.h"
#include "store/ratelimit.h"
#include "store/redis.h"

struct catalogue;

typedef struct dialog_ctx {
    const message *msg;         /* the inbound message (borrowed) */
    intent_result *ir;          /* its intent and entities (borrowed) */
    json_t *session;            /* the session object (borrowed, mutable) */
    const messages *msgs;
    const char *lang;           /* "vi" or "en" */
    reply *out;                 /* append the answer here */
    store *store;               /* for dialogs that read or write records */
    const struct catalogue *catalogue; /* procedure catalogue (bot/catalogue.h) */
    const config *cfg;
    /* set by whoever runs the dialog (the router): takes the reply and the
     * session back; called through dialog_finish(), exactly once */
    void (*finish)(struct dialog_ctx *ctx);
    void *owner;                /* the runner's own state, for finish */
    int awaited;                /* intent whose question the previous turn
                                   asked ("await"), or -1 */
} dialog_ctx;

typedef void dialog_fn(dialog_ctx *ctx);

/* Hand the reply and the session back: calls ctx->finish(ctx). */
void dialog_finish(dialog_ctx *ctx);

/* The dialogs of the registry, each in its own dialog_*.c. */
dialog_fn dialog_status, dialog_procedure, dialog_complaint_new, dialog_complaint_status,
    dialog_rating, dialog_subscribe, dialog_unsubscribe, dialog_agent, dialog_payment;

/* The dialog for an intent (never NULL: unknown has one). */
dialog_fn *dialog_for(intent_id id);

/* The complaint form (dialog_complaint.c): if a complaint form is open in
 * the session, drop it, say so and return 1; 0 when none was open. */
int dialog_complaint_form_cancel(dialog_ctx *ctx);

/* Typed answers (dialog_answer.c). text is normalised (intents/normalize.h). */
enum { DIALOG_NEITHER = -1, DIALOG_NO = 0, DIALOG_YES = 1, DIALOG_CANCEL = 2 };
/* DIALOG_YES for "có", "ừ", "ok", "đồng ý", "gửi đi"...; DIALOG_NO for
 * "không", "không có mã", "giữ nguyên"...; DIALOG_CANCEL for "thôi", "hủy";
 * else DIALOG_NEITHER. */
int dialog_answer_yesno(const char *norm);
/* 1 when the citizen says there is no code at hand ("quên mã", "không có
 * mã", "mất giấy biên nhận") or gives a phone number instead, anywhere in
 * the text; else 0. */
int dialog_answer_no_code(const char *norm);
/* 1 for "quay lại", "trở lại", "sửa lại"; else 0. */
int dialog_answer_back(const char *norm);
/* 1 for a thank-you or praise, 2 for a goodbye, else 0. */
int dialog_answer_courtesy(const char *norm);
/* 1 when the text asks for the contact details themselves ("số điện
 * thoại", "hotline", "đường dây nóng", "email", "liên hệ ở đâu"); else 0. */
int dialog_answer_contact(const char *norm);
/* 1 when text (as typed) holds an e-mail address or a phone-length run of
 * digits (9 or more, spaces, dots, dashes and "+" between them); else 0. */
int dialog_answer_has_contact(const char *text);
/* The language a text is written in: "en" for English (no Vietnamese
 * letter, at least two English words and half the words English), "vi"
 * for a Vietnamese one (diacritics, or 3 words or more that are not
 * English), NULL when it cannot tell (a digit, "ok"). text is the original,
 * norm its normalised form. A static string. */
const char *dialog_answer_language(const char *text, const char *norm);
/* The number of words (runs of letters and digits, any script) of text (NULL:
 * none), as typed: one or two words name a topic more than a request (the
 * router asks back). */
size_t dialog_answer_word_count(const char *text);
/* The payload of the button of the last reply (session "btns") that the
 * typed text picks: its number (1-based), its title (all typed words in one
 * title only), or a yes/no answer to a ":confirm"/":replace" or
 * ":no"/":keep"/":skip"/":cancel" button. NULL when none; the string lives
 * in the session. */
const char *dialog_answer_button(json_t *session, const char *norm);
#define DIALOG_BUTTONS_MAX 16
/* The last reply's buttons the session keeps, in any of the forms above
 * ("btns" string or list, else "buttons"): up to DIALOG_BUTTONS_MAX titles
 * and payloads into titles[] and payloads[] (pointers into the session,
 * valid while it is unchanged; NULL where a stored value is not a string);
 * *normalised is 1 when they are the normalised titles of "buttons".
 * Returns their number. */
size_t dialog_buttons_kept(const json_t *session, const char **titles, const char **payloads,
                           int *normalised);
/* Remember the buttons of reply r in the session as "btns" (or forget them);
 * the former "buttons" and "chat_buttons" go. */
void dialog_answer_remember(json_t *session, const reply *r);
/* Ask back: "which of these did you mean?" with buttons clarify:<a>,
 * clarify:<b> in the intents' order (b may be INTENT_UNKNOWN: then a and the
 * menu's help), then clarify:human_agent unless it is one of them. The
 * text is kept in the session ("clarify_text") for the chosen dialog. */
void dialog_clarify(dialog_ctx *ctx, intent_id a, intent_id b);

/* "thôi" / "hủy" to a pending question that has no buttons (a code, a
 * contact): the question and what it kept (a rating's score) are dropped,
 * said so, with the main menu (dialog_basic.c). */
void dialog_dropped(dialog_ctx *ctx);

/* Helpers shared by the dialogs (dialog_say.c). */
/* Append the text of key, with {name} placeholders from the NULL-terminated
 * (name, value) list. */
void dialog_say(dialog_ctx *ctx, const char *key, ...);
/* Append a button titled by messages key "menu.<intent>" with payload intent. */
void dialog_menu_button(dialog_ctx *ctx, intent_id id);
/* Append the main menu (every public-service intent) as buttons. */
void dialog_main_menu(dialog_ctx *ctx);
/* Ask for something and route the next unmatched message back to intent id. */
void dialog_ask(dialog_ctx *ctx, const char *key, intent_id id);
/* Session string field, or NULL. */
const char *dialog_session_str(const dialog_ctx *ctx, const char *field);

/* The miss limit of the citizen behind ctx (dialog_status.c): every command
 * that takes a dossier or complaint code (TRACUU, DK, DG, TTPA) counts its
 * unknown codes in the same counters, per identity and, for web chat, per
 * client address (domain.miss_limit, limits.miss_addr_limit). */
ratelimit_miss dialog_miss(const dialog_ctx *ctx);

#endif
