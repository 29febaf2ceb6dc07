/* demo_sms.h -- the SMS thread of the simulator under `make run`: the
 * outbound SMS that scripts/demo-smsc.py received from Kannel's fake SMSC,
 * kept per phone number so the simulator page can show them.
 *
 * Owner: [ops]. Keys (store/README.md, "Demo SMS"):
 *   dvcbot:demo:sms:{msisdn}   list of JSON objects {"ts","from","text"}, oldest
 *                              first, the last DEMO_SMS_KEEP, expiring a day
 *                              after the last one
 * Used only when `dvcbot serve --demo-sms` runs (scripts/run.sh), never in
 * production: dvcbot keeps no copy of what it sends otherwise.
 *
 * Calls are asynchronous; they return -1 without calling back when the store
 * is down or an argument is invalid, else fn runs exactly once with the
 * reply (NULL on failure). */
#ifndef DVC_STORE_DEMO_SMS_H
#define DVC_STORE_DEMO_SMS_H

#include <stddef.h>

#include "store/redis.h"

#define DEMO_SMS_KEEP 50
#define DEMO_SMS_TTL_S 86400

/* Append json (len bytes) to msisdn's thread; fn gets EXPIRE's reply. */
int demo_sms_put(store *s, const char *msisdn, const char *json, size_t len,
                 store_reply_fn *fn, void *privdata);

/* msisdn's thread: fn gets an array reply of JSON strings, oldest first. */
int demo_sms_list(store *s, const char *msisdn, store_reply_fn *fn, void *privdata);

#endif
