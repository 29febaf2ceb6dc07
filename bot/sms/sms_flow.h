/* sms_flow.h -- one inbound SMS from Kannel to its answer: once per Kannel
 * id, pages of long answers, numbered buttons, router.
 *
 * Idempotency (the records are store/smsmo.h's): a claim "P<instance>" while
 * the MO is being processed (60 s), "D<coding><answer>" once answered
 * (sms.dedup_ttl_s).
 * A retry of an answered id gets the stored answer; a retry that arrives
 * while the first request is still in flight in this process waits for the
 * same answer; one in flight on another live instance (its heartbeat key,
 * store_instance()) is waited for, up to 3 s, then answered 503 so smsbox
 * retries; a "P" left by a dead instance or by a failed attempt of this one
 * is taken over. An MO that goes to the router is claimed by its session
 * turn's start and its answer stored by the turn's commit, in the same
 * script calls (router_handle_turn: the claim, and the reply rendered before
 * the commit, which carries the answer record; store/sessions.h), so a
 * lookup's MO takes three round trips; the answer goes out only once it is
 * stored. One that may ask for a page or a button is claimed with its pages
 * record first (smsmo_take_pages), a page served is stored by smsmo_save.
 *
 * Pages: a reply longer than sms.max_segments is cut into pages (sms.h);
 * page 1 is the answer and the others are kept in the number's pages record
 * (a small hash: cmd, next, pages, buttons; TTL session.ttl_s; store/smsmo.h),
 * written with the answer in one script call.
 * "<cmd> N", "<more keyword>" and "<more keyword> N" serve them; a bare digit
 * picks a numbered button of the last answer. Such a text's record is read
 * with the claim of its Kannel id (smsmo_take_pages: one round trip).
 *
 * Ownership: sms_flow_start() takes m; fn is called exactly once with ctx
 * (also when Redis fails: status 503), possibly before sms_flow_start()
 * returns. Errors: -1 when Redis is down (m is freed, fn is not called: the
 * caller answers 503). The flow knows nothing of HTTP: the endpoint
 * (bot/http/ep_sms.c) turns the answer into a response. */
#ifndef DVC_BOT_SMS_SMS_FLOW_H
#define DVC_BOT_SMS_SMS_FLOW_H

#include <stddef.h>

#include "bot/app/app.h"
#include "channels/message.h"

/* The answer of one MO: status 200 with the body (UTF-8; ucs2 = 1 when it
 * must go out as UCS-2, X-Kannel-Coding: 2), anything else means "try
 * later" (503). intent is a static name; body is valid during the call. */
typedef void sms_answer_fn(void *ctx, int status, const char *intent, int ucs2,
                           const char *body, size_t len);

/* Answer the MO m (Kannel id id, "" or NULL when none) through fn(ctx). */
int sms_flow_start(const app *ap, message *m, const char *id, sms_answer_fn *fn, void *ctx);

#endif
