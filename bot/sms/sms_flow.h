/* sms_flow.h -- one inbound SMS from Kannel to its answer: once per Kannel
 * id, pages of long answers, numbered buttons, router.
 *
 * Idempotency: dvcbot:smsmo:{id} holds "P<instance>" while the MO is being
 * processed (60 s) and "D<coding><answer>" once answered (sms.dedup_ttl_s).
 * A retry of an answered id gets the stored answer; a retry that arrives
 * while the first request is still in flight in this process waits for the
 * same answer; a "P" left by a dead process (another instance id) or by a
 * failed attempt of this one is taken over.
 *
 * Pages: a reply longer than sms.max_segments is cut into pages (sms.h);
 * page 1 is the answer and the others are kept in dvcbot:smspages:{msisdn}
 * (JSON {"cmd","pages","next","buttons"}, TTL session.ttl_s). "<cmd> N",
 * "<more keyword>" and "<more keyword> N" serve them; a bare digit picks a
 * numbered button of the last answer.
 *
 * Ownership: sms_flow_start() takes m; p is answered exactly once through
 * sms_answer() (also when Redis fails: 503). Errors: -1 when Redis is down
 * (m is freed, p untouched: the caller answers 503). */
#ifndef DVC_SMS_FLOW_H
#define DVC_SMS_FLOW_H

#include <stddef.h>

#include "bot/http/http.h"
#include "bot/http/server.h"
#include "channels/message.h"

int sms_flow_start(server *s, message *m, const char *id, http_pending *p);

/* Implemented by ep_sms.c: answer one waiting request (status 200 with the
 * body, X-Kannel-Coding: 2 when ucs2; anything else is a 503). */
void sms_answer(http_pending *p, int status, const char *intent, int ucs2, const char *body,
                size_t len);
void sms_answer_unavailable(struct lws *wsi, http_req *hr);

#endif
