/* rating.c -- rating: satisfaction with a dossier's handling, 1 to 5.
 *
 * The dossier is the code in the message, else the session's "last_dossier"
 * (the one asked about last). A missing or invalid score is asked for with
 * the five scores as buttons ("rating:<n>"); a score without a dossier is
 * kept in the session ("rating_score") while the code is asked for. The
 * rating is stored only for a dossier that exists, one per dossier per
 * citizen (store/ratings.h): rating again replaces the earlier score. */
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
    else
        dialog_say(ctx, "errors.unavailable", NULL);
    if (status == RATINGS_NEW || status == RATINGS_REPLACED)
        json_object_set_new(ctx->session, "last_dossier", json_string(job->code));
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
    int rc = ratings_put(ctx->store, job->code, agency, member, score, rating_done, job);
    free(member);
    if (rc < 0) {
        free(job);
        dialog_say(ctx, "errors.unavailable", NULL);
        dialog_finish(ctx);
    }
}

void dialog_rating(dialog_ctx *ctx)
{
    json_object_del(ctx->session, "await_text");
    int score = ctx->ir->score;
    json_t *pending = json_object_get(ctx->session, "rating_score");
    const char *code = ctx->ir->dossier_code[0] ? ctx->ir->dossier_code : NULL;
    if ((score < 1 || score > 5) && code && json_is_integer(pending))
        score = (int)json_integer_value(pending); /* the code we asked for */
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
        char s[8];
        snprintf(s, sizeof(s), "%d", score);
        json_object_set_new(ctx->session, "rating_score", json_integer(score));
        dialog_say(ctx, "rating.ask_code", "score", s, NULL);
        json_object_set_new(ctx->session, "await", json_string(intent_name(INTENT_RATING)));
        json_object_set_new(ctx->session, "await_text", json_true()); /* a bare code answers */
        dialog_finish(ctx);
        return;
    }
    rating_store(ctx, code, score);
}
