/* message.c -- constructors and destructors of message and reply. */
#include "channels/message.h"

#include <stdlib.h>

#include "common/xmalloc.h"

static const char *const channel_names[CHANNEL__COUNT] = {"chat", "ws", "sms", "ussd",
                                                            "zalo", "telegram"};

const char *channel_name(channel c)
{
    return (unsigned)c < CHANNEL__COUNT ? channel_names[c] : "unknown";
}

message *message_new(channel c, const char *user, size_t userlen)
{
    message *m = xcalloc(1, sizeof(*m));
    m->channel = c;
    m->user = xstrndup(user, userlen);
    return m;
}

void message_free(message *m)
{
    if (!m)
        return;
    free(m->user);
    free(m->text);
    free(m->payload);
    free(m->ref);
    free(m->addr);
    free(m->msisdn);
    free(m);
}

reply *reply_new(void)
{
    return xcalloc(1, sizeof(reply));
}

reply_part *reply_add_text(reply *r, const char *text)
{
    r->parts = xrealloc(r->parts, (r->nparts + 1) * sizeof(*r->parts));
    reply_part *p = &r->parts[r->nparts++];
    p->text = xstrdup(text ? text : "");
    p->buttons = NULL;
    p->nbuttons = 0;
    p->svg = NULL;
    return p;
}

void reply_set_svg(reply *r, const char *svg)
{
    if (r->nparts == 0)
        reply_add_text(r, "");
    reply_part *p = &r->parts[r->nparts - 1];
    free(p->svg);
    p->svg = svg ? xstrdup(svg) : NULL;
}

void reply_add_button(reply *r, const char *title, const char *payload)
{
    if (r->nparts == 0)
        reply_add_text(r, "");
    reply_part *p = &r->parts[r->nparts - 1];
    p->buttons = xrealloc(p->buttons, (p->nbuttons + 1) * sizeof(*p->buttons));
    p->buttons[p->nbuttons].title = xstrdup(title);
    p->buttons[p->nbuttons].payload = xstrdup(payload);
    p->nbuttons++;
}

void reply_free(reply *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->nparts; i++) {
        for (size_t j = 0; j < r->parts[i].nbuttons; j++) {
            free(r->parts[i].buttons[j].title);
            free(r->parts[i].buttons[j].payload);
        }
        free(r->parts[i].buttons);
        free(r->parts[i].text);
        free(r->parts[i].svg);
    }
    free(r->parts);
    free(r);
}
