/* test_form.c -- unit tests of common/form.c: %XX and '+' decoding, bad
 * %-escapes kept as they are, the a=b&c=d iterator (empty keys, repeated
 * keys, pairs without '=', empty pairs, early stop, raw names, a length
 * shorter than the string) and the encoder's round trip. */
#include <stdlib.h>
#include <string.h>

#include "common/form.h"
#include "t.h"

static const char *dec(const char *s, int flags)
{
    static char out[256];
    form_decode(s, strlen(s), flags, out);
    return out;
}

/* Every pair as "name=val;" (or "name;" without '='), for comparison. */
static int collect(void *ctx, const char *name, size_t nlen, const char *val, size_t vlen)
{
    buf *b = ctx;
    buf_append(b, name, nlen);
    if (val) {
        buf_putc(b, '=');
        buf_append(b, val, vlen);
    }
    buf_putc(b, ';');
    return 0;
}

static const char *pairs(const char *q, size_t len, int flags)
{
    static char out[512];
    buf b = {0};
    int rc = form_each(q, len, flags, collect, &b);
    snprintf(out, sizeof out, "%s%s", rc ? "(rc)" : "", b.data ? b.data : "");
    buf_free(&b);
    return out;
}

static void test_decode(void)
{
    T_STREQ(dec("Xin+ch%C3%A0o", FORM_PLUS), "Xin chào", "'+' and %%XX under FORM_PLUS");
    T_STREQ(dec("Xin+ch%c3%a0o", 0), "Xin+chào", "lower-case hex; '+' kept without FORM_PLUS");
    T_STREQ(dec("%2B84%20901", FORM_PLUS), "+84 901", "%%2B is a '+' even under FORM_PLUS");
    T_STREQ(dec("100%", FORM_PLUS), "100%", "a '%%' at the end kept");
    T_STREQ(dec("%4", FORM_PLUS), "%4", "a '%%' with one digit left kept");
    T_STREQ(dec("%zz%4g%g4", FORM_PLUS), "%zz%4g%g4", "non-hex escapes kept");
    T_STREQ(dec("%%41", FORM_PLUS), "%A", "'%%%%41': the first '%%' kept, then %%41");
    T_STREQ(dec("%41%", FORM_PLUS), "A%", "an escape, then a bare '%%'");
    char out[8];
    T_OK(form_decode("a%00b", 5, 0, out) == 3 && !memcmp(out, "a\0b", 4), "%%00 decodes to a NUL byte");
    T_OK(form_decode("", 0, FORM_PLUS, out) == 0 && out[0] == '\0', "empty");
    /* the escape must fit within n: "%41" cut to 2 bytes is not decoded */
    T_OK(form_decode("%41", 2, 0, out) == 2 && !strcmp(out, "%4"), "an escape cut by n is kept");
}

static void test_each(void)
{
    T_STREQ(pairs("a=1&b=2", 7, FORM_PLUS), "a=1;b=2;", "two pairs in order");
    T_STREQ(pairs("text=Xin+ch%C3%A0o&from=%2B849", 30, FORM_PLUS), "text=Xin chào;from=+849;",
            "names and values decoded");
    T_STREQ(pairs("a=1&a=2&a=1", 11, FORM_PLUS), "a=1;a=2;a=1;", "repeated keys all passed, in order");
    T_STREQ(pairs("=v&=&a=", 7, FORM_PLUS), "=v;=;a=;", "empty keys and empty values passed");
    T_STREQ(pairs("flag&b=2", 8, FORM_PLUS), "flag;b=2;", "a pair without '=' has no value");
    T_STREQ(pairs("&&a=1&&&b=2&", 12, FORM_PLUS), "a=1;b=2;", "empty pairs skipped");
    T_STREQ(pairs("a=b=c", 5, FORM_PLUS), "a=b=c;", "split at the first '='");
    T_STREQ(pairs("a%3Db=c%26d", 11, FORM_PLUS), "a=b=c&d;", "encoded '=' and '&' do not split");
    T_STREQ(pairs("a+b%41=+", 8, FORM_RAW_NAMES | FORM_PLUS), "a+b%41= ;", "FORM_RAW_NAMES: name as is");
    T_STREQ(pairs("a=1&b=2", 5, FORM_PLUS), "a=1;b;", "only len bytes are read");
    T_STREQ(pairs("", 0, FORM_PLUS), "", "empty query: no call");
}

static int stop_at_b(void *ctx, const char *name, size_t nlen, const char *val, size_t vlen)
{
    (void)val;
    (void)vlen;
    ++*(int *)ctx;
    return nlen == 1 && name[0] == 'b' ? 7 : 0;
}

static void test_stop(void)
{
    int calls = 0;
    T_OK(form_each("a=1&b=2&c=3", 11, 0, stop_at_b, &calls) == 7 && calls == 2,
         "a non-zero callback value stops the walk and is returned");
    calls = 0;
    T_OK(form_each("a=1&c=3", 7, 0, stop_at_b, &calls) == 0 && calls == 2, "0 after the last pair");
}

static void test_encode(void)
{
    static const char raw[] = "Xin chào + a=b&c/d~e_f.g-h%";
    buf b = {0};
    form_encode(&b, raw, sizeof raw - 1);
    T_STREQ(b.data, "Xin%20ch%C3%A0o%20%2B%20a%3Db%26c%2Fd~e_f.g-h%25", "unreserved kept, the rest %%XX");
    char out[128];
    size_t n = form_decode(b.data, b.len, FORM_PLUS, out);
    T_OK(n == sizeof raw - 1 && !memcmp(out, raw, n), "form_decode(form_encode(s)) == s");
    buf_free(&b);
    char all[256];
    for (int i = 0; i < 256; i++)
        all[i] = (char)i;
    form_encode(&b, all, 256);
    char back[257];
    n = form_decode(b.data, b.len, 0, back);
    T_OK(n == 256 && !memcmp(back, all, 256), "round trip of all 256 byte values");
    buf_free(&b);
}

int main(void)
{
    test_decode();
    test_each();
    test_stop();
    test_encode();
    return t_done();
}
