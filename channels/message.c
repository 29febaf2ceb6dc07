/* message.c -- constructors and destructors of message and reply. */
#include "channels/message.h"

#include <stdlib.h>
#include <string.h>

#include "common/xmalloc.h"

static const char *const channel_names[CHANNEL__COUNT] = {"chat", "ws", "sms", "ussd",
                                                            "zalo", "telegram"};

const char *channel_name(channel c)
{
    return (unsigned)c < CHANNEL__COUNT ? channel_names[c] : "unknown";
}

message *message_new(channel c, const char *user, size_t userlen)
{
    /* xmalloc, not xcalloc: glibc's calloc bypasses its per-thread cache */
    message *m = xmalloc(sizeof(*m));
    *m = (message){.channel = c, .user = xstrndup(user, userlen)};
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
    reply *r = xmalloc(sizeof(*r));
    *r = (reply){0};
    return r;
}

/* Arrays grow by doubling from 4: room is added when n items are there and
 * n is 0, or 4 or more and a power of two. */
static size_t reply_room_at(size_t n)
{
    return n == 0 ? 4 : n >= 4 && !(n & (n - 1)) ? 2 * n : 0;
}

reply_part *reply_add_text(reply *r, const char *text)
{
    size_t room = reply_room_at(r->nparts);
    if (room)
        r->parts = xrealloc(r->parts, room * sizeof(*r->parts));
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
    size_t room = reply_room_at(p->nbuttons);
    if (room)
        p->buttons = xrealloc(p->buttons, room * sizeof(*p->buttons));
    /* one allocation: the title, its NUL, the payload (reply_free frees the title) */
    title = title ? title : "";
    payload = payload ? payload : "";
    size_t tl = strlen(title), pl = strlen(payload);
    char *both = xmalloc(tl + pl + 2);
    memcpy(both, title, tl + 1);
    memcpy(both + tl + 1, payload, pl + 1);
    p->buttons[p->nbuttons].title = both;
    p->buttons[p->nbuttons].payload = both + tl + 1;
    p->nbuttons++;
}

void reply_free(reply *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->nparts; i++) {
        for (size_t j = 0; j < r->parts[i].nbuttons; j++) {
            free(r->parts[i].buttons[j].title); /* and its payload */
        }
        free(r->parts[i].buttons);
        free(r->parts[i].text);
        free(r->parts[i].svg);
    }
    free(r->parts);
    free(r);
}
