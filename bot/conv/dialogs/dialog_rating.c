/* rating.c -- rating: satisfaction with a dossier's handling, 1 to 5.
 *
 * The dossier is the code in the message, else the session's "last_dossier"
 * (the one asked about last). A missing or invalid score is asked for with
 * the five scores as buttons ("rating:<n>"); a score without a dossier is
 * kept in the session ("rating_score") while the code is asked for. The
 * rating is stored only for a returned dossier, from its applicant's number
 * or after a lookup that saw it returned, one per dossier per citizen
 * (store/ratings.h): rating again replaces the earlier score. An unknown
 * code counts in the citizen's miss limit (dialog_miss()).
 *
 * A score given in this conversation ("rated": {code: score}) is never
 * replaced by a guess: a different score for the same dossier, unless the
 * message names both the code and the score, is asked about first ("rating_replace" {code, score} with the buttons
 * rating:replace / rating:keep, answered by "có" / "không" too). A score
 * kept while its code is asked for survives "không có mã": how to find the
 * code is explained and the question stays. */
#include "bot/conv/dialogs/dialog.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/complaints.h"
#include "store/ratings.h"
#include "store/subscriptions.h"
#include "common/xmalloc.h"

typedef struct rating_job {
    dialog_ctx *ctx;
    char code[48];
    int score;
} rating_job;

static void rating_ask_score(dialog_ctx *ctx)
{
    dialog_ask(ctx, "rating.ask", INTENT_RATING);
    for (int s = 5; s >= 1; s--) {
        char title[16], payload[32];
        snprintf(title, sizeof(title), "%d", s);
        snprintf(payload, sizeof(payload), "rating:%d", s);
        reply_add_button(ctx->out, title, payload);
    }
}

static void rating_done(int status, int old_score, void *privdata)
{
    rating_job *job = privdata;
    dialog_ctx *ctx = job->ctx;
    char score[8], old[8];
    snprintf(score, sizeof(score), "%d", job->score);
    snprintf(old, sizeof(old), "%d", old_score);
    if (status == RATINGS_NEW)
        dialog_say(ctx, "rating.saved", "score", score, "code", job->code, NULL);
    else if (status == RATINGS_REPLACED)
        dialog_say(ctx, "rating.replaced", "score", score, "old", old, "code", job->code, NULL);
    else if (status == RATINGS_NO_DOSSIER)
        dialog_say(ctx, "rating.no_dossier", "code", job->code, NULL);
    else if (status == RATINGS_NOT_FINISHED)
        dialog_say(ctx, "rating.not_finished", "code", job->code, NULL);
    else if (status == RATINGS_NOT_YOURS)
        dialog_say(ctx, "rating.not_yours", "code", job->code, NULL);
    else if (status == RATINGS_LIMITED)
        dialog_say(ctx, "dossier_status.too_many", NULL);
    else
        dialog_say(ctx, "errors.unavailable", NULL);
    if (status == RATINGS_NEW || status == RATINGS_REPLACED) {
        json_object_set_new(ctx->session, "last_dossier", json_string(job->code));
        json_t *rated = json_object_get(ctx->session, "rated");
        if (!json_is_object(rated)) {
            rated = json_object();
            json_object_set_new(ctx->session, "rated", rated);
        }
        if (json_object_size(rated) < 20)
            json_object_set_new(rated, job->code, json_integer(job->score));
    }
    free(job);
    dialog_finish(ctx);
}

static void rating_store(dialog_ctx *ctx, const char *code, int score)
{
    rating_job *job = xcalloc(1, sizeof(*job));
    job->ctx = ctx;
    job->score = score;
    snprintf(job->code, sizeof(job->code), "%s", code);
    json_object_del(ctx->session, "rating_score"); /* code may not point into it */
    char agency[64];
    complaints_agency_of(job->code, ctx->cfg->domain.complaint_agency, agency, sizeof(agency));
    char *member = subs_member(channel_name(ctx->msg->channel), ctx->msg->user);
    int phone = ctx->msg->channel == CHANNEL_SMS || ctx->msg->channel == CHANNEL_USSD;
    ratings_vote v = {.code = job->code, .agency = agency, .member = member,
                      .msisdn = phone ? ctx->msg->user : NULL, .score = score,
                      .miss = dialog_miss(ctx)};
    int rc = ratings_put(ctx->store, &v, rating_done, job);
    free(member);
    if (rc < 0) {
        free(job);
        dialog_say(ctx, "errors.unavailable", NULL);
        dialog_finish(ctx);
    }
}

/* The score this conversation already gave the dossier, or 0. */
static int rating_known(const dialog_ctx *ctx, const char *code)
{
    json_t *v = json_object_get(json_object_get(ctx->session, "rated"), code);
    return json_is_integer(v) ? (int)json_integer_value(v) : 0;
}

/* Ask before replacing the score given earlier in this conversation. */
static void rating_ask_replace(dialog_ctx *ctx, const char *code, int old, int score)
{
    char o[8], n[8];
    snprintf(o, sizeof(o), "%d", old);
    snprintf(n, sizeof(n), "%d", score);
    dialog_say(ctx, "rating.confirm_replace", "code", code, "old", o, "score", n, NULL);
    reply_add_button(ctx->out, messages_get(ctx->msgs, "button.replace", ctx->lang),
                     "rating:replace");
    reply_add_button(ctx->out, messages_get(ctx->msgs, "button.keep", ctx->lang), "rating:keep");
    json_object_set_new(ctx->session, "rating_replace", json_pack("{sssi}", "code", code,
                                                                   "score", score));
    dialog_finish(ctx);
}

/* rating:replace / rating:keep, the answer to rating_ask_replace. */
static int rating_answer_replace(dialog_ctx *ctx)
{
    const char *p = ctx->msg->payload;
    json_t *rr = json_object_get(ctx->session, "rating_replace");
    if (!p || (strcmp(p, "rating:replace") && strcmp(p, "rating:keep")))
        return 0;
    const char *code = json_string_value(json_object_get(rr, "code"));
    int score = (int)json_integer_value(json_object_get(rr, "score"));
    if (!code || score < 1 || score > 5) {
        json_object_del(ctx->session, "rating_replace");
        rating_ask_score(ctx);
        dialog_finish(ctx);
        return 1;
    }
    if (!strcmp(p, "rating:keep")) {
        char o[8];
        snprintf(o, sizeof(o), "%d", rating_known(ctx, code));
        dialog_say(ctx, "rating.kept", "code", code, "old", o, NULL);
        json_object_del(ctx->session, "rating_replace");
        dialog_finish(ctx);
        return 1;
    }
    char c[48];
    snprintf(c, sizeof(c), "%s", code);
    json_object_del(ctx->session, "rating_replace");
    rating_store(ctx, c, score);
    return 1;
}

/* Keep score and ask for the dossier code with the text of key
 * ("rating.ask_code", or "rating.no_code" when the citizen said they have
 * none: where to find it); a bare code then answers. */
static void rating_ask_code(dialog_ctx *ctx, int score, const char *key)
{
    char s[8];
    snprintf(s, sizeof(s), "%d", score);
    json_object_set_new(ctx->session, "rating_score", json_integer(score));
    dialog_say(ctx, key, "score", s, NULL);
    json_object_set_new(ctx->session, "await", json_string(intent_name(INTENT_RATING)));
    json_object_set_new(ctx->session, "await_text", json_true()); /* a bare code answers */
    dialog_finish(ctx);
}

void dialog_rating(dialog_ctx *ctx)
{
    json_object_del(ctx->session, "await_text");
    if (rating_answer_replace(ctx))
        return;
    json_object_del(ctx->session, "rating_replace");
    int score = ctx->ir->score;
    json_t *pending = json_object_get(ctx->session, "rating_score");
    const char *code = ctx->ir->dossier_code[0] ? ctx->ir->dossier_code : NULL;
    if ((score < 1 || score > 5) && json_is_integer(pending) && ctx->awaited == INTENT_RATING) {
        score = (int)json_integer_value(pending); /* the code we asked for */
        if (!code) {
            rating_ask_code(ctx, score, "rating.no_code");
            return;
        }
    }
    if (!code)
        code = dialog_session_str(ctx, "last_dossier");
    if (score < 1 || score > 5) {
        if (ctx->ir->dossier_code[0])
            json_object_set_new(ctx->session, "last_dossier", json_string(ctx->ir->dossier_code));
        json_object_del(ctx->session, "rating_score");
        rating_ask_score(ctx);
        dialog_finish(ctx);
        return;
    }
    if (!code) {
        rating_ask_code(ctx, score, "rating.ask_code");
        return;
    }
    /* "DG <code> <score>" names both: explicit; a score for the dossier the
     * conversation is about, or from words ("tốt"), is asked about first */
    int named = ctx->ir->dossier_code[0] && ctx->ir->score >= 1 && ctx->ir->score <= 5;
    int old = rating_known(ctx, code);
    if (old && old != score && !named) {
        char c[48];
        snprintf(c, sizeof(c), "%s", code);
        rating_ask_replace(ctx, c, old, score);
        return;
    }
    rating_store(ctx, code, score);
}
