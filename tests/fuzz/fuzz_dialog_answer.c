/* fuzz_dialog_answer.c -- libFuzzer target for bot/conv/dialogs/dialog_answer.c,
 * the reading of typed answers. The input is lines: every line but the
 * last is the title of a button of the previous reply (payload "p:<i>"),
 * the last line is what the citizen types. Loads config/messages.vi.json
 * once (run from the repository root, or set DVCBOT_MESSAGES).
 *
 * Properties: no crash, leak or out-of-bounds read; every reader returns one
 * of its documented values; the remembered buttons are the reply's, in
 * order, at most 16; a picked button is one of them, and a typed number
 * k (when no title holds a digit) picks the k-th; dialog_answer_language
 * says "vi" for any text with a Vietnamese letter; the ask-back question
 * offers its "clarify:<intent>" buttons (the two meanings, a person) and
 * keeps the text. */
#include "fuzz.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bot/conv/dialogs/dialog.h"
#include "common/xmalloc.h"
#include "intents/normalize.h"

#define FZ_MAX_BUTTONS 16   /* dialog_answer.c's ANSWER_BUTTONS */
#define FZ_LINES 24

static messages *fz_msgs;

static void fz_finished(dialog_ctx *ctx)
{
    ctx->owner = (void *)1;  /* finished once */
}

/* The readers of one normalised text. */
static void fz_readers(const char *text, const char *norm)
{
    int yn = dialog_answer_yesno(norm);
    if (yn != DIALOG_NEITHER && yn != DIALOG_NO && yn != DIALOG_YES && yn != DIALOG_CANCEL)
        abort();
    int c = dialog_answer_courtesy(norm);
    if (c < 0 || c > 2 || (unsigned)dialog_answer_no_code(norm) > 1 ||
        (unsigned)dialog_answer_back(norm) > 1 || (unsigned)dialog_answer_contact(norm) > 1)
        abort();
    const char *lang = dialog_answer_language(text, norm);
    if (lang && strcmp(lang, "en") && strcmp(lang, "vi"))
        abort();
    if (strstr(text, "\xc3\xa0") && (!lang || strcmp(lang, "vi")))   /* "à" */
        abort();
}

/* The buttons remembered from r: same payloads, in order, at most 16, in
 * "btns"'s one string "title\0payload\0..." (dialog.h). */
static void fz_remembered(json_t *session, const reply *r, size_t nbuttons)
{
    json_t *list = json_object_get(session, "btns");
    const char *t[DIALOG_BUTTONS_MAX], *p[DIALOG_BUTTONS_MAX];
    int normalised;
    size_t want = nbuttons < FZ_MAX_BUTTONS ? nbuttons : FZ_MAX_BUTTONS;
    if ((want && !json_is_string(list)) || (!want && list) ||
        dialog_buttons_kept(session, t, p, &normalised) != want || normalised)
        abort();
    for (size_t i = 0; i < want; i++)
        if (!p[i] || strcmp(p[i], r->parts[0].buttons[i].payload))
            abort();
}

/* Whether a remembered title holds a digit (it may then read as a number). */
static int fz_title_digit(json_t *session)
{
    const char *t[DIALOG_BUTTONS_MAX], *p[DIALOG_BUTTONS_MAX];
    int normalised;
    size_t n = dialog_buttons_kept(session, t, p, &normalised);
    for (size_t i = 0; i < n; i++)
        if (t[i] && strpbrk(t[i], "0123456789"))
            return 1;
    return 0;
}

static void fz_pick(json_t *session, const char *norm, size_t nbuttons)
{
    const char *p = dialog_answer_button(session, norm);
    if (p && (strncmp(p, "p:", 2) || (size_t)atoi(p + 2) >= nbuttons))
        abort();
    /* a bare number k picks the k-th button (unless a title may read the same) */
    char *end;
    long k = strtol(norm, &end, 10);
    if (norm[0] >= '1' && norm[0] <= '9' && !*end && k >= 1 && (size_t)k <= nbuttons &&
        (size_t)k <= FZ_MAX_BUTTONS && !fz_title_digit(session)) {
        char want[32];
        snprintf(want, sizeof want, "p:%ld", k - 1);
        if (!p || strcmp(p, want))
            abort();
    }
}

static void fz_clarify(json_t *session, const char *text, int a, int b)
{
    message m = {0};
    m.channel = CHANNEL_CHAT;
    m.text = (char *)text;
    dialog_ctx ctx = {.msg = &m, .session = session, .msgs = fz_msgs, .lang = "vi",
                      .out = reply_new(), .finish = fz_finished, .awaited = -1};
    dialog_clarify(&ctx, (intent_id)a, (intent_id)b);
    size_t n = 0;
    char first[64];
    int two = b != INTENT_UNKNOWN && b != a;
    snprintf(first, sizeof first, "clarify:%s", intent_name((intent_id)(two && b < a ? b : a)));
    for (size_t i = 0; i < ctx.out->nparts; i++)
        for (size_t j = 0; j < ctx.out->parts[i].nbuttons; j++, n++)
            if (strncmp(ctx.out->parts[i].buttons[j].payload, "clarify:", 8) ||
                (n == 0 && strcmp(ctx.out->parts[i].buttons[j].payload, first)))
                abort();
    const char *kept = json_string_value(json_object_get(session, "clarify_text"));
    size_t want = 1 + (size_t)two +
                  (a != INTENT_HUMAN_AGENT && b != INTENT_HUMAN_AGENT);
    if (!ctx.owner || n != want || !kept || strcmp(kept, text))
        abort();
    reply_free(ctx.out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!fz_msgs) {
        char err[512];
        const char *path = getenv("DVCBOT_MESSAGES");
        fz_msgs = messages_load(path ? path : "config/messages.vi.json", err, sizeof err);
        if (!fz_msgs) {
            fprintf(stderr, "fuzz_dialog_answer: %s\n", err);
            abort();
        }
    }
    char *in = xmalloc(size + 1);
    memcpy(in, data, size);
    in[size] = '\0';
    if (strlen(in) != size) {   /* texts are C strings: a NUL ends the case */
        free(in);
        return 0;
    }
    char *line[FZ_LINES];
    size_t nl = 0;
    for (char *p = in, *save = NULL, *tok = strtok_r(p, "\n", &save); tok && nl < FZ_LINES;
         tok = strtok_r(NULL, "\n", &save))
        line[nl++] = tok;
    const char *typed = nl ? line[nl - 1] : "";
    size_t nbuttons = nl ? nl - 1 : 0;
    reply *r = reply_new();
    reply_add_text(r, "?");
    for (size_t i = 0; i < nbuttons; i++) {
        char payload[32];
        snprintf(payload, sizeof payload, "p:%zu", i);
        reply_add_button(r, line[i], payload);
    }
    json_t *session = json_object();
    dialog_answer_remember(session, r);
    size_t tl = strlen(typed);
    char *norm = xmalloc(tl + 1);
    if (norm_text(typed, tl, norm, tl + 1, NULL) == 0) {
        fz_remembered(session, r, nbuttons);
        fz_readers(typed, norm);
        fz_pick(session, norm, nbuttons);
        fz_clarify(session, typed, (int)(size % INTENT__COUNT), (int)(tl % INTENT__COUNT));
    }
    free(norm);
    json_decref(session);
    reply_free(r);
    free(in);
    return 0;
}
