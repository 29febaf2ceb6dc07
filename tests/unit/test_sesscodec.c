/* test_sesscodec.c -- the stored form of sessions and USSD routes
 * (store/sesscodec.c): round trips of every JSON kind, the version header,
 * old JSON texts still read (and flagged as legacy), and refusals of
 * truncated, corrupt or too deep input. */
#include <stdlib.h>
#include <string.h>

#include "t.h"
#include "store/sesscodec.h"

static int roundtrip(const char *text)
{
    json_t *v = json_loads(text, JSON_DECODE_ANY, NULL);
    buf b = {0};
    int legacy = -1, ok = v && sesscodec_encode(v, &b) == 0;
    json_t *w = ok ? sesscodec_decode(b.data, b.len, &legacy) : NULL;
    ok = ok && w && json_equal(v, w) && legacy == 0 &&
         (unsigned char)b.data[0] == SESSCODEC_MAGIC && b.data[1] == SESSCODEC_V1;
    json_decref(v);
    json_decref(w);
    buf_free(&b);
    return ok;
}

static void test_roundtrips(void)
{
    static const char *cases[] = {
        "{}", "[]", "null", "true", "false", "0", "-1", "9223372036854775807",
        "-9223372036854775808", "3.25", "-0.5", "\"\"", "\"Xin chào Anh/Chị\"",
        "{\"s\":[\"home\",\"proc\"],\"v\":{\"field\":\"dat-dai\"},\"p\":2,\"end\":false}",
        "{\"recent\":[{\"from\":\"citizen\",\"text\":\"a\\r\\n*1#\",\"at\":1764000000}]}",
        "{\"a\":{\"b\":{\"c\":[1,[2,[3,{\"d\":null}]]]}}}",
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++)
        T_OK(roundtrip(cases[i]), "round trip %s", cases[i]);
    /* a key and a string with a NUL byte survive */
    json_t *o = json_object();
    json_object_setn_new(o, "k\0y", 3, json_stringn("a\0b", 3));
    buf b = {0};
    sesscodec_encode(o, &b);
    json_t *w = sesscodec_decode(b.data, b.len, NULL);
    json_t *got = json_object_getn(w, "k\0y", 3);   /* json_equal stops at a NUL in a key */
    T_OK(json_object_size(w) == 1 && json_string_length(got) == 3 &&
             !memcmp(json_string_value(got), "a\0b", 3),
         "NUL bytes in a key and a value survive");
    json_decref(o);
    json_decref(w);
    buf_free(&b);
}

static void test_compact(void)
{
    const char *text = "{\"s\":[\"home\",\"procedures\",\"field\"],\"v\":{\"field\":\"ho-tich\","
                       "\"field_name\":\"Hộ tịch\"},\"p\":0,\"seen\":\"1*2*3\",\"n\":4,"
                       "\"last\":\"CON Chọn thủ tục:\\n1. Khai sinh\\n2. Kết hôn\",\"end\":false}";
    json_t *v = json_loads(text, 0, NULL);
    buf b = {0};
    sesscodec_encode(v, &b);
    char *js = json_dumps(v, JSON_COMPACT);
    T_OK(b.len < strlen(js), "version 1 is shorter than the JSON text (%zu < %zu bytes)", b.len,
         strlen(js));
    free(js);
    json_decref(v);
    buf_free(&b);
}

static void test_legacy(void)
{
    const char *old = "{\"turns\":3,\"lang\":\"en\",\"await\":\"dossier_status\"}";
    int legacy = 0;
    json_t *v = sesscodec_decode(old, strlen(old), &legacy);
    T_OK(v && legacy == 1 && json_integer_value(json_object_get(v, "turns")) == 3 &&
             !strcmp(json_string_value(json_object_get(v, "lang")), "en"),
         "an old JSON session is read, flagged legacy");
    buf b = {0};
    sesscodec_encode(v, &b);
    json_t *w = sesscodec_decode(b.data, b.len, &legacy);
    T_OK(w && legacy == 0 && json_equal(v, w), "and rewritten as version 1");
    json_decref(v);
    json_decref(w);
    buf_free(&b);
}

static void test_refusals(void)
{
    int legacy = 7;
    T_OK(!sesscodec_decode("", 0, &legacy) && legacy == 0, "empty refused");
    T_OK(!sesscodec_decode("{\"a\":", 5, NULL), "broken JSON refused");
    T_OK(!sesscodec_decode("\xC0\x02o\x00", 4, NULL), "unknown version refused");
    T_OK(!sesscodec_decode("\xC0\x01", 2, NULL), "header only refused");
    T_OK(!sesscodec_decode("\xC0\x01s\x05" "ab", 6, NULL), "string past the end refused");
    T_OK(!sesscodec_decode("\xC0\x01o\x7f", 4, NULL), "count past the end refused");
    T_OK(!sesscodec_decode("\xC0\x01s\x02\xff\xfe", 6, NULL), "invalid UTF-8 refused");
    T_OK(!sesscodec_decode("\xC0\x01nn", 4, NULL), "trailing bytes refused");
    T_OK(!sesscodec_decode("\xC0\x01i\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff", 13, NULL),
         "endless varint refused");
    T_OK(!sesscodec_decode("\xC0\x01" "d\x00\x00\x00\x00\x00\x00\xf0\x7f", 11, NULL),
         "infinity refused");
    /* a[1 a[1 ... n]] */
    buf b = {0};
    buf_append(&b, "\xC0\x01", 2);
    for (int i = 0; i < SESSCODEC_DEPTH_MAX + 2; i++)
        buf_append(&b, "a\x01", 2);
    buf_putc(&b, 'n');
    T_OK(!sesscodec_decode(b.data, b.len, NULL), "nesting past %d refused", SESSCODEC_DEPTH_MAX);
    buf_free(&b);
    json_t *v = json_array(), *top = v;
    for (int i = 0; i < SESSCODEC_DEPTH_MAX + 2; i++) {
        json_t *n = json_array();
        json_array_append_new(v, n);
        v = n;
    }
    buf c = {0};
    buf_puts(&c, "x");
    T_OK(sesscodec_encode(top, &c) == -1 && c.len == 1, "encoding too deep refused, buffer kept");
    T_OK(sesscodec_encode(NULL, &c) == -1, "NULL refused");
    json_decref(top);
    buf_free(&c);
}

int main(void)
{
    test_roundtrips();
    test_compact();
    test_legacy();
    test_refusals();
    return t_done();
}
