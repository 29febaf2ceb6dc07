/* test_buf.c -- unit tests of common/buf.c's JSON escape (eight bytes a step,
 * then byte by byte): every byte value at every position of strings around
 * the word size gives what the plain byte-by-byte rule gives; UTF-8 passes
 * unchanged; buf_reserve makes room in one allocation. */
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "t.h"

/* The rule, one byte at a time: what buf_json_escape must write. */
static void ref_escape(buf *b, const unsigned char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        unsigned char c = s[i];
        char e[7] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15], 0};
        if (c == '"')
            buf_append(b, "\\\"", 2);
        else if (c == '\\')
            buf_append(b, "\\\\", 2);
        else if (c == '\n')
            buf_append(b, "\\n", 2);
        else if (c == '\r')
            buf_append(b, "\\r", 2);
        else if (c == '\t')
            buf_append(b, "\\t", 2);
        else if (c < 0x20)
            buf_append(b, e, 6);
        else
            buf_append(b, &s[i], 1);
    }
}

static int same_escape(const unsigned char *s, size_t n)
{
    buf a = {0}, b = {0};
    ref_escape(&a, s, n);
    buf_json_escape(&b, (const char *)s, n);
    int ok = a.len == b.len && (a.len == 0 || !memcmp(a.data, b.data, a.len));
    buf_free(&a);
    buf_free(&b);
    return ok;
}

static void test_every_byte_everywhere(void)
{
    unsigned char s[24];
    int bad = 0;
    for (size_t n = 1; n <= sizeof s; n++)
        for (size_t at = 0; at < n; at++)
            for (int c = 0; c < 256; c++) {
                memset(s, 'a', n);
                s[at] = (unsigned char)c;
                bad += !same_escape(s, n);
                /* a second special byte after it, and one right before it */
                if (at + 1 < n) {
                    s[at + 1] = '"';
                    bad += !same_escape(s, n);
                }
                if (at) {
                    s[at - 1] = '\\';
                    bad += !same_escape(s, n);
                }
            }
    T_OK(bad == 0, "every byte at every position of 1..24-byte strings escapes as the byte rule "
         "(%d differ)", bad);
}

static void test_runs(void)
{
    unsigned char s[200];
    int bad = 0;
    srand(7);
    for (int it = 0; it < 20000; it++) {
        size_t n = (size_t)(rand() % (int)sizeof s);
        for (size_t i = 0; i < n; i++)
            s[i] = (unsigned char)(rand() % 8 ? 0x20 + rand() % 0xe0 : rand() % 0x30);
        bad += !same_escape(s, n);
    }
    T_OK(bad == 0, "random strings with sparse specials escape as the byte rule (%d differ)", bad);
    const char *vi = "Xin chào! Tôi là trợ lý của Cổng Dịch vụ công.";
    buf b = {0};
    buf_json_escape(&b, vi, strlen(vi));
    T_STREQ(b.data, vi, "UTF-8 text without specials passes unchanged");
    buf_free(&b);
    buf_json_escape(&b, "a\"b\\c\nd\x01" "e\x1f", 10);
    T_STREQ(b.data, "a\\\"b\\\\c\\nd\\u0001e\\u001f", "quotes, backslashes, controls");
    buf_free(&b);
}

static void test_reserve(void)
{
    buf b = {0};
    buf_reserve(&b, 100);
    char *data = b.data;
    T_OK(b.cap == 101 && b.len == 0 && b.data && b.data[0] == '\0',
         "reserve: room for 100 and the NUL");
    for (int i = 0; i < 10; i++)
        buf_append(&b, "0123456789", 10);
    T_OK(b.data == data && b.len == 100 && b.cap == 101, "100 bytes appended without growing");
    buf_reserve(&b, 0);
    T_OK(b.data == data, "reserving what is there changes nothing");
    buf_free(&b);
}

int main(void)
{
    test_every_byte_everywhere();
    test_runs();
    test_reserve();
    return t_done();
}
