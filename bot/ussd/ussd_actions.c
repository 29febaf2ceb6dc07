/* ussd_actions.c -- what USSD screens fetch and do (see ussd_int.h): list
 * sources (the caller's dossiers, agencies, catalogue fields and
 * procedures) and actions. Actions go through the router with a button
 * payload on CHANNEL_USSD, as a button press on another channel would, so
 * the same dialogs answer (payment_sms is "payment:<code>:sms": the payment
 * dialog queues the details by SMS to the caller's number); a complaint is filed with complaints_create()
 * (topic, text, the caller's number as contact; a token of the session and
 * turn makes a replayed confirm file nothing new). */
#include "bot/ussd/ussd_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "catalogue/catalogue.h"
#include "common/buf.h"
#include "store/complaints.h"
#include "store/dossiers.h"
#include "common/num.h"
#include "common/utf8.h"
#include "common/xmalloc.h"

static const char *ussd_var(ussd_call *c, const char *name)
{
    return json_string_value(json_object_get(ussd_vars(c), name));
}

static void ussd_listed(int status, json_t *const *recs, size_t n, void *privdata)
{
    ussd_call *c = privdata;
    if (status < 0) {
        ussd_flow_fail(c);
        return;
    }
    const char *src = ussd_top(c)->source;
    buf items = {0};
    size_t count = 0;
    for (size_t i = 0; i < n; i++) {
        const char *code = json_string_value(json_object_get(recs[i], "code"));
        const char *st = json_string_value(json_object_get(recs[i], "status"));
        int fin = ids_dossier_status_final(st);
        int returned = st && (!strcmp(st, "done") || !strcmp(st, "returned"));
        long long due = 0;
        if (!code || (!strcmp(src, "my_returned") && !returned) ||
            (!strcmp(src, "my_open") && fin) ||
            (!strcmp(src, "my_due") && !dossiers_fee_due(recs[i], &due)))
            continue;
        char key[96];
        snprintf(key, sizeof(key), "dossier_status.status.%s", st ? st : "");
        buf b = {0};
        buf_printf(&b, "%s %s", code, messages_get(c->f->d.msgs, key, "vi"));
        char *label = buf_detach(&b, NULL);
        ussd_item_put(&items, &count, code, label);
        free(label);
    }
    ussd_strs_set(c, "it", &items);
    buf_free(&items);
    ussd_show(c);
}

/* The (value, label) pairs of a list, in order, before they become st.it. */
typedef struct ussd_pairs {
    const char **s;             /* value, label, value, label... (borrowed) */
    size_t n, cap;
    char *nums;                 /* field numbers, NUM_MAX bytes each */
} ussd_pairs;

static void ussd_pair(ussd_pairs *p, const char *value, const char *label)
{
    if (p->n + 2 > p->cap)
        p->s = xrealloc(p->s, (p->cap = p->cap ? 2 * p->cap : 32) * sizeof(char *));
    p->s[p->n++] = value ? value : "";
    p->s[p->n++] = label ? label : "";
}

static void ussd_catalogue_items(ussd_call *c, const ussd_screen *sc, ussd_pairs *out)
{
    const catalogue *cat = c->f->d.catalogue;
    if (!cat)
        return;
    if (!strcmp(sc->source, "fields")) {   /* a field of ended procedures only is not offered */
        out->nums = xcalloc(catalogue_nfields(cat) + 1, NUM_MAX);
        for (size_t i = 0; i < catalogue_nfields(cat); i++) {
            size_t n = 0, live = 0;
            const catalogue_proc *const *procs = catalogue_field_procs(cat, i, &n);
            for (size_t k = 0; k < n; k++)
                live += !procs[k]->ended;
            if (live) {
                char *num = out->nums + NUM_MAX * i;
                num_format(num, (long long)i);
                ussd_pair(out, num, catalogue_field_name(cat, i));
            }
        }
        return;
    }
    const char *f = ussd_var(c, "field");
    size_t n = 0;
    const catalogue_proc *const *procs =
        f ? catalogue_field_procs(cat, (size_t)strtoul(f, NULL, 10), &n) : NULL;
    for (size_t i = 0; procs && i < n; i++)     /* ended ones (COVID-19 support) are off the menu */
        if (!procs[i]->ended)
            ussd_pair(out, procs[i]->code, procs[i]->short_name);
}

void ussd_list_enter(ussd_call *c, const ussd_screen *sc)
{
    if (!strncmp(sc->source, "my_", 3)) {
        if (dossiers_by_phone(c->f->d.store, c->req.msisdn, ussd_listed, c) < 0)
            ussd_flow_fail(c);
        return;
    }
    ussd_pairs p = {0};
    if (!strcmp(sc->source, "agencies")) {
        const ussd_menu *m = c->f->d.menu;
        for (size_t i = 0; i < ussd_menu_nagencies(m); i++) {
            const ussd_agency *a = ussd_menu_agency(m, i);
            ussd_pair(&p, a->id, messages_get(c->f->d.msgs, a->label, "vi"));
        }
    } else {
        ussd_catalogue_items(c, sc, &p);
    }
    ussd_cache_items(c, p.s, p.n);
    free(p.s);
    free(p.nums);
    ussd_show(c);
}

/* Show the text of key (with one optional placeholder) as the result. */
static void ussd_result_key(ussd_call *c, const char *key, const char *name, const char *value)
{
    buf b = {0};
    messages_format(c->f->d.msgs, key, "vi", &b, name, value, NULL);
    char *t = buf_detach(&b, NULL);
    ussd_set_result(c, t);
    free(t);
    ussd_show(c);
}

/* The case buttons of a procedure answer ("procedure_info:<code>:documents:<n>")
 * become numbered lines, under the header ussd.cases, put before the text
 * (a long list of documents would push them pages away) or, answering a case
 * picked, after it; their payloads go to st.btn, for the number the caller
 * types next (ussd_action_pick). */
static void ussd_case_lines(ussd_call *c, const reply *r, buf *b)
{
    static const char prefix[] = "procedure_info:";
    buf btn = {0};
    size_t n = 0;
    for (size_t i = 0; i < r->nparts; i++)
        for (size_t j = 0; j < r->parts[i].nbuttons; j++) {
            const reply_button *k = &r->parts[i].buttons[j];
            if (!k->payload || !k->title || strncmp(k->payload, prefix, sizeof(prefix) - 1)
                || !strstr(k->payload, ":documents:") || n >= 9
                || !utf8_valid(k->payload, strlen(k->payload)))
                continue;
            if (!n)
                buf_puts(b, messages_get(c->f->d.msgs, "ussd.cases", "vi"));
            ussd_strs_put(&btn, k->payload);
            buf_printf(b, "\n%zu. %s", ++n, k->title);
        }
    ussd_strs_set(c, "btn", &btn);  /* none: no st.btn */
    buf_free(&btn);
}

static void ussd_routed(int status, reply *r, const char *intent, void *ctx)
{
    ussd_call *c = ctx;
    (void)intent;
    if (status != ROUTER_OK || !r) {
        reply_free(r);
        ussd_flow_fail(c);
        return;
    }
    buf b = {0}, cases = {0};
    json_object_del(c->st, "btn");
    ussd_case_lines(c, r, &cases);
    /* the cases first, but after the answer to a case picked (the others) */
    int picked = json_is_true(json_object_get(c->st, "picked"));
    json_object_del(c->st, "picked");
    if (cases.len && !picked)
        buf_puts(&b, cases.data);
    for (size_t i = 0; i < r->nparts; i++) {
        if (!r->parts[i].text || !*r->parts[i].text)
            continue;
        if (b.len)
            buf_putc(&b, '\n');
        buf_puts(&b, r->parts[i].text);
    }
    if (cases.len && picked) {
        buf_putc(&b, '\n');
        buf_puts(&b, cases.data);
    }
    buf_free(&cases);
    reply_free(r);
    char *t = buf_detach(&b, NULL);
    ussd_set_result(c, t);
    free(t);
    ussd_show(c);
}

void ussd_action_pick(ussd_call *c, const char *payload)
{
    json_object_set_new(c->st, "picked", json_true());
    ussd_action_payload(c, payload);
}

void ussd_action_payload(ussd_call *c, const char *payload)
{
    message *m = message_new(CHANNEL_USSD, c->req.msisdn, strlen(c->req.msisdn));
    m->payload = xstrdup(payload);
    json_object_set_new(c->st, "p", json_integer(0));
    if (router_handle(c->f->d.router, m, ussd_routed, c) < 0)
        ussd_flow_fail(c);
}

/* Hand a synthesised button press "<intent>:<a><sep><b>" to the router. */
static void ussd_route(ussd_call *c, const char *intent, const char *a, const char *sep,
                       const char *b)
{
    buf p = {0};
    buf_printf(&p, "%s:%s%s%s", intent, a, b ? sep : "", b ? b : "");
    char *payload = buf_detach(&p, NULL);
    ussd_action_payload(c, payload);
    free(payload);
}

static void ussd_filed(int status, const char *code, int created, void *privdata)
{
    ussd_call *c = privdata;
    (void)created;
    if (status < 0) {
        ussd_flow_fail(c);
        return;
    }
    if (status == 2) { /* the number's complaint budget of the day (store/complaints.h) */
        ussd_result_key(c, "complaint_new.limited", NULL, NULL);
        return;
    }
    ussd_result_key(c, "complaint_new.filed", "code", code);
}

static void ussd_complaint(ussd_call *c)
{
    const config *cfg = c->f->d.cfg;
    char token[MSISDN_MAX + USSD_SESSION_MAX + 40];
    snprintf(token, sizeof(token), "ussd:%s:%lld", c->key,
             (long long)json_integer_value(json_object_get(c->st, "n")));
    complaint_new n = {
        .channel = "ussd", .user = c->req.msisdn, .contact = c->req.msisdn,
        .topic = ussd_var(c, "topic"), .text = ussd_var(c, "text"), .dossier_code = "",
        .agency = cfg->domain.complaint_agency, .token = token, .now = time(NULL),
        .tz_offset_min = cfg->domain.tz_offset_min, .per_day = cfg->limits.complaints_per_day,
    };
    if (!n.text) {
        ussd_result_key(c, "ussd.error.text", NULL, NULL);
        return;
    }
    if (complaints_create(c->f->d.store, &n, ussd_filed, c) < 0)
        ussd_flow_fail(c);
}

/* agency + ddmmyy + sequence -> the canonical code, in v.code. */
static int ussd_code_from_parts(ussd_call *c)
{
    const char *ag = ussd_var(c, "agency"), *d = ussd_var(c, "date"), *sq = ussd_var(c, "seq");
    if (!ag || !d || !sq || strlen(d) != 6 || strlen(sq) > 4)
        return -1;
    char code[DOSSIERS_CODE_MAX + 16];
    snprintf(code, sizeof(code), "%s-%.2s%.2s%.2s-%04d", ag, d + 4, d + 2, d, atoi(sq));
    json_object_set_new(ussd_vars(c), "code", json_string(code));
    return 0;
}

void ussd_action_enter(ussd_call *c, const ussd_screen *sc)
{
    const char *a = sc->action, *code = ussd_var(c, "code");
    if (!strcmp(a, "dossier_status_parts")) {
        if (ussd_code_from_parts(c) == 0)
            code = ussd_var(c, "code");
        a = "dossier_status";
    }
    if (!strcmp(a, "complaint_file")) {
        ussd_complaint(c);
    } else if (!strcmp(a, "procedure_info") && ussd_var(c, "proc")) {
        const char *asp = ussd_var(c, "aspect");
        ussd_route(c, "procedure_info", ussd_var(c, "proc"), ":", asp ? asp : "overview");
    } else if (!strcmp(a, "complaint_status") && ussd_var(c, "pa") &&
               strlen(ussd_var(c, "pa")) == 10) {
        const char *pa = ussd_var(c, "pa");
        char pc[COMPLAINT_CODE_MAX];
        snprintf(pc, sizeof(pc), "PA-%.6s-%.4s", pa, pa + 6);
        ussd_route(c, "complaint_status", pc, "", NULL);
    } else if (code && !strcmp(a, "dossier_status")) {
        ussd_route(c, "dossier_status", code, "", NULL);
    } else if (code && !strcmp(a, "subscribe")) {
        ussd_route(c, "subscribe", code, "", NULL);
    } else if (code && !strcmp(a, "payment")) {
        ussd_route(c, "payment", code, "", NULL);
    } else if (code && !strcmp(a, "payment_sms")) {
        ussd_route(c, "payment", code, ":", "sms");
    } else if (code && !strcmp(a, "rating") && ussd_var(c, "score")) {
        ussd_route(c, "rating", code, " ", ussd_var(c, "score"));
    } else {
        ussd_result_key(c, "ussd.error.choice", NULL, NULL);
    }
}
