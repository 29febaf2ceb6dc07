/* sms.h -- codec of the SMS channel (Kannel smsbox <-> dvcbot). Pure: no I/O.
 *
 * Inbound (MO): Kannel calls GET /sms/kannel?from=%p&to=%P&text=%a&id=%I&...
 * or POSTs the text with X-Kannel-* headers (docs/sms.md). The endpoint
 * collects the fields into an sms_raw (sms_raw_set / sms_query_parse), and
 * sms_parse() turns them into a struct message on CHANNEL_SMS whose user is
 * the normalised MSISDN (84xxxxxxxxx) and whose text is valid UTF-8.
 *
 * Outbound (MT and replies): sms_render() turns a struct reply into one or
 * more pages, each of which fits sms.max_segments segments: folded to
 * unaccented GSM-7 text by default (160 septets, 153 per concatenated
 * segment, extension-table characters count 2), or UTF-8 for UCS-2 (70, 67)
 * when unicode is set. A page that is not the last one ends with the "more"
 * hint (a template from messages.vi.json with {cmd} and {page}) so Kannel
 * never has to cut a reply. Buttons become numbered lines "1. Title" only if
 * they fit on the last page.
 *
 * Delivery reports: sms_dlr_parse() reads GET /sms/kannel/dlr?id=&status=.
 * sms_sendsms_url() builds a Kannel /cgi-bin/sendsms URL.
 *
 * Ownership: sms_raw owns its copies (sms_raw_clear); sms_pages owns its
 * pages (sms_pages_free, accepts NULL); returned strings are malloc'd.
 * Errors: functions return 0 / -1, or NULL with *errkey set to a key under
 * "errors." of messages.vi.json. */
#ifndef DVC_CHANNELS_SMS_H
#define DVC_CHANNELS_SMS_H

#include <stddef.h>

#include "common/buf.h"
#include "channels/message.h"

#define SMS_ID_MAX 64           /* bytes of a Kannel %I or an outbox id */
#define SMS_ADDR_MAX 32         /* bytes of a short code / sender */
#define SMS_MAX_PAGES 9         /* page numbers are one digit */

typedef struct sms_str {
    char *p;                    /* NULL when absent; NUL-terminated copy */
    size_t n;
} sms_str;

/* The fields of one MO or DLR as Kannel sent them (decoded, not checked).
 * Start from {0}; the copies go to the inline space while they fit (an MO's
 * short fields: no allocation each), else to the heap. */
#define SMS_RAW_INLINE 512
typedef struct sms_raw {
    sms_str from, to, text, id, time, smsc, coding, charset, status, secret;
    size_t used;                /* bytes of inline taken */
    char inline_[SMS_RAW_INLINE];
} sms_raw;

/* Store a field by its query name ("from", "to", "text", "id", "time",
 * "smsc", "coding", "charset", "status", "secret") or X-Kannel header name
 * ("x-kannel-from", ...; case-insensitive). The first value of a field wins.
 * Returns 1 if the name is known, 0 if ignored. */
int sms_raw_set(sms_raw *r, const char *name, size_t nlen, const char *val, size_t vlen);
/* Split a query string at '&', URL-decode names and values ('+' is a space;
 * form_each of common/form.h) and sms_raw_set() each pair that has a '='. */
void sms_query_parse(sms_raw *r, const char *q, size_t len);
void sms_raw_clear(sms_raw *r);

typedef struct sms_mo {
    char id[SMS_ID_MAX + 1];    /* Kannel message id (%I), "" when absent */
    char to[SMS_ADDR_MAX + 1];  /* the short code, "" when absent */
    int coding;                 /* 0 7-bit, 1 8-bit, 2 UCS-2; -1 unknown */
} sms_mo;

/* Check and convert raw into a message (CHANNEL_SMS). The text is converted
 * to UTF-8 from charset (UTF-16BE/UCS-2, UTF-8, else Latin-1), control
 * characters become spaces, it is trimmed and cut at max_text bytes on a
 * character boundary. An empty or binary (coding 1) text gives a message
 * with text NULL and payload "help". Errors ("errors." keys, HTTP 400):
 * "invalid_sender" (from missing or not a phone number), "invalid_id".
 * mo may be NULL. */
message *sms_parse(const sms_raw *raw, size_t max_text, sms_mo *mo, const char **errkey);

typedef struct sms_render_opts {
    int unicode;                /* 1: UCS-2 (UTF-8 to Kannel), 0: fold to GSM-7 */
    int max_segments;           /* budget of one page, >= 1 */
    const char *more;           /* hint template with {cmd} and {page}; NULL: cut */
    const char *cmd;            /* what to send again for page N (e.g. "TT 1.001193") */
    int max_pages;              /* 1..SMS_MAX_PAGES */
} sms_render_opts;

typedef struct sms_pages {
    char **page;                /* UTF-8 texts, each within the budget */
    size_t n;                   /* >= 1 */
    size_t nbuttons;            /* buttons rendered as numbered lines (0: none) */
    int truncated;              /* the text did not fit in max_pages pages */
} sms_pages;

/* Render r (NULL or empty: one empty page) into out. Returns 0. */
int sms_render(const reply *r, const sms_render_opts *o, sms_pages *out);
void sms_pages_free(sms_pages *p);

/* Fold UTF-8 text to the GSM-7 repertoire (unaccented Vietnamese, '?' for
 * what GSM 03.38 cannot carry); malloc'd result, its length in *outlen
 * unless outlen is NULL. */
char *sms_gsm_fold(const char *s, size_t n, size_t *outlen);
/* Segments the text takes on air: GSM-7 (ucs2 = 0, s already folded) or
 * UCS-2. 0 for an empty text. *units (may be NULL) gets septets or UTF-16
 * code units. */
int sms_segments(const char *s, size_t n, int ucs2, size_t *units);

/* Delivery report: GET /sms/kannel/dlr?id=<outbox id>&status=<Kannel %d>. */
typedef struct sms_dlr {
    char id[SMS_ID_MAX + 1];
    int status;                 /* Kannel DLR type: 1, 2, 4, 8, 16 */
} sms_dlr;

/* Returns 0, or -1 with *errkey "invalid_dlr". */
int sms_dlr_parse(const sms_raw *raw, sms_dlr *d, const char **errkey);
/* Name of a Kannel DLR type: "delivered" (1), "undelivered" (2), "buffered"
 * (4), "submitted" (8), "rejected" (16); NULL for others. */
const char *sms_dlr_state(int status);
/* Order of delivery states (and the outbox's own): a state may only replace
 * one of a lower rank. queued 1, sending 2, sent 3, submitted 4, buffered 5,
 * delivered / undelivered / rejected / failed 6; unknown 0. */
int sms_state_rank(const char *state);

typedef struct sms_send {
    const char *base_url;       /* http://127.0.0.1:13013/cgi-bin/sendsms */
    const char *username, *password, *from, *to;
    const char *text;           /* UTF-8 */
    int unicode;                /* coding=2&charset=UTF-8 */
    const char *dlr_url;        /* NULL: no delivery report */
} sms_send;

/* Append the sendsms URL (every value form_encode()d, dlr-mask=31 with dlr-url). */
void sms_sendsms_url(buf *b, const sms_send *s);

#endif
