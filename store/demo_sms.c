/* demo_sms.c -- the simulator's copy of outbound SMS (see demo_sms.h). */
#include "store/demo_sms.h"

#include <stdio.h>
#include <string.h>

#define DEMO_SMS_KEY_MAX 64

/* "dvcbot:demo:sms:{msisdn}"; -1 for an empty or long number, or one with
 * other characters than digits and '+'. */
static int demo_sms_key(const char *msisdn, char *key)
{
    size_t n = strlen(msisdn);
    if (n == 0 || n > 20 || strspn(msisdn, "+0123456789") != n)
        return -1;
    snprintf(key, DEMO_SMS_KEY_MAX, "dvcbot:demo:sms:%s", msisdn);
    return 0;
}

int demo_sms_put(store *s, const char *msisdn, const char *json, size_t len,
                 store_reply_fn *fn, void *privdata)
{
    char key[DEMO_SMS_KEY_MAX], keep[16], ttl[16];
    if (demo_sms_key(msisdn, key) < 0)
        return -1;
    snprintf(keep, sizeof(keep), "%d", -DEMO_SMS_KEEP);
    snprintf(ttl, sizeof(ttl), "%d", DEMO_SMS_TTL_S);
    const char *push[] = {"RPUSH", key, json};
    const size_t push_len[] = {5, strlen(key), len};
    const char *trim[] = {"LTRIM", key, keep, "-1"};
    const char *expire[] = {"EXPIRE", key, ttl};
    if (store_commandargv(s, NULL, NULL, 3, push, push_len) < 0)
        return -1;
    /* commands are answered in order: EXPIRE's reply follows the others */
    store_commandargv(s, NULL, NULL, 4, trim, NULL);
    return store_commandargv(s, fn, privdata, 3, expire, NULL);
}

int demo_sms_list(store *s, const char *msisdn, store_reply_fn *fn, void *privdata)
{
    char key[DEMO_SMS_KEY_MAX];
    if (demo_sms_key(msisdn, key) < 0)
        return -1;
    const char *argv[] = {"LRANGE", key, "0", "-1"};
    return store_commandargv(s, fn, privdata, 4, argv, NULL);
}
