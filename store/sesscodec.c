/* sesscodec.c -- the compact stored form of sessions and USSD routes (see
 * sesscodec.h; the byte layout is in store/README.md "Session format").
 *
 * A value is one tag byte and its body:
 *   'n' null   't' true   'f' false
 *   'i' integer: zigzag varint        'd' real: 8 bytes, IEEE 754, little endian
 *   's' string: varint length, bytes (UTF-8)
 *   'a' array: varint count, values
 *   'o' object: varint count, then (varint key length, key bytes, value) each
 * Varints are LEB128 (7 bits a byte, low first, at most 10 bytes). */
#include "store/sesscodec.h"

#include <stdint.h>
#include <string.h>

#include "common/utf8.h"

static void sc_varint(buf *out, uint64_t v)
{
    unsigned char b[10];
    size_t n = 0;
    do {
        b[n] = (unsigned char)(v & 0x7F);
        v >>= 7;
        if (v)
            b[n] |= 0x80;
        n++;
    } while (v);
    buf_append(out, b, n);
}

static void sc_bytes(buf *out, char tag, const char *s, size_t n)
{
    if (tag)
        buf_putc(out, tag);
    sc_varint(out, n);
    buf_append(out, s, n);
}

static int sc_put(const json_t *v, buf *out, int depth)
{
    if (depth > SESSCODEC_DEPTH_MAX)
        return -1;
    switch (json_typeof(v)) {
    case JSON_NULL: buf_putc(out, 'n'); return 0;
    case JSON_TRUE: buf_putc(out, 't'); return 0;
    case JSON_FALSE: buf_putc(out, 'f'); return 0;
    case JSON_INTEGER: {
        uint64_t u = (uint64_t)json_integer_value(v);
        buf_putc(out, 'i');
        sc_varint(out, (u << 1) ^ (json_integer_value(v) < 0 ? UINT64_MAX : 0));
        return 0;
    }
    case JSON_REAL: {
        double d = json_real_value(v);
        uint64_t u;
        unsigned char b[9] = {'d'};
        memcpy(&u, &d, sizeof(u));
        for (int i = 0; i < 8; i++)
            b[1 + i] = (unsigned char)(u >> (8 * i));
        buf_append(out, b, sizeof(b));
        return 0;
    }
    case JSON_STRING:
        sc_bytes(out, 's', json_string_value(v), json_string_length(v));
        return 0;
    case JSON_ARRAY: {
        size_t i;
        json_t *e;
        buf_putc(out, 'a');
        sc_varint(out, json_array_size(v));
        json_array_foreach((json_t *)v, i, e)
            if (sc_put(e, out, depth + 1) < 0)
                return -1;
        return 0;
    }
    case JSON_OBJECT: {
        const char *k;
        size_t klen;
        json_t *e;
        buf_putc(out, 'o');
        sc_varint(out, json_object_size(v));
        json_object_keylen_foreach((json_t *)v, k, klen, e) {
            sc_bytes(out, 0, k, klen);
            if (sc_put(e, out, depth + 1) < 0)
                return -1;
        }
        return 0;
    }
    }
    return -1;
}

int sesscodec_encode(const json_t *v, buf *out)
{
    if (!v || !out)
        return -1;
    size_t mark = out->len;
    buf_putc(out, (char)SESSCODEC_MAGIC);
    buf_putc(out, SESSCODEC_V1);
    if (sc_put(v, out, 0) < 0) {
        out->len = mark;
        if (out->data)
            out->data[mark] = '\0';
        return -1;
    }
    return 0;
}

/* ---- decoding ------------------------------------------------------------ */

typedef struct sc_in {
    const unsigned char *p, *end;
} sc_in;

static int sc_get_varint(sc_in *in, uint64_t *v)
{
    uint64_t r = 0;
    for (int shift = 0; shift < 64 && in->p < in->end; shift += 7) {
        unsigned char b = *in->p++;
        r |= (uint64_t)(b & 0x7F) << shift;
        if (!(b & 0x80)) {
            *v = r;
            return 0;
        }
    }
    return -1;
}

/* A length that the remaining bytes can hold (each element takes >= 1 byte). */
static int sc_get_len(sc_in *in, size_t *n)
{
    uint64_t v;
    if (sc_get_varint(in, &v) < 0 || v > (uint64_t)(in->end - in->p))
        return -1;
    *n = (size_t)v;
    return 0;
}

static json_t *sc_get(sc_in *in, int depth);

static json_t *sc_get_array(sc_in *in, int depth)
{
    size_t n;
    if (sc_get_len(in, &n) < 0)
        return NULL;
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *e = sc_get(in, depth + 1);
        if (!e || json_array_append_new(a, e) < 0) {
            json_decref(a);
            return NULL;
        }
    }
    return a;
}

static json_t *sc_get_object(sc_in *in, int depth)
{
    size_t n, klen;
    if (sc_get_len(in, &n) < 0)
        return NULL;
    json_t *o = json_object();
    for (size_t i = 0; i < n; i++) {
        json_t *e = NULL;
        if (sc_get_len(in, &klen) < 0) {
            json_decref(o);
            return NULL;
        }
        const char *k = (const char *)in->p;
        in->p += klen;
        e = sc_get(in, depth + 1);
        /* a key must be UTF-8 (checked here, once); a repeated key keeps
         * the last value; setn_new takes e even when it fails */
        if (e && !utf8_valid(k, klen)) {
            json_decref(e);
            e = NULL;
        }
        if (!e || json_object_setn_new_nocheck(o, k, klen, e) < 0) {
            json_decref(o);
            return NULL;
        }
    }
    return o;
}

static json_t *sc_get(sc_in *in, int depth)
{
    if (depth > SESSCODEC_DEPTH_MAX || in->p >= in->end)
        return NULL;
    uint64_t u;
    size_t n;
    switch (*in->p++) {
    case 'n': return json_null();
    case 't': return json_true();
    case 'f': return json_false();
    case 'i':
        if (sc_get_varint(in, &u) < 0)
            return NULL;
        return json_integer((json_int_t)((u >> 1) ^ (0 - (u & 1))));
    case 'd': {
        if (in->end - in->p < 8)
            return NULL;
        u = 0;
        for (int i = 0; i < 8; i++)
            u |= (uint64_t)in->p[i] << (8 * i);
        in->p += 8;
        double d;
        memcpy(&d, &u, sizeof(d));
        return json_real(d);    /* NULL for NaN and infinities, as jansson's */
    }
    case 's': {
        if (sc_get_len(in, &n) < 0)
            return NULL;
        const char *str = (const char *)in->p;
        in->p += n;
        /* UTF-8 checked by common/utf8 (jansson's own check is per character) */
        return utf8_valid(str, n) ? json_stringn_nocheck(str, n) : NULL;
    }
    case 'a': return sc_get_array(in, depth);
    case 'o': return sc_get_object(in, depth);
    default: return NULL;
    }
}

json_t *sesscodec_decode(const char *p, size_t n, int *legacy)
{
    if (legacy)
        *legacy = 0;
    if (!p || n == 0)
        return NULL;
    if ((unsigned char)p[0] != SESSCODEC_MAGIC) {
        json_t *v = json_loadb(p, n, JSON_DECODE_ANY, NULL);  /* the former format */
        if (v && legacy)
            *legacy = 1;
        return v;
    }
    if (n < 2 || (unsigned char)p[1] != SESSCODEC_V1)
        return NULL;
    sc_in in = {(const unsigned char *)p + 2, (const unsigned char *)p + n};
    json_t *v = sc_get(&in, 0);
    if (v && in.p != in.end) {  /* trailing bytes: not ours */
        json_decref(v);
        v = NULL;
    }
    return v;
}
