/* push.h -- the adapter interface of push-style chat channels (a platform
 * calls our webhook; we answer through its HTTP API): Zalo OA
 * (channels/zalo.h) and Telegram (channels/telegram.h).
 *
 * An adapter is four pure functions, no I/O:
 *   verify    is this webhook request the platform's (signature, secret
 *             token, timestamp window)?
 *   parse     the webhook body -> platform-neutral events (push_event)
 *   render    one struct reply -> the API calls that show it (push_call:
 *             a method name and a JSON body), text + quick-reply buttons;
 *             a long list of buttons is cut into several messages
 *   classify  an API answer (HTTP status + body) -> what to do next
 *             (sent, retry later, refresh the token, quota, user blocked)
 * bot/http/ep_zalo.c and ep_telegram.c drive verify and parse; the sender
 * (bot/outbox/push_worker.c) drives render and classify; the durable
 * queue between them is store/pushq.h.
 *
 * Ownership: push_events and push_call arrays own their strings; free them
 * with push_events_clear() / push_calls_free(). Everything accepts NULL. */
#ifndef DVC_CHANNELS_PUSH_H
#define DVC_CHANNELS_PUSH_H

#include <stddef.h>

#include "channels/message.h"

#define PUSH_USER_MAX 64        /* bytes of a platform user id */
#define PUSH_TEXT_MAX 4000      /* bytes of one inbound text kept */

typedef enum push_kind {
    PUSH_EV_TEXT = 1,           /* the user typed text */
    PUSH_EV_POSTBACK,           /* the user pressed one of our buttons (payload) */
    PUSH_EV_FOLLOW,             /* followed the OA / started the bot: opt-in */
    PUSH_EV_UNFOLLOW,           /* unfollowed / blocked the bot: opt-out */
    PUSH_EV_CONTACT,            /* shared their own phone number (phone) */
} push_kind;

typedef struct push_event {
    push_kind kind;
    char *user;                 /* platform user id (decimal text), never NULL */
    char *id;                   /* the platform's id of the event: what dedups it */
    char *text;                 /* TEXT */
    char *payload;              /* POSTBACK */
    char *phone;                /* CONTACT, as the platform gave it */
    char *answer;               /* Telegram callback_query id to acknowledge, or NULL */
    long long ts_ms;            /* when the platform says it happened, 0 unknown */
} push_event;

typedef struct push_events {
    push_event *v;
    size_t n;
} push_events;

void push_events_clear(push_events *e);

/* One event as a JSON object (the inbound stream's entry) and back.
 * decode: 0, or -1 (and *e zeroed) for anything that is not an encoded event. */
char *push_event_encode(const push_event *e, size_t *len);
int push_event_decode(const char *json, size_t len, push_event *e);
void push_event_clear(push_event *e);

/* The router message of a TEXT or POSTBACK event (NULL for the others). */
message *push_event_message(const push_event *e, channel c);

/* One HTTP call of a platform API: a method name the sender maps to a URL
 * ("message/cs", "sendMessage", ...) and a JSON body. */
typedef struct push_call {
    char *method;
    char *body;
    size_t len;
} push_call;

typedef struct push_calls {
    push_call *v;
    size_t n;
} push_calls;

void push_calls_free(push_calls *c);
/* Append a call (copies method, takes body). */
void push_calls_add(push_calls *c, const char *method, char *body, size_t len);

/* The calls as one JSON array [[method, body], ...] (what an out-stream entry
 * carries, bot/outbox/push_worker.h). malloc'd. */
char *push_calls_json(const push_calls *c);

/* Texts the renderers need (from messages.vi.json, owned by the caller). */
typedef struct push_texts {
    const char *more;           /* heading of the follow-up messages of a long list */
} push_texts;

typedef enum push_outcome {
    PUSH_SENT = 0,              /* the platform took it */
    PUSH_RETRY,                 /* transient (network, 5xx): back off and retry */
    PUSH_TOKEN,                 /* access token expired or invalid: refresh, retry */
    PUSH_QUOTA,                 /* rate limit or quota: keep queued, retry later */
    PUSH_BLOCKED,               /* the user blocked us / unfollowed: opt out */
    PUSH_WINDOW,                /* outside the interaction window: not sendable now */
    PUSH_FAILED,                /* permanent for this message: drop it */
} push_outcome;

const char *push_outcome_name(push_outcome o);

/* What verify is given. */
typedef struct push_verify_in {
    const char *signature;      /* the header's value, NULL when absent */
    const char *body;
    size_t len;
    const char *secret;         /* Zalo: OA secret key; Telegram: the secret token */
    const char *app_id;         /* Zalo: our app id (the body must name it) */
    long long now_ms;
    long long window_ms;        /* Zalo: |now - event timestamp| allowed */
} push_verify_in;

typedef struct push_adapter {
    const char *name;           /* "zalo", "telegram" */
    channel channel;
    /* 0 authentic; -1 with *errkey "bad_signature" or "stale_event" */
    int (*verify)(const push_verify_in *in, const char **errkey);
    /* 0 with the events (an update of no interest gives none); -1 with
     * *errkey "invalid_json" / "invalid_event" */
    int (*parse)(const char *body, size_t len, push_events *out, const char **errkey);
    /* the calls that show r to user, appended to out */
    void (*render)(const reply *r, const char *user, const push_texts *t, push_calls *out);
    /* retry_after_s: what the platform asked for (0: none) */
    push_outcome (*classify)(int status, const char *body, size_t len, long *retry_after_s);
} push_adapter;

/* Constant-time equality of two NUL-terminated strings (lengths may leak). */
int push_secret_equal(const char *a, const char *b);

/* The length of the longest prefix of s[0..n) of at most max bytes that
 * ends on a UTF-8 character boundary. */
size_t push_utf8_cut(const char *s, size_t n, size_t max);

#endif
