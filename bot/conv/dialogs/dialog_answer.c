/* dialog_answer.c -- typed answers to the questions the dialogs ask (see
 * dialog.h): yes / no / cancel in their everyday forms, "quay lại", thanks
 * and goodbyes, the number or the words of a button of the last reply, and
 * the ask-back question of a low-confidence guess.
 *
 * Every comparison is on normalised text (intents/normalize.h: lower case,
 * no diacritics, single spaces), cut into words of letters and digits;
 * politeness particles ("ạ", "nhé", "ơi") are ignored. */
#include "bot/conv/dialogs/dialog.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/strs.h"
#include "common/utf8.h"
#include "common/xmalloc.h"
#include "intents/normalize.h"

#define ANSWER_WORDS 12
#define ANSWER_BUTTONS DIALOG_BUTTONS_MAX

static const char *const answer_fillers[] = {
    "a", "nhe", "nha", "ne", "oi", "ad", "admin", "bot", "vay", "ha", "nhi", "luon", "roi", NULL,
};

static const char *const answer_yes[] = {
    "co", "u", "uh", "uhm", "um", "ok", "oke", "okay", "oki", "okie", "dong y", "gui", "gui di",
    "ok gui di", "ok gui", "co gui", "co gui di", "vang", "da", "da vang", "da co", "duoc", "dc",
    "dung", "chinh xac", "xac nhan", "yes", "y", "chac chan", "ok dong y", "dong y gui", "co dong y",
    "gui phan anh", "dong y doi", "co doi", "doi di", "ok doi", NULL,
};

static const char *const answer_no[] = {
    "khong", "ko", "k", "kg", "khg", "no", "n", "khong can", "khong gui", "dung gui", "chua",
    "khong co", "khong co ma", "chua co", "chua co ma", "khong nho", "khong nho ma", "quen ma",
    "khong biet", "khong co ma ho so", "toi khong co ma", "khong doi", "giu nguyen", "giu", NULL,
};

static const char *const answer_cancel[] = {
    "thoi", "huy", "huy bo", "thoi khong", "thoi khoi", "khoi", "thoi bo", "bo", "dung lai",
    "thoi huy", "huy di", "thoi khong gui", "khong gui nua", "cancel", NULL,
};

static const char *const answer_back[] = {
    "quay lai", "tro lai", "lui lai", "sua lai", "back", "quay lai buoc truoc", NULL,
};

/* Thanks and praise; goodbyes. Matched as a phrase anywhere in the text. */
static const char *const answer_thanks[] = {
    "cam on", "cam ta", "thank", "thanks", "thank you", "thank u", "merci", "tks", "thanks you",
    "lam tot lam", "tot lam", "hay lam", "tuyet voi", "gioi qua", "cam on nhieu", NULL,
};
static const char *const answer_bye[] = {
    "tam biet", "bye", "goodbye", "bye bye", "hen gap lai", "chao nhe", NULL,
};

static int answer_in(const char *s, const char *const *list)
{
    for (size_t i = 0; list[i]; i++)
        if (s[0] == list[i][0] && !strcmp(s, list[i]))   /* the first byte: no call per entry */
            return 1;
    return 0;
}

/* The words of norm (letters and digits), without politeness particles,
 * joined by single spaces into out. Returns the number of words kept. */
static size_t answer_words(const char *norm, char *out, size_t cap)
{
    size_t n = 0, len = 0;
    out[0] = '\0';
    for (const char *p = norm ? norm : ""; *p;) {
        while (*p && !isalnum((unsigned char)*p))
            p++;
        const char *w = p;
        while (isalnum((unsigned char)*p))
            p++;
        size_t wl = (size_t)(p - w);
        if (!wl)
            break;
        char word[32];
        if (wl >= sizeof(word))
            wl = sizeof(word) - 1;
        memcpy(word, w, wl);
        word[wl] = '\0';
        if (answer_in(word, answer_fillers) || len + wl + 2 > cap)
            continue;
        if (len)
            out[len++] = ' ';
        memcpy(out + len, word, wl + 1);
        len += wl;
        n++;
    }
    return n;
}

/* Whether the phrase occurs in w at word boundaries. */
static int answer_has_phrase(const char *w, const char *phrase)
{
    size_t pl = strlen(phrase);
    for (const char *p = strstr(w, phrase); p; p = strstr(p + 1, phrase))
        if ((p == w || p[-1] == ' ') && (p[pl] == '\0' || p[pl] == ' '))
            return 1;
    return 0;
}

int dialog_answer_yesno(const char *norm)
{
    char w[160];
    if (!answer_words(norm, w, sizeof(w)))
        return DIALOG_NEITHER;
    if (answer_in(w, answer_yes))
        return DIALOG_YES;
    if (answer_in(w, answer_no))
        return DIALOG_NO;
    if (answer_in(w, answer_cancel))
        return DIALOG_CANCEL;
    return DIALOG_NEITHER;
}

int dialog_answer_no_code(const char *norm)
{
    static const char *const phrases[] = {
        "quen ma", "khong co ma", "khong nho ma", "mat ma", "chua co ma", "khong biet ma",
        "mat giay bien nhan", "mat phieu hen", "quen mat ma", NULL,
    };
    char w[256];
    answer_words(norm, w, sizeof(w));
    for (size_t i = 0; phrases[i]; i++)
        if (answer_has_phrase(w, phrases[i]))
            return 1;
    size_t digits = 0;     /* "hồ sơ của số 0901234567": a phone, not a code */
    for (const char *p = w; *p; p++) {
        digits = isdigit((unsigned char)*p) ? digits + 1 : *p == ' ' ? digits : 0;
        if (digits >= 9)
            return 1;
    }
    return 0;
}

int dialog_answer_back(const char *norm)
{
    char w[160];
    return answer_words(norm, w, sizeof(w)) && answer_in(w, answer_back);
}

int dialog_answer_courtesy(const char *norm)
{
    char w[256];
    answer_words(norm, w, sizeof(w));
    for (size_t i = 0; answer_bye[i]; i++)
        if (answer_has_phrase(w, answer_bye[i]))
            return 2;
    for (size_t i = 0; answer_thanks[i]; i++)
        if (answer_has_phrase(w, answer_thanks[i]))
            return 1;
    return 0;
}

/* Asking for the contact details themselves (a number, a hotline, an
 * address, an e-mail), rather than for a person to talk to. */
int dialog_answer_contact(const char *norm)
{
    static const char *const phrases[] = {
        "so dien thoai", "sdt", "so dt", "dien thoai", "hotline", "duong day nong", "tong dai",
        "email", "e mail", "mail", "so lien he", "thong tin lien he", "dia chi lien he",
        "so may le", "phone number", "contact", "lien he o dau", "lien he the nao",
        "lien he nhu the nao", "lien he bang cach nao", "goi so nao", "goi dau", NULL,
    };
    char w[256];
    answer_words(norm, w, sizeof(w));
    for (size_t i = 0; phrases[i]; i++)
        if (answer_has_phrase(w, phrases[i]))
            return 1;
    return 0;
}

/* English words that are no unaccented Vietnamese syllable (or are rare as
 * one), so that "can giay to gi" is never taken for English. */
static const char *const answer_english[] = {
    "hello", "hey", "i", "im", "you", "your", "we", "our", "is", "are", "was", "what", "how",
    "where", "when", "which", "who", "why", "would", "could", "should", "will", "does", "did",
    "please", "want", "need", "ask", "help", "check", "english", "speak", "know", "get", "apply",
    "application", "status", "passport", "birth", "certificate", "register", "registration",
    "with", "from", "about", "there", "this", "that", "it", "of", "for", "and", "or", "if",
    "just", "like", "thank", "thanks", "good", "morning", "afternoon", "evening", "file",
    "complaint", "pay", "fee", "fees", "card", "id", "service", "services", "officer", "person",
    "human", "agent", "someone", "question", "questions", "any", "one", "my", "me", "dossier",
    "procedure", "document", "documents", "required", "long", "much", "cost", "take", "time",
    "open", "hours", "address", "phone", "number", "email", "the", "can", "to", "in", "do", NULL,
};

/* Whether UTF-8 text holds a Vietnamese letter: Latin-1 and Latin
 * Extended-A/B letters (à, đ, ơ, ư), combining marks, U+1EA0..U+1EF9 (ạ, ế). */
static int answer_has_vietnamese(const char *text)
{
    for (const unsigned char *p = (const unsigned char *)(text ? text : ""); *p; p++) {
        if (*p == 0xC3 || *p == 0xC4 || *p == 0xC5 || *p == 0xC6 || *p == 0xCC || *p == 0xCD)
            return 1;
        if (*p == 0xE1 && (p[1] == 0xBA || p[1] == 0xBB))
            return 1;
    }
    return 0;
}

static int answer_strcmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Whether word is in answer_english: a binary search of a sorted copy made
 * at the first call (every message asks this of each of its words). */
static int answer_is_english(const char *word)
{
    enum { N = sizeof(answer_english) / sizeof(answer_english[0]) - 1 };
    static const char *sorted[N];
    static int ready;
    if (!ready) {
        memcpy(sorted, answer_english, sizeof(sorted));
        qsort(sorted, N, sizeof(sorted[0]), answer_strcmp);
        ready = 1;
    }
    return bsearch(&word, sorted, N, sizeof(sorted[0]), answer_strcmp) != NULL;
}

const char *dialog_answer_language(const char *text, const char *norm)
{
    if (answer_has_vietnamese(text))
        return "vi";
    char w[256];
    size_t n = 0, en = 0, strong = 0;
    answer_words(norm, w, sizeof(w));
    char *save = NULL;
    for (char *word = strtok_r(w, " ", &save); word; word = strtok_r(NULL, " ", &save)) {
        if (isdigit((unsigned char)word[0]))
            continue;          /* codes and numbers tell nothing */
        n++;
        if (answer_is_english(word)) {
            en++;
            /* words that are also unaccented Vietnamese ("can", "to", "the") count only
             * next to clearly English ones */
            strong += strcmp(word, "can") && strcmp(word, "to") && strcmp(word, "in") &&
                      strcmp(word, "do") && strcmp(word, "the") && strcmp(word, "me") &&
                      strcmp(word, "my") && strcmp(word, "it") && strcmp(word, "i");
        }
    }
    if (strong >= 1 && en >= 2 && 2 * en >= n)
        return "en";
    return n >= 3 ? "vi" : NULL;
}

/* Whether every word of typed is a word of title. */
static int answer_subset(const char *typed, const char *title)
{
    char t[256];
    snprintf(t, sizeof(t), "%s", typed);
    for (char *save = NULL, *word = strtok_r(t, " ", &save); word; word = strtok_r(NULL, " ", &save))
        if (!answer_has_phrase(title, word))
            return 0;
    return 1;
}

size_t dialog_buttons_kept(const json_t *session, const char **titles, const char **payloads,
                           int *normalised)
{
    json_t *b = json_object_get(session, "btns");
    size_t n = 0, i;
    *normalised = 0;
    if (json_is_string(b)) {    /* "t\0p\0t\0p\0...": the strings in place */
        const char *e[2 * DIALOG_BUTTONS_MAX];
        size_t k = strs_split(json_string_value(b), json_string_length(b), e, 2 * DIALOG_BUTTONS_MAX);
        for (; n < k / 2; n++) {  /* a title without its payload: not a button */
            titles[n] = e[2 * n];
            payloads[n] = e[2 * n + 1];
        }
        return n;
    }
    if (json_is_array(b)) {     /* [t, p, t, p, ...] of an earlier version */
        for (i = 0; i + 1 < json_array_size(b) && n < DIALOG_BUTTONS_MAX; i += 2, n++) {
            titles[n] = json_string_value(json_array_get(b, i));
            payloads[n] = json_string_value(json_array_get(b, i + 1));
        }
        return n;
    }
    json_t *old = json_object_get(session, "buttons"), *e;
    *normalised = json_is_array(old);
    json_array_foreach(old, i, e) {
        if (n == DIALOG_BUTTONS_MAX)
            break;
        titles[n] = json_string_value(json_array_get(e, 0));
        payloads[n++] = json_string_value(json_array_get(e, 1));
    }
    return n;
}

/* The last reply's buttons as the session keeps them (dialog_buttons_kept). */
typedef struct answer_list {
    const char *title[ANSWER_BUTTONS], *payload[ANSWER_BUTTONS];
    int normalised;
    size_t n;
} answer_list;

static int answer_list_of(json_t *session, answer_list *l)
{
    l->n = dialog_buttons_kept(session, l->title, l->payload, &l->normalised);
    return l->n ? 0 : -1;
}

static const char *answer_payload(const answer_list *l, size_t i)
{
    return l->payload[i];
}

/* The words of button i's title (normalised, as typed answers are) into w. */
static void answer_title_words(const answer_list *l, size_t i, char *w, size_t cap)
{
    const char *t = l->title[i];
    w[0] = '\0';
    if (!t)
        return;
    if (l->normalised) {
        answer_words(t, w, cap);
        return;
    }
    size_t n = strlen(t);
    char small[256];
    char *norm = n < sizeof(small) ? small : xmalloc(n + 1);
    if (norm_text(t, n, norm, n + 1, NULL) == 0)
        answer_words(norm, w, cap);
    if (norm != small)
        free(norm);
}

/* The payload of the first button whose payload ends with one of roles. */
static const char *answer_role(const answer_list *l, const char *const *roles)
{
    for (size_t r = 0; roles[r]; r++) {
        size_t rl = strlen(roles[r]);
        for (size_t i = 0; i < l->n; i++) {
            const char *p = answer_payload(l, i);
            size_t pl = p ? strlen(p) : 0;
            if (pl > rl && !strcmp(p + pl - rl, roles[r]))
                return p;
        }
    }
    return NULL;
}

/* Exact title, else the title that holds every typed word (one only); the
 * titles' words are tw[0..l->n). */
static const char *answer_title(const answer_list *l, char (*tw)[256], const char *w, int exact)
{
    const char *found = NULL;
    for (size_t i = 0; i < l->n; i++) {
        if (exact ? !strcmp(tw[i], w) : (tw[i][0] && answer_subset(w, tw[i]))) {
            if (found)
                return NULL;
            found = answer_payload(l, i);
        }
    }
    return found;
}

const char *dialog_answer_button(json_t *session, const char *norm)
{
    static const char *const yes_roles[] = {":confirm", ":replace", ":yes", NULL};
    static const char *const no_roles[] = {":no", ":keep", ":skip", ":cancel", NULL};
    static const char *const cancel_roles[] = {":cancel", ":no", ":keep", NULL};
    answer_list l;
    char w[256], tw[ANSWER_BUTTONS][256];
    if (answer_list_of(session, &l) < 0 || !answer_words(norm, w, sizeof(w)))
        return NULL;
    for (size_t i = 0; i < l.n; i++)
        answer_title_words(&l, i, tw[i], sizeof(tw[i]));
    const char *p = answer_title(&l, tw, w, 1);
    if (p)
        return p;
    char *end;
    long k = strtol(w, &end, 10);
    if (!*end && k >= 1 && (size_t)k <= l.n)
        return answer_payload(&l, (size_t)k - 1);
    int yn = dialog_answer_yesno(norm);
    if (yn != DIALOG_NEITHER)
        return answer_role(&l, yn == DIALOG_YES ? yes_roles
                               : yn == DIALOG_NO ? no_roles : cancel_roles);
    return answer_title(&l, tw, w, 0);
}

void dialog_answer_remember(json_t *session, const reply *r)
{
    buf list = {0};
    size_t n = 0, from = 0;
    for (size_t i = 0; r && i < r->nparts; i++) {
        if (r->parts[i].nbuttons)
            from = n;   /* where the last part with buttons starts (chatlog.c) */
        for (size_t j = 0; j < r->parts[i].nbuttons && n < ANSWER_BUTTONS; j++) {
            const reply_button *b = &r->parts[i].buttons[j];
            size_t pl = b->payload ? strlen(b->payload) : 0, tl = b->title ? strlen(b->title) : 0;
            if (!b->title || !b->payload || !utf8_valid(b->payload, pl))
                continue;   /* no payload (or not UTF-8): no button to pick */
            if (utf8_valid(b->title, tl))  /* a title not UTF-8 is kept as "" */
                buf_append(&list, b->title, tl);
            buf_append(&list, "", 1);
            buf_append(&list, b->payload, pl + 1);   /* with its NUL */
            n++;
        }
    }
    json_object_del(session, "buttons");        /* the former forms (dialog.h) */
    json_object_del(session, "chat_buttons");
    if (n)
        json_object_set_new(session, "btns", json_stringn_nocheck(list.data, list.len)); /* UTF-8 */
    else
        json_object_del(session, "btns");
    buf_free(&list);
    if (n && from)
        json_object_set_new(session, "btns_from", json_integer((json_int_t)from));
    else
        json_object_del(session, "btns_from");
}

static void answer_clarify_button(dialog_ctx *ctx, intent_id id)
{
    char key[64], payload[64];
    snprintf(key, sizeof(key), "menu.%s", intent_name(id));
    snprintf(payload, sizeof(payload), "clarify:%s", intent_name(id));
    reply_add_button(ctx->out, messages_get(ctx->msgs, key, ctx->lang), payload);
}

void dialog_clarify(dialog_ctx *ctx, intent_id a, intent_id b)
{
    dialog_say(ctx, "clarify.ask", NULL);
    /* the two meanings in the main menu's order, whichever is likelier: the
     * numbers a citizen types do not move with the model's confidences */
    int two = b != INTENT_UNKNOWN && b != a;
    answer_clarify_button(ctx, two && b < a ? b : a);
    if (two)
        answer_clarify_button(ctx, b < a ? a : b);
    if (a != INTENT_HUMAN_AGENT && b != INTENT_HUMAN_AGENT)
        answer_clarify_button(ctx, INTENT_HUMAN_AGENT);
    if (ctx->msg->text)
        json_object_set_new(ctx->session, "clarify_text", json_string(ctx->msg->text));
    dialog_finish(ctx);
}

static int answer_word_byte(unsigned char c)
{
    return c >= 0x80 || (c >= '0' && c <= '9') || ((c | 32) >= 'a' && (c | 32) <= 'z');
}

size_t dialog_answer_word_count(const char *text)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)(text ? text : ""); *p;) {
        while (*p && !answer_word_byte(*p))
            p++;
        if (!*p)
            break;
        n++;
        while (*p && answer_word_byte(*p))
            p++;
    }
    return n;
}

int dialog_answer_has_contact(const char *text)
{
    int digits = 0;
    for (const char *p = text; *p; p++) {
        if (*p == '@')
            return 1;
        if (*p >= '0' && *p <= '9')
            digits++;
        else if (*p != ' ' && *p != '.' && *p != '-' && *p != '+')
            digits = 0;
        if (digits >= 9)
            return 1;
    }
    return 0;
}
