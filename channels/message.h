/* message.h -- the channel-neutral inbound message and outbound reply.
 *
 * Every channel codec parses its wire request into one struct message and
 * renders one struct reply into its wire format; the router and the dialogs
 * see only these two structs (docs/architecture.md).
 *
 * Ownership: a message owns its strings; message_free() frees them. A reply
 * owns its parts, texts and buttons; reply_free() frees them. Both accept NULL. */
#ifndef DVC_CHANNELS_MESSAGE_H
#define DVC_CHANNELS_MESSAGE_H

#include <stddef.h>

typedef enum channel {
    CHANNEL_CHAT = 0,   /* web chat, REST */
    CHANNEL_WS,         /* web chat, WebSocket */
    CHANNEL_SMS,        /* SMS through Kannel */
    CHANNEL_USSD,       /* USSD menus */
    CHANNEL_ZALO,       /* Zalo Official Account (channels/zalo.h) */
    CHANNEL_TELEGRAM,   /* Telegram bot (channels/telegram.h) */
    CHANNEL__COUNT
} channel;

/* "chat", "ws", "sms", "ussd", "zalo", "telegram". Static string. */
const char *channel_name(channel c);

typedef struct message {
    channel channel;
    char *user;         /* opaque chat id, or normalised MSISDN; never NULL */
    char *text;         /* UTF-8 text typed by the user, or NULL */
    char *payload;      /* button payload (postback), or NULL */
    char *ref;          /* the gateway's id of this message (Kannel id), or NULL:
                           what makes a retried MO idempotent end to end */
    char *addr;         /* the client's network address (web chat), or NULL: the
                           budgets and miss limits of one address (store/ratelimit.h) */
    char *msisdn;       /* the phone number a chat user linked (84...), or NULL:
                           lets "my dossiers" work on Zalo and Telegram */
} message;

message *message_new(channel c, const char *user, size_t userlen);
void message_free(message *m);

typedef struct reply_button {
    char *title;
    char *payload;      /* in the title's allocation (reply_add_button): read only */
} reply_button;

typedef struct reply_part {
    char *text;
    reply_button *buttons;
    size_t nbuttons;
    char *svg;          /* an image for web chat (a VietQR code), or NULL */
} reply_part;

typedef struct reply {
    reply_part *parts;
    size_t nparts;
} reply;

reply *reply_new(void);
/* Append a part with a copy of text; returns the part for reply_add_button. */
reply_part *reply_add_text(reply *r, const char *text);
/* Append a button (copies; NULL is taken as "") to the last part; adds an
 * empty part if none. */
void reply_add_button(reply *r, const char *title, const char *payload);
/* Attach an SVG image (copied; web chat only, the text channels ignore it)
 * to the last part; adds an empty part if none. */
void reply_set_svg(reply *r, const char *svg);
void reply_free(reply *r);

#endif
