/* dialog_procedure.c -- procedure_info: answer the question asked about an
 * administrative procedure (documents, fee, time, where, online, steps, or
 * an overview) from the catalogue (catalogue/catalogue.h), with buttons for
 * the other aspects. See docs/procedures.md.
 *
 * Which procedure: the button payload "procedure_info:<code>[:<aspect>]";
 * else the procedure_code entity; else catalogue_ask() on the whole message
 * (synonyms, question words, level variants, verdict). A question without
 * search words ("còn lệ phí thì sao?") reuses the session's
 * "last_procedure"; a search that is not sure asks back with the closest 3
 * as buttons; one that finds nothing close says so honestly: whose job it is
 * for a known outside topic, the national hotline and portal, and buttons for
 * a person (human_agent) or a complaint (PAKN). An answer of a procedure that
 * also exists at other levels offers those levels as buttons. Which aspect:
 * the payload, else the question words of procedure-aspects.json. Every text
 * is a messages.vi.json key. */
#include "bot/conv/dialogs/dialog.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalogue/catalogue.h"
#include "common/buf.h"
#include "intents/normalize.h"
#include "common/num.h"
#include "common/xmalloc.h"

#define PR_CHOICES 3
#define PR_TITLE_MAX 120   /* bytes of a button title; longer names are cut at a word */

/* Format key into a fresh buf (caller frees) with (name, value) pairs. */
/* a, b, c and d (the last ones may be NULL) joined into out (capacity
 * cap >= 1), cut to fit as snprintf would: the message keys and payloads
 * of an answer (a dozen or more per answer) without printf. */
static void pr_cat(char *out, size_t cap, const char *a, const char *b, const char *c,
                   const char *d)
{
    const char *part[4] = {a, b, c, d};
    size_t n = 0;
    for (int i = 0; i < 4 && part[i]; i++) {
        size_t k = strlen(part[i]);
        if (k > cap - 1 - n)
            k = cap - 1 - n;
        memcpy(out + n, part[i], k);
        n += k;
    }
    out[n] = '\0';
}

static void pr_fmt(dialog_ctx *ctx, buf *b, const char *key, ...)
{
    va_list ap;
    va_start(ap, key);
    messages_vformat(ctx->msgs, key, ctx->lang, b, ap);
    va_end(ap);
}

static const char *pr_online_key(const catalogue_proc *p, const char *base, char *key, size_t cap)
{
    snprintf(key, cap, "%s.%d", base, p->online_level >= 2 && p->online_level <= 4 ? p->online_level : 2);
    return key;
}

/* "trực tiếp, trực tuyến, qua bưu chính" */
static void pr_channels(dialog_ctx *ctx, const catalogue_proc *p, buf *b)
{
    static const char *const keys[] = {"procedure_info.channel.direct",
                                       "procedure_info.channel.online",
                                       "procedure_info.channel.postal"};
    for (int i = 0; i < 3; i++)
        if (p->channels & (1u << i)) {
            if (b->len)
                buf_puts(b, ", ");
            buf_puts(b, messages_get(ctx->msgs, keys[i], ctx->lang));
        }
}

#define PR_ALL (-1)         /* every document (no case asked, or one case only) */
#define PR_COMMON (-2)      /* the documents of every case (the citizen is asked which case) */
#define PR_FORMS (-3)       /* only the forms: documents naming a mẫu, tờ khai, đơn, phiếu */

/* Whether the document is a form (its name or note names one). */
static int pr_is_form(const catalogue_doc *d)
{
    static const char *const words[] = {" mau ", " to khai ", " don ", " phieu ", " bieu mau "};
    for (int k = 0; k < 2; k++) {
        const char *s = k ? d->note : d->name;
        char norm[1024] = " ";
        if (!s || norm_text(s, strlen(s), norm + 1, sizeof(norm) - 2, NULL) < 0)
            continue;
        for (char *c = norm; *c; c++)
            if (*c == ',' || *c == ';' || *c == ':' || *c == '(' || *c == ')' || *c == '.')
                *c = ' ';
        strcat(norm, " ");
        for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
            if (strstr(norm, words[i]))
                return 1;
    }
    return 0;
}

/* The documents of p into list, numbered from 1: those of case k (0-based)
 * and the common ones, or PR_ALL / PR_COMMON. A document of a case loses
 * its note when shown under the case's heading (the note is the heading). */
static void pr_documents(dialog_ctx *ctx, const catalogue_proc *p, const catalogue_cases_t *cases,
                         int k, buf *list)
{
    size_t shown = 0;
    for (size_t i = 0; i < p->ndocs; i++) {
        const catalogue_doc *d = &p->docs[i];
        int dc = i < CATALOGUE_CASES_DOCS ? cases->doc_case[i] : 0;
        if ((k == PR_COMMON && dc) || (k >= 0 && dc && dc != k + 1) || (k == PR_FORMS && !pr_is_form(d)))
            continue;
        const char *note = k >= 0 && dc ? NULL : d->note;
        char n[NUM_MAX], o[NUM_MAX], c[NUM_MAX];
        num_format(n, (long long)++shown);
        num_format(o, d->originals);
        num_format(c, d->copies);
        buf count = {0};
        pr_fmt(ctx, &count, d->originals && d->copies ? "procedure_info.count_both"
                            : d->originals        ? "procedure_info.count_originals"
                                                  : "procedure_info.count_copies",
               "originals", o, "copies", c, NULL);
        if (list->len)
            buf_putc(list, '\n');
        pr_fmt(ctx, list, note ? "procedure_info.doc_item_note" : "procedure_info.doc_item",
               "n", n, "name", d->name, "count", count.data ? count.data : "", "note",
               note ? note : "", NULL);
        buf_free(&count);
    }
}

/* Numbered (steps) or dashed (fees) lines. */
static void pr_lines(dialog_ctx *ctx, const char *key, const char *const *items, size_t n,
                     const catalogue_fee *fees, buf *list)
{
    for (size_t i = 0; i < n; i++) {
        char num[NUM_MAX];
        num_format(num, (long long)i + 1);
        if (list->len)
            buf_putc(list, '\n');
        /* items or fees is set (the callers pass one of them) */
        /* cppcheck-suppress nullPointer */
        pr_fmt(ctx, list, key, "n", num, "text", items ? items[i] : fees[i].text, NULL);
    }
}

/* The documents' message key for case k (PR_ALL, PR_COMMON or a case):
 * the list of documents goes into list. */
static const char *pr_docs_key(dialog_ctx *ctx, const catalogue_proc *p, const catalogue_cases_t *c,
                               int k, buf *list)
{
    pr_documents(ctx, p, c, k, list);
    if (k >= 0)
        return "procedure_info.documents_case";
    if (k == PR_COMMON)
        return list->len ? "procedure_info.documents_cases" : "procedure_info.documents_cases_only";
    return "procedure_info.documents";
}

/* The text of one aspect of p into out; k: the case of the documents. */
static void pr_render(dialog_ctx *ctx, const catalogue_proc *p, catalogue_aspect a,
                      const catalogue_cases_t *c, int k, buf *out)
{
    buf list = {0};
    char key[64], ndocs[24], ncases[24];
    const char *kk = "procedure_info.overview";
    switch (a) {
    case CATALOGUE_ASPECT_DOCUMENTS:
        kk = pr_docs_key(ctx, p, c, k, &list);
        break;
    case CATALOGUE_ASPECT_FEE:
        pr_lines(ctx, "procedure_info.list_dash", NULL, p->nfees, p->fees, &list);
        kk = "procedure_info.fee";
        break;
    case CATALOGUE_ASPECT_STEPS:
        pr_lines(ctx, "procedure_info.list_item", p->steps, p->nsteps, NULL, &list);
        kk = "procedure_info.steps";
        break;
    case CATALOGUE_ASPECT_TIME:
        kk = "procedure_info.time";
        break;
    case CATALOGUE_ASPECT_WHERE:
        kk = "procedure_info.where";
        break;
    case CATALOGUE_ASPECT_ONLINE:
        kk = pr_online_key(p, "procedure_info.online", key, sizeof(key));
        break;
    case CATALOGUE_ASPECT_CONDITIONS:
        pr_lines(ctx, "procedure_info.list_dash", p->conditions, p->nconditions, NULL, &list);
        kk = list.len ? "procedure_info.conditions" : "procedure_info.conditions_none";
        break;
    case CATALOGUE_ASPECT_LEGAL:
        pr_lines(ctx, "procedure_info.list_dash", p->legal_basis, p->nlegal, NULL, &list);
        kk = list.len ? "procedure_info.legal" : "procedure_info.legal_none";
        break;
    case CATALOGUE_ASPECT_RESULT:
        kk = "procedure_info.result";
        break;
    case CATALOGUE_ASPECT_FORMS:
        pr_documents(ctx, p, c, PR_FORMS, &list);
        kk = list.len ? "procedure_info.forms" : "procedure_info.forms_none";
        break;
    default:
        break;
    }
    buf ch = {0};
    pr_channels(ctx, p, &ch);
    num_format(ndocs, (long long)p->ndocs);
    num_format(ncases, (long long)c->n);
    char okey[64];
    const char *sample = p->sample_data ? messages_get(ctx->msgs, "procedure_info.sample_note",
                                                       ctx->lang) : "";
    pr_fmt(ctx, out, kk, "name", p->name, "code", p->code, "list", list.data ? list.data : "",
           "case", k >= 0 ? c->label[k] : "", "ncases", ncases,
           "fee", p->fees[0].text, "time", p->time_text, "agency", p->agency, "channels",
           ch.data ? ch.data : "", "ndocs", ndocs, "result", p->result, "online",
           messages_get(ctx->msgs, pr_online_key(p, "procedure_info.online_short", okey,
                                                 sizeof(okey)), ctx->lang),
           "sample", sample, NULL);
    buf_free(&ch);
    buf_free(&list);
    /* the real records' note says who may apply ("Đối tượng thực hiện: ..."):
     * part of the conditions; any other note goes with the overview and the
     * documents */
    static const char who_prefix[] = "Đối tượng thực hiện";
    int who = p->note && !strncmp(p->note, who_prefix, sizeof(who_prefix) - 1);
    if (p->note && (who ? a == CATALOGUE_ASPECT_CONDITIONS
                        : a == CATALOGUE_ASPECT_OVERVIEW || a == CATALOGUE_ASPECT_DOCUMENTS))
        pr_fmt(ctx, out, "procedure_info.proc_note", "note", p->note, NULL);
}

static void pr_button(dialog_ctx *ctx, const char *title, const char *code, catalogue_aspect a)
{
    char payload[64];
    pr_cat(payload, sizeof(payload), "procedure_info:", code, ":", catalogue_aspect_name(a));
    reply_add_button(ctx->out, title, payload);
}

/* The same procedure at the other levels (xã, tỉnh, trung ương) as buttons. */
static void pr_levels(dialog_ctx *ctx, const catalogue_proc *p, catalogue_aspect a)
{
    const catalogue_proc *v;
    for (size_t i = 0; (v = catalogue_variant(ctx->catalogue, p, i)) != NULL; i++) {
        char key[64];
        if (v == p)
            continue;
        pr_cat(key, sizeof(key), "procedure_info.level.", v->level, NULL, NULL);
        buf title = {0};
        pr_fmt(ctx, &title, "procedure_info.level_btn", "level",
               messages_get(ctx->msgs, key, ctx->lang), NULL);
        pr_button(ctx, title.data ? title.data : "", v->code, a);
        buf_free(&title);
    }
}

/* A button title: name (a procedure's, never the unaccented short name, or
 * a case's), cut at the last whole word that fits (with "…"), never
 * mid-word. */
static void pr_title(const char *name, char *out, size_t cap)
{
    size_t n = strlen(name);
    if (n < cap && n <= PR_TITLE_MAX) {
        memcpy(out, name, n + 1);
        return;
    }
    size_t max = (cap < PR_TITLE_MAX + 1 ? cap - 1 : PR_TITLE_MAX) - 4;   /* room for "…" */
    size_t cut = max;
    while (cut > 0 && name[cut] != ' ')
        cut--;
    while (cut > 0 && (name[cut - 1] == ' ' || name[cut - 1] == ',' || name[cut - 1] == '('))
        cut--;
    memcpy(out, name, cut);
    memcpy(out + cut, "\xe2\x80\xa6", 4);   /* … */
}

/* The cases of p's documents as buttons ("procedure_info:<code>:documents:<k>"),
 * all but case skip. */
static void pr_case_buttons(dialog_ctx *ctx, const catalogue_proc *p, const catalogue_cases_t *c,
                            int skip)
{
    for (size_t i = 0; i < c->n; i++) {
        if ((int)i == skip)
            continue;
        char payload[64];
        snprintf(payload, sizeof(payload), "procedure_info:%s:documents:%zu", p->code, i + 1);
        buf title = {0};
        char cut[PR_TITLE_MAX + 8];
        pr_fmt(ctx, &title, "procedure_info.case_btn", "case", c->label[i], NULL);
        pr_title(title.data ? title.data : "", cut, sizeof(cut));
        reply_add_button(ctx->out, cut, payload);
        buf_free(&title);
    }
}

/* What to do next, one line: where to file (online when it can be). */
static void pr_next(dialog_ctx *ctx, const catalogue_proc *p, buf *text)
{
    buf ch = {0};
    char key[64];
    pr_channels(ctx, p, &ch);
    pr_cat(key, sizeof(key), "procedure_info.level.", p->level, NULL, NULL);
    pr_fmt(ctx, text, p->online_level >= 3 ? "procedure_info.next.online" : "procedure_info.next.direct",
           "code", p->code, "level", messages_get(ctx->msgs, key, ctx->lang), "channels",
           ch.data ? ch.data : "", NULL);
    buf_free(&ch);
}

/* Answer aspect a of p, with buttons for the other aspects. want: the case
 * of the documents chosen (0-based), or PR_ALL to pick it from the
 * question (norm, may be NULL) and to ask which when it names none. */
static void pr_answer(dialog_ctx *ctx, const catalogue_proc *p, catalogue_aspect a, int want,
                      const char *norm)
{
    json_object_set_new(ctx->session, "last_procedure", json_string(p->code));
    if (p->ended) {
        dialog_say(ctx, "procedure_info.ended", "name", p->name, "code", p->code, NULL);
        dialog_menu_button(ctx, INTENT_COMPLAINT_NEW);
        return;
    }
    catalogue_cases_t cases;
    int k = PR_ALL;
    if (a == CATALOGUE_ASPECT_DOCUMENTS && catalogue_cases(p, &cases) >= 2) {
        k = want >= 0 && (size_t)want < cases.n ? want
            : norm ? catalogue_case_pick(ctx->catalogue, p, &cases, norm) : -1;
        k = k >= 0 ? k : PR_COMMON;
    } else if (a != CATALOGUE_ASPECT_DOCUMENTS) {
        catalogue_cases(NULL, &cases);
    }
    buf text = {0};
    pr_render(ctx, p, a, &cases, k, &text);
    if (a != CATALOGUE_ASPECT_ONLINE)
        pr_next(ctx, p, &text);
    if (k == PR_COMMON) {       /* which case: the cases are the buttons */
        reply_add_text(ctx->out, text.data ? text.data : "");
        buf_free(&text);
        pr_case_buttons(ctx, p, &cases, -1);
        return;
    }
    if (catalogue_variant_count(ctx->catalogue, p) > 1) {
        char key[64];
        pr_cat(key, sizeof(key), "procedure_info.level.", p->level, NULL, NULL);
        pr_fmt(ctx, &text, "procedure_info.levels_note", "level",
               messages_get(ctx->msgs, key, ctx->lang), NULL);
    }
    reply_add_text(ctx->out, text.data ? text.data : "");
    buf_free(&text);
    if (k >= 0)
        pr_case_buttons(ctx, p, &cases, k);
    pr_levels(ctx, p, a);
    for (int i = 0; i < CATALOGUE_ASPECT_BUTTONS; i++) {
        if (i == (int)a)
            continue;
        char key[64];
        pr_cat(key, sizeof(key), "procedure_info.btn.", catalogue_aspect_name((catalogue_aspect)i),
               NULL, NULL);
        pr_button(ctx, messages_get(ctx->msgs, key, ctx->lang), p->code, (catalogue_aspect)i);
    }
}

/* Ask back with the closest procedures as buttons (keeping the aspect). */
static void pr_choose(dialog_ctx *ctx, const catalogue_hit *hits, size_t n, catalogue_aspect a)
{
    dialog_ask(ctx, "procedure_info.choose", INTENT_PROCEDURE_INFO);
    for (size_t i = 0; i < n; i++) {
        char title[PR_TITLE_MAX + 8];
        pr_title(hits[i].proc->name, title, sizeof(title));
        pr_button(ctx, title, hits[i].proc->code, a);
    }
}

/* Whose job it is, when the question names an outside topic (ly hôn -> the
 * court): said before "not found", and before the procedure of that body the
 * catalogue does hold (the court's online filing). */
static void pr_outside(dialog_ctx *ctx, const catalogue_answer *ans)
{
    if (ans->outside) {
        char key[96];
        pr_cat(key, sizeof(key), "procedure_info.outside.", ans->outside, NULL, NULL);
        dialog_say(ctx, key, NULL);
    }
}

/* Nothing close enough: whose job it is (an outside topic), then where to
 * ask (hotline, portal) and buttons for a person and a complaint. */
static void pr_not_found(dialog_ctx *ctx, const catalogue_answer *ans)
{
    pr_outside(ctx, ans);
    dialog_say(ctx, ans->outside ? "procedure_info.not_found_help" : "procedure_info.not_found",
               "query", ans->words, NULL);
    dialog_menu_button(ctx, INTENT_HUMAN_AGENT);
    dialog_menu_button(ctx, INTENT_COMPLAINT_NEW);
    json_object_set_new(ctx->session, "await", json_string(intent_name(INTENT_PROCEDURE_INFO)));
}

/* "procedure_info:<code>[:<aspect>[:<case>]]" -> code (or ""), aspect and
 * the case (0-based, or PR_ALL). Returns 0 when the message carried such a
 * payload. */
static int pr_payload(const dialog_ctx *ctx, char *code, size_t cap, catalogue_aspect *a, int *kase)
{
    *kase = PR_ALL;
    const char *p = ctx->msg->payload;
    static const char prefix[] = "procedure_info";
    if (!p || strncmp(p, prefix, sizeof(prefix) - 1))
        return -1;
    p += sizeof(prefix) - 1;
    code[0] = '\0';
    if (*p != ':')
        return 0;
    const char *colon = strchr(p + 1, ':');
    size_t n = colon ? (size_t)(colon - p - 1) : strlen(p + 1);
    snprintf(code, cap, "%.*s", (int)(n < cap ? n : cap - 1), p + 1);
    char aspect[32] = "";
    const char *more = colon ? strchr(colon + 1, ':') : NULL;
    if (colon)
        snprintf(aspect, sizeof(aspect), "%.*s",
                 (int)(more ? (size_t)(more - colon - 1) : strlen(colon + 1)), colon + 1);
    int asp = catalogue_aspect_from_name(aspect);
    if (asp >= 0)
        *a = (catalogue_aspect)asp;
    if (more && more[1] >= '1' && more[1] <= '9')
        *kase = atoi(more + 1) - 1;
    return 0;
}

/* Say key (with one placeholder) and route the next unmatched message here. */
static void pr_await(dialog_ctx *ctx, const char *key, const char *name, const char *value)
{
    dialog_say(ctx, key, name, value, NULL);
    json_object_set_new(ctx->session, "await", json_string(intent_name(INTENT_PROCEDURE_INFO)));
}

/* Ask the catalogue; answer, reuse last_procedure, ask back (returns 1:
 * the question is kept for the tap), or say not found. */
static int pr_search(dialog_ctx *ctx, const char *norm, catalogue_aspect *a)
{
    catalogue_answer ans;
    catalogue_ask(ctx->catalogue, norm, &ans);
    *a = ans.aspect;
    const char *last_code = dialog_session_str(ctx, "last_procedure");
    const catalogue_proc *last = last_code ? catalogue_find_code(ctx->catalogue, last_code) : NULL;
    if (ans.verdict == CATALOGUE_ANSWER || ans.verdict == CATALOGUE_CHOOSE)
        pr_outside(ctx, &ans);
    switch (ans.verdict) {
    case CATALOGUE_ANSWER:
        pr_answer(ctx, ans.hits[0].proc, *a, PR_ALL, norm);
        break;
    case CATALOGUE_CHOOSE:      /* the question is kept: its case words ("ủy quyền") */
        pr_choose(ctx, ans.hits, ans.nhits, *a);
        json_object_set_new(ctx->session, "procedure_question", json_string(norm));
        return 1;
    case CATALOGUE_EMPTY:   /* "còn lệ phí thì sao?" */
        if (last)
            pr_answer(ctx, last, *a, PR_ALL, norm);
        else
            dialog_ask(ctx, "procedure_info.ask", INTENT_PROCEDURE_INFO);
        break;
    default:
        pr_not_found(ctx, &ans);
        break;
    }
    return 0;
}

static void pr_by_code(dialog_ctx *ctx, const char *code, catalogue_aspect a, int kase,
                       const char *norm)
{
    const catalogue_proc *p = catalogue_find_code(ctx->catalogue, code);
    if (p) {
        pr_answer(ctx, p, a, kase, norm);
        return;
    }
    pr_await(ctx, "procedure_info.unknown_code", "code", code);
}

void dialog_procedure(dialog_ctx *ctx)
{
    if (!ctx->catalogue) {
        dialog_say(ctx, "procedure_info.unavailable", NULL);
        dialog_finish(ctx);
        return;
    }
    const char *text = ctx->msg->text ? ctx->msg->text : "";
    size_t len = strlen(text);
    char *norm = xmalloc(len + 1);
    if (norm_text(text, len, norm, len + 1, NULL) < 0)
        norm[0] = '\0';
    catalogue_aspect a = catalogue_aspect_detect(ctx->catalogue, norm);
    char code[32];
    int kase, chose = 0;
    if (pr_payload(ctx, code, sizeof(code), &a, &kase) == 0) {
        const char *asked = dialog_session_str(ctx, "procedure_question");
        if (code[0])
            pr_by_code(ctx, code, a, kase, asked);
        else
            dialog_ask(ctx, "procedure_info.ask", INTENT_PROCEDURE_INFO);
    } else if (ctx->ir->procedure_code[0]) {
        pr_by_code(ctx, ctx->ir->procedure_code, a, PR_ALL, norm);
    } else {
        chose = pr_search(ctx, norm, &a);
    }
    if (!chose)     /* a kept question serves the next tap only */
        json_object_del(ctx->session, "procedure_question");
    free(norm);
    dialog_finish(ctx);
}
