/* msisdn.c -- canonical Vietnamese mobile numbers (see msisdn.h). */
#include "channels/msisdn.h"

#include <string.h>

/* The digits of in without separators; -1 on any other character or when
 * there are too many digits to be a phone number. A '+' is allowed only
 * first, and reported in *plus. */
static int msisdn_digits(const char *in, char *d, size_t cap, int *plus)
{
    size_t n = 0;
    *plus = 0;
    for (const char *p = in; *p; p++) {
        if (*p >= '0' && *p <= '9') {
            if (n + 1 >= cap)
                return -1;
            d[n++] = *p;
        } else if (*p == '+' && n == 0 && !*plus) {
            *plus = 1;
        } else if (!strchr(" .-()\t", *p)) {
            return -1;
        }
    }
    d[n] = '\0';
    return (int)n;
}

/* The national significant number is a plausible mobile number. */
static int msisdn_national_ok(const char *nsn, size_t n)
{
    if (n == 9)
        return strchr("35789", nsn[0]) != NULL;
    if (n == 10)
        return nsn[0] == '1';
    return 0;
}

int msisdn_normalize(const char *in, char out[MSISDN_MAX])
{
    char d[32];
    int plus;
    out[0] = '\0';
    if (!in)
        return -1;
    int n = msisdn_digits(in, d, sizeof(d), &plus);
    if (n <= 0)
        return -1;
    const char *nsn;
    if (!plus && !strncmp(d, "0084", 4))
        nsn = d + 4;
    else if (!strncmp(d, "84", 2))
        nsn = d + 2;            /* national numbers start with 0: no clash */
    else if (plus || d[0] != '0' || d[1] == '0')
        return -1;              /* another country, or no prefix at all */
    else
        nsn = d;                /* the trunk zero is dropped below */
    if (nsn[0] == '0')
        nsn++;                  /* national "0912...", or "+84 (0) 912 ..." */
    size_t len = strlen(nsn);
    if (!msisdn_national_ok(nsn, len))
        return -1;
    memcpy(out, "84", 2);
    memcpy(out + 2, nsn, len + 1);
    return 0;
}
