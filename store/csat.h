/* csat.h -- customer satisfaction with the operators of the web chat
 * (issue 19): after an operator hands a conversation back, its citizen may
 * rate the help 1-5 once; the score counts for that operator.
 *
 * Keys (store/README.md):
 *   dvcbot:csat:pending:{conv}   string operator, EX 1 day (agentq_release.lua)
 *   dvcbot:stats:csat            hash {operator}|all : count|sum|s1..s5
 *
 * csat_put returns -1 on bad arguments (no call made; fn not called), else 0
 * and fn later gets status 0 with the operator's name (valid during the
 * call), 1 when nothing is pending for conv (never handed back, already
 * rated or expired), or -1 when Redis fails. */
#ifndef DVC_STORE_CSAT_H
#define DVC_STORE_CSAT_H

#include "store/redis.h"

typedef void csat_done_fn(int status, const char *operator_name, void *privdata);

int csat_put(store *s, const char *conv, int score, csat_done_fn *fn, void *privdata);

#endif
