/* test_msisdn.c -- msisdn_normalize: every accepted spelling of a Vietnamese
 * mobile number gives the same 84xxxxxxxxx; everything else is refused. */
#include "t.h"

#include "channels/msisdn.h"

static void t_good(const char *in, const char *want)
{
    char out[MSISDN_MAX] = "x";
    int rc = msisdn_normalize(in, out);
    T_OK(rc == 0, "accepted: '%s'", in);
    T_STREQ(out, want, "canonical form of '%s'", in);
}

static void t_bad(const char *in)
{
    char out[MSISDN_MAX] = "x";
    int rc = msisdn_normalize(in, out);
    T_OK(rc == -1 && out[0] == '\0', "refused: '%s'", in ? in : "(null)");
}

int main(void)
{
    t_good("84912345678", "84912345678");
    t_good("+84912345678", "84912345678");
    t_good("0912345678", "84912345678");
    t_good("0912 345 678", "84912345678");
    t_good("0912.345.678", "84912345678");
    t_good("0912-345-678", "84912345678");
    t_good("+84 912 345 678", "84912345678");
    t_good("+84 (0) 912 345 678", "84912345678");
    t_good("0084912345678", "84912345678");
    t_good("840912345678", "84912345678");
    t_good("0849123456", "84849123456");    /* Vinaphone 084 prefix */
    t_good("0321234567", "84321234567");
    t_good("0561234567", "84561234567");
    t_good("0701234567", "84701234567");
    t_good("0812345678", "84812345678");
    t_good("01682345678", "841682345678");  /* old 11-digit number */
    t_good("+841682345678", "841682345678");

    t_bad(NULL);
    t_bad("");
    t_bad("   ");
    t_bad("+");
    t_bad("912345678");         /* no prefix */
    t_bad("0012025550123");     /* another country, 00 prefix */
    t_bad("+12025550123");      /* another country */
    t_bad("091234567");         /* too short */
    t_bad("09123456789");       /* 10 digits not starting with 1 */
    t_bad("0212345678");        /* 2x is a fixed line */
    t_bad("0412345678");
    t_bad("0612345678");
    t_bad("0012345678");
    t_bad("84");
    t_bad("84012345678");       /* nothing after the trunk zero is valid */
    t_bad("0912345678a");
    t_bad("0912/345/678");
    t_bad("09123+45678");
    t_bad("++84912345678");
    t_bad("0912345678901234567890123456789");
    t_bad("0912\n345678");
    return t_done();
}
