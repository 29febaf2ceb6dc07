/* sesscodec.h -- the stored form of a conversation session and of a USSD
 * route: a compact, versioned binary encoding of a JSON value, owned by
 * store/ (the router and the USSD engine keep working on jansson objects;
 * only the bytes in Redis change). Format: store/README.md "Session format".
 *
 * Why: jansson's text parser and dumper cost ~170 instructions per byte,
 * 30-40% of a USSD request (docs/performance.md). This encoding is a tag
 * byte per value and length-prefixed strings: decoding builds the same
 * objects without lexing, encoding is a walk with memcpy.
 *
 * Version 1 (SESSCODEC_V1): the bytes 0xC0 0x01, then one value. 0xC0 can
 * never start a JSON text (nor any UTF-8 text), so a value written by an
 * earlier dvcbot (a JSON object text) is told apart by its first byte and
 * still read: sesscodec_decode parses it with jansson and says so (*legacy),
 * and the caller's next save writes version 1 (the migration: a session is
 * rewritten at its next turn, idle ones expire with their TTL).
 *
 * Pure functions, no I/O; fuzzed by tests/fuzz/fuzz_sesscodec.c. */
#ifndef DVC_STORE_SESSCODEC_H
#define DVC_STORE_SESSCODEC_H

#include <stddef.h>
#include <jansson.h>

#include "common/buf.h"

#define SESSCODEC_MAGIC 0xC0
#define SESSCODEC_V1 0x01
#define SESSCODEC_DEPTH_MAX 32  /* nesting refused beyond this (encode and decode) */

/* Append the version-1 encoding of v to out. Returns 0, or -1 (out left as
 * it was) when v is NULL or nested deeper than SESSCODEC_DEPTH_MAX. */
int sesscodec_encode(const json_t *v, buf *out);

/* The value stored in p[0..n): a new reference (the caller json_decref()s
 * it), or NULL when the bytes are neither version 1 nor a JSON text (a
 * corrupt or foreign value: the caller starts afresh). *legacy (may be NULL)
 * is set to 1 when the bytes were the former JSON format, else 0. Never
 * reads outside p[0..n); any bytes are safe. */
json_t *sesscodec_decode(const char *p, size_t n, int *legacy);

#endif
