/* messages.c -- load and look up user-facing texts (see messages.h). */
#include "messages.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "xmalloc.h"

struct messages {
    json_t *root;
};

/* Every key the C code names. check-config fails when one is missing. */
static const char *const messages_keys[] = {
    "greeting", "help", "unknown", "unknown.again",
    "menu.dossier_status", "menu.procedure_info", "menu.complaint_new",
    "menu.complaint_status", "menu.rating", "menu.subscribe", "menu.human_agent", "menu.help",
    "dossier_status.ask_code", "dossier_status.received", "procedure_info.received",
    "procedure_info.ask", "complaint_new.received", "complaint_new.ask",
    "complaint_status.ask_code", "complaint_status.received", "rating.received", "rating.ask",
    "subscribe.ask_code", "subscribe.received", "unsubscribe.done", "human_agent.queued",
    "errors.invalid_json", "errors.invalid_user", "errors.invalid_text", "errors.text_too_long",
    "errors.invalid_payload", "errors.missing_text", "errors.too_large", "errors.not_found",
    "errors.method_not_allowed", "errors.unavailable", "errors.internal",
    "errors.unsupported_media_type",
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

messages *messages_load(const char *path, char *err, size_t errlen)
{
    json_error_t jerr;
    json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
    if (!root) {
        snprintf(err, errlen, "%s: line %d, column %d: %s", path, jerr.line, jerr.column,
                 jerr.text);
        return NULL;
    }
    if (!json_is_object(root)) {
        snprintf(err, errlen, "%s: expected a JSON object at the top", path);
        json_decref(root);
        return NULL;
    }
    if (messages_check(root, path, err, errlen) < 0) {
        json_decref(root);
        return NULL;
    }
    messages *m = xmalloc(sizeof(*m));
    m->root = root;
    return m;
}

void messages_free(messages *m)
{
    if (!m)
        return;
    json_decref(m->root);
    free(m);
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
