/* messages.c -- load and look up user-facing texts (see messages.h). */
#include "bot/app/messages.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/xmalloc.h"

struct messages {
    json_t *root;
    json_t *prev;   /* the texts before the last messages_reload(), or NULL */
};

/* Every key the C code names. check-config fails when one is missing. */
static const char *const messages_keys[] = {
    "greeting", "help", "unknown", "unknown.again",
    "help.web", "unknown.again.web", "complaint_new.filed.web", "button.complaint_result",
    "menu.dossier_status", "menu.procedure_info", "menu.complaint_new",
    "menu.complaint_status", "menu.rating", "menu.subscribe", "menu.human_agent", "menu.help",
    "dossier_status.ask_code", "dossier_status.received", "procedure_info.received",
    "procedure_info.ask", "complaint_new.received", "complaint_new.ask",
    "complaint_status.ask_code", "complaint_status.received", "rating.received", "rating.ask",
    "subscribe.ask_code", "subscribe.received", "unsubscribe.done", "human_agent.queued",
    "errors.invalid_json", "errors.invalid_user", "errors.invalid_text", "errors.text_too_long",
    "errors.invalid_payload", "errors.missing_text", "errors.too_large", "errors.not_found",
    "errors.method_not_allowed", "errors.unavailable", "errors.internal",
    "errors.unsupported_media_type", "errors.length_required",
    /* web chat over WebSocket and the human agent ([webchat]) */
    "errors.unknown_type", "errors.frame_too_large", "errors.busy", "human_agent.waiting",
    "human_agent.taken", "human_agent.released", "human_agent.timeout", "errors.not_waiting",
    "errors.not_held",
    /* procedure_info (bot/dialogs/procedure.c) */
    "procedure_info.overview", "procedure_info.sample_note", "procedure_info.documents",
    "procedure_info.doc_item", "procedure_info.doc_item_note", "procedure_info.count_both",
    "procedure_info.count_originals", "procedure_info.count_copies", "procedure_info.fee",
    "procedure_info.list_dash", "procedure_info.list_item", "procedure_info.time",
    "procedure_info.where", "procedure_info.channel.direct", "procedure_info.channel.online",
    "procedure_info.channel.postal", "procedure_info.online.2", "procedure_info.online.3",
    "procedure_info.online.4", "procedure_info.online_short.2", "procedure_info.online_short.3",
    "procedure_info.online_short.4", "procedure_info.steps", "procedure_info.ended",
    "procedure_info.choose", "procedure_info.not_found", "procedure_info.unknown_code",
    "procedure_info.unavailable", "procedure_info.btn.overview", "procedure_info.btn.documents",
    "procedure_info.btn.fee", "procedure_info.btn.time", "procedure_info.btn.where",
    "procedure_info.btn.online", "procedure_info.btn.steps",
    "errors.invalid_sender", "errors.invalid_id", "errors.invalid_dlr", "errors.sms_forbidden",
    /* [security] channel access, request framing, WebSocket subprotocols */
    "errors.channel_forbidden", "errors.invalid_content_length", "errors.websocket_protocol",
    /* push chat channels: Zalo OA, Telegram ([zalo]) */
    "push.welcome", "push.share_phone", "button.share_phone", "button.link_phone", "push.linked",
    "push.link_invalid", "push.more", "push.notice", "errors.bad_signature", "errors.stale_event",
    "errors.invalid_event", "push.link_code_sent", "push.link_code_wrong", "push.link_code_void",
    "push.link_code_wait", "push.link_sms", "push.linked_dossiers",
    "sms.more", "sms.more_keyword", "sms.no_more",
    /* dossiers: agency API errors, the status dialog, notifications */
    "errors.unauthorized", "errors.forbidden", "errors.invalid_code", "errors.missing_field",
    "errors.invalid_status", "errors.invalid_procedure_code", "errors.invalid_date",
    "errors.invalid_phone", "errors.invalid_note", "errors.dossier_not_found",
    "dossier_status.header", "dossier_status.procedure", "dossier_status.procedure_named",
    "dossier_status.dates",
    "dossier_status.dates_no_due", "dossier_status.overdue", "dossier_status.on_time",
    "dossier_status.note", "dossier_status.not_found", "dossier_status.too_many",
    "dossier_status.mine.header", "dossier_status.mine.item", "dossier_status.mine.more",
    "dossier_status.mine.hint", "dossier_status.mine.none",
    "dossier_status.next.supplement_required.note", "dossier_status.next.payment_required.note",
    /* complaints, ratings, subscriptions, complaint API */
    "complaint.topic.procedure", "complaint.topic.attitude", "complaint.topic.delay",
    "complaint.topic.fee", "complaint.topic.online", "complaint.topic.other",
    "complaint_new.ask_topic", "complaint_new.ask_dossier", "complaint_new.ask_contact",
    "complaint_new.confirm", "complaint_new.none", "complaint_new.cancelled",
    "complaint_new.filed", "complaint_new.too_long", "complaint_new.ask_sms",
    "complaint_status.not_found", "complaint_status.open", "complaint_status.answered",
    "complaint_status.answered_other", "complaint_status.list", "complaint_status.item",
    "complaint_status.state.open", "complaint_status.state.answered",
    "button.skip", "button.confirm", "button.cancel",
    "rating.saved", "rating.replaced", "rating.no_dossier", "rating.ask_code",
    "subscribe.done", "subscribe.done_chat", "subscribe.already", "subscribe.no_dossier",
    "subscribe.too_many", "unsubscribe.done_chat",
    "notify.complaint_answered", "notify.complaint_answered_chat",
    "errors.complaint_forbidden", "errors.complaint_not_found", "errors.complaint_conflict",
    "errors.complaint_invalid_status", "errors.invalid_answer", "errors.answer_too_long", "errors.invalid_limit",
    /* USSD (bot/ussd_*.c, config/ussd.json names the screen texts) */
    "errors.invalid_ussd", "errors.invalid_session", "ussd.nav.more", "ussd.nav.back",
    "ussd.nav.home", "ussd.error.choice", "ussd.error.no_more", "ussd.unavailable",
#define MESSAGES_DOSSIER_STATUS(s) \
    "dossier_status.status." s, "dossier_status.next." s, "notify.dossier." s
    MESSAGES_DOSSIER_STATUS("received"), MESSAGES_DOSSIER_STATUS("rejected"),
    MESSAGES_DOSSIER_STATUS("processing"), MESSAGES_DOSSIER_STATUS("supplement_required"),
    MESSAGES_DOSSIER_STATUS("payment_required"), MESSAGES_DOSSIER_STATUS("withdrawn"),
    MESSAGES_DOSSIER_STATUS("suspended"), MESSAGES_DOSSIER_STATUS("done"),
    MESSAGES_DOSSIER_STATUS("returned"),
#undef MESSAGES_DOSSIER_STATUS
    NULL,
};

const char *const *messages_required(void)
{
    return messages_keys;
}

static int messages_check(json_t *root, const char *path, char *err, size_t errlen)
{
    const char *key;
    json_t *v;
    json_object_foreach(root, key, v) {
        static const char *const langs[] = {"vi", "en"};
        if (!json_is_object(v)) {
            snprintf(err, errlen, "%s: %s: expected an object {\"vi\", \"en\"}", path, key);
            return -1;
        }
        for (int i = 0; i < 2; i++) {
            json_t *s = json_object_get(v, langs[i]);
            if (!json_is_string(s) || json_string_length(s) == 0) {
                snprintf(err, errlen, "%s: %s.%s: expected a non-empty string", path, key,
                         langs[i]);
                return -1;
            }
        }
    }
    for (const char *const *k = messages_keys; *k; k++) {
        if (!json_object_get(root, *k)) {
            snprintf(err, errlen, "%s: %s: missing (the code uses it)", path, *k);
            return -1;
        }
    }
    return 0;
}

/* The messages of the parsed root (taken); name is the file it came from. */
static messages *messages_from_root(json_t *root, const char *name, const json_error_t *jerr,
                                    char *err, size_t errlen)
{
    if (!root) {
        snprintf(err, errlen, "%s: line %d, column %d: %s", name, jerr->line, jerr->column,
                 jerr->text);
        return NULL;
    }
    if (!json_is_object(root)) {
        snprintf(err, errlen, "%s: expected a JSON object at the top", name);
        json_decref(root);
        return NULL;
    }
    if (messages_check(root, name, err, errlen) < 0) {
        json_decref(root);
        return NULL;
    }
    messages *m = xcalloc(1, sizeof(*m));
    m->root = root;
    return m;
}

messages *messages_load(const char *path, char *err, size_t errlen)
{
    json_error_t jerr;
    json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
    return messages_from_root(root, path, &jerr, err, errlen);
}

messages *messages_load_buf(const char *json, size_t len, const char *name, char *err,
                            size_t errlen)
{
    json_error_t jerr;
    json_t *root = json_loadb(json ? json : "", json ? len : 0, JSON_REJECT_DUPLICATES, &jerr);
    return messages_from_root(root, name, &jerr, err, errlen);
}

void messages_free(messages *m)
{
    if (!m)
        return;
    json_decref(m->root);
    json_decref(m->prev);
    free(m);
}

int messages_reload(messages *m, const char *path, char *err, size_t errlen)
{
    messages *fresh = messages_load(path, err, errlen);
    if (!fresh)
        return -1;
    json_decref(m->prev);
    m->prev = m->root;
    m->root = fresh->root;
    free(fresh);
    return 0;
}

const char *messages_get(const messages *m, const char *key, const char *lang)
{
    json_t *e = m ? json_object_get(m->root, key) : NULL;
    if (!e)
        return key;
    json_t *s = json_object_get(e, lang && !strcmp(lang, "en") ? "en" : "vi");
    return json_is_string(s) ? json_string_value(s) : key;
}

/* Value for placeholder name (n bytes) in the (name, value) list, or NULL. */
static const char *messages_lookup(va_list ap, const char *name, size_t n)
{
    va_list aq;
    va_copy(aq, ap);
    const char *k, *found = NULL;
    while ((k = va_arg(aq, const char *)) != NULL) {
        const char *v = va_arg(aq, const char *);
        if (!found && strlen(k) == n && !memcmp(k, name, n))
            found = v ? v : "";
    }
    va_end(aq);
    return found;
}

void messages_format(const messages *m, const char *key, const char *lang, buf *b, ...)
{
    va_list ap;
    va_start(ap, b);
    messages_vformat(m, key, lang, b, ap);
    va_end(ap);
}

void messages_vformat(const messages *m, const char *key, const char *lang, buf *b, va_list ap)
{
    const char *t = messages_get(m, key, lang);
    while (*t) {
        const char *open = strchr(t, '{');
        const char *close = open ? strchr(open, '}') : NULL;
        if (!close) {
            buf_puts(b, t);
            break;
        }
        buf_append(b, t, (size_t)(open - t));
        const char *v = messages_lookup(ap, open + 1, (size_t)(close - open - 1));
        if (v)
            buf_puts(b, v);
        else
            buf_append(b, open, (size_t)(close - open + 1));
        t = close + 1;
    }
}
