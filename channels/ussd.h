/* ussd.h -- codecs of the USSD channel. Pure: no I/O, no dialogs.
 *
 * Owner: [ussd]. Three thin adapters feed one menu engine (bot/ussd_flow.h):
 *   - Africa's Talking: POST form sessionId, serviceCode, phoneNumber,
 *     networkCode, text ("" first, then every input so far joined by '*');
 *     the answer is text/plain "CON <screen>" or "END <screen>".
 *   - JSON (Hubtel/Arkesel style): {"sessionId","msisdn","input","newSession"}
 *     with only the latest input; the answer is {"message","continue"}.
 *   - SMPP through Kannel: smsbox get-url with from, text and meta (%D, the
 *     SMPP meta-data "?smpp?ussd_service_op=..&its_session_info=.."); the
 *     answer is the screen with X-Kannel-Meta-Data "?smpp?ussd_service_op=2"
 *     (USSR request: show and wait) or "=17" (PSSR response: final).
 * Every parser fills a ussd_req whose msisdn is canonical (84...) and whose
 * strings are valid UTF-8 with control characters turned into spaces.
 *
 * Screens: ussd_units() counts a text as the handset will (GSM-7 septets of
 * an already folded text, extension characters count 2; or UTF-16 units);
 * ussd_paginate() and ussd_fit() keep every screen within a budget. The
 * folding itself is sms_gsm_fold() (channels/sms.h), not duplicated here.
 *
 * Ownership: ussd_req owns its strings (ussd_req_clear); ussd_pages owns its
 * pages (ussd_pages_free accepts NULL); returned strings are malloc'd.
 * Errors: parsers return 0, or -1 with *errkey set to a key under "errors."
 * of messages.vi.json (HTTP 400). */
#ifndef DVC_CHANNELS_USSD_H
#define DVC_CHANNELS_USSD_H

#include <stddef.h>

#include "channels/msisdn.h"

#define USSD_SCREEN_MAX 182     /* GSM-7 characters of one screen */
#define USSD_SCREEN_UCS2 80     /* UCS-2 characters of one screen */
#define USSD_SESSION_MAX 100    /* bytes of a session id */
#define USSD_TEXT_MAX 4000      /* bytes of an input (or an AT path) kept */

enum ussd_proto { USSD_PROTO_AT = 1, USSD_PROTO_JSON, USSD_PROTO_SMPP };

/* SMPP ussd_service_op values (SMPP 3.4, 5.3.2.44). */
enum {
    USSD_OP_PSSD_IND = 0, USSD_OP_PSSR_IND = 1, USSD_OP_USSR_REQ = 2, USSD_OP_USSN_REQ = 3,
    USSD_OP_PSSD_RESP = 16, USSD_OP_PSSR_RESP = 17, USSD_OP_USSR_CONF = 18,
    USSD_OP_USSN_CONF = 19,
};

typedef struct ussd_req {
    int proto;                  /* enum ussd_proto */
    char msisdn[MSISDN_MAX];    /* canonical 84... */
    char *session;              /* the aggregator's session id, never NULL after a parse */
    char *service_code;         /* "*384#", or NULL */
    char *network;              /* networkCode, or NULL */
    char *text;                 /* AT: the whole path; JSON/SMPP: the latest input ("" none) */
    int is_new;                 /* JSON newSession, SMPP op 1; AT: text == "" */
} ussd_req;

/* Africa's Talking form body. Errors: "invalid_ussd" (a field missing or
 * repeated with another value, or not valid UTF-8), "invalid_session",
 * "invalid_sender". */
int ussd_parse_form(const char *body, size_t len, ussd_req *r, const char **errkey);
/* JSON adapter body ("sessionID" and "userData" are accepted as aliases).
 * Errors: "invalid_json", "invalid_ussd", "invalid_session", "invalid_sender". */
int ussd_parse_json(const char *body, size_t len, ussd_req *r, const char **errkey);
/* Kannel smsbox get-url fields, already URL-decoded (from=%p&to=%P&text=%a&
 * meta=%D; any may be NULL). The session id is "smpp" followed by the
 * its_session_info number when Kannel passed one. Errors: as
 * ussd_parse_form, plus "invalid_ussd" for unreadable meta-data or a
 * ussd_service_op that is neither 1 (new) nor 18 (answer); no op at all
 * counts as 18, or as 1 with an empty text. */
int ussd_parse_kannel(const char *from, const char *to, const char *text, const char *meta,
                      size_t metalen, ussd_req *r, const char **errkey);
/* The same from a raw query string (split at '&', URL-decoded). */
int ussd_parse_kannel_query(const char *query, size_t len, ussd_req *r, const char **errkey);
void ussd_req_clear(ussd_req *r);

/* SMPP meta-data "?smpp?ussd_service_op=..&its_session_info=..": values may
 * be a raw byte (%01), decimal ("18") or hex ("0x12"); its_session_info may
 * be two raw octets. *op and *sess get -1 when absent. Returns 0, or -1 when
 * a present value cannot be read. */
int ussd_meta_parse(const char *meta, size_t len, int *op, int *sess);
/* The X-Kannel-Meta-Data value of an answer: op 17 when end, else 2. */
const char *ussd_meta_render(int end);

/* The new input of an AT request given the path already handled (seen):
 * 0 with *input pointing into text when text is seen + '*' + input (or seen
 * is "" and text is the first input); 1 when text equals seen (a retry);
 * -1 when text does not extend seen. */
int ussd_at_input(const char *seen, const char *text, const char **input);

/* "CON <screen>" / "END <screen>" (malloc'd, *len its length). */
char *ussd_render_at(int end, const char *screen, size_t *len);
/* {"message": screen, "continue": !end} (malloc'd). */
char *ussd_render_json(int end, const char *screen, size_t *len);

/* Units of n bytes of s on a screen: septets of a folded GSM-7 text
 * (unicode 0) or UTF-16 units (unicode 1). */
size_t ussd_units(const char *s, size_t n, int unicode);
/* Cut s (NUL-terminated, in place) on a character boundary so that it takes
 * at most budget units; returns the new length. */
size_t ussd_fit(char *s, size_t budget, int unicode);

typedef struct ussd_pages {
    char **page;                /* NUL-terminated texts without footers */
    size_t n;                   /* >= 1 */
} ussd_pages;

/* Split text into pages of at most budget units each: at line ends where
 * possible, else at spaces, else anywhere on a character boundary. Empty
 * lines at page starts are dropped. An empty text gives one empty page.
 * At most max_pages pages (the last one is cut). Returns 0. */
int ussd_paginate(const char *text, size_t budget, int unicode, size_t max_pages,
                  ussd_pages *out);
void ussd_pages_free(ussd_pages *p);

#endif
