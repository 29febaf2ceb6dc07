/* ussd_flow.h -- the USSD menu engine: one request of any adapter in, one
 * screen out.
 *
 * Owner: [ussd]. ussd_flow_handle() takes a parsed request (channels/ussd.h),
 * loads the session's route from Redis (dvcbot:sess:ussd-route:{msisdn}:
 * {sessionId}, TTL ussd.session_ttl_s, store/README.md), applies the input to
 * the tree of config/ussd.json (bot/ussd_menu.h): "0" back (or the previous
 * page), "00" home, "98" next page, a number picks a menu or list item, an
 * input screen checks its pattern; invalid input re-shows the screen with a
 * short error. Actions go through the router with a synthesised button
 * payload on CHANNEL_USSD (user = the caller's MSISDN), so the dialogs stay
 * channel-agnostic; a complaint is filed with store/complaints.h directly
 * (the remote-channel dialog has no topic step). Every text is a messages
 * key, folded to GSM-7 unless ussd.unicode; every screen fits
 * USSD_SCREEN_MAX (or USSD_SCREEN_UCS2) including the 4 bytes of "CON ".
 * An unknown or expired session starts at home; sessions are keyed by number
 * and session id, so two parallel sessions of one number stay apart.
 *
 * Ownership: the flow borrows its deps. The callback gets a malloc'd screen
 * it must free. Status 200, or 503 when Redis failed (the screen is then
 * the "unavailable" text and end is 1). ussd_flow_handle() returns -1 (no
 * callback; the request is cleared) when Redis is down. */
#ifndef DVC_BOT_USSD_USSD_FLOW_H
#define DVC_BOT_USSD_USSD_FLOW_H

#include "bot/app/config.h"
#include "bot/app/messages.h"
#include "bot/conv/router.h"
#include "bot/ussd/ussd_menu.h"
#include "channels/ussd.h"
#include "store/redis.h"

struct catalogue;

typedef struct ussd_flow_deps {
    store *store;
    router *router;
    const messages *msgs;
    const config *cfg;
    const struct catalogue *catalogue;
    const ussd_menu *menu;
} ussd_flow_deps;

typedef struct ussd_flow ussd_flow;

typedef void ussd_flow_fn(int status, char *screen, int end, void *ctx);

ussd_flow *ussd_flow_new(const ussd_flow_deps *d);
void ussd_flow_free(ussd_flow *f);
/* Takes req (cleared in every case). */
int ussd_flow_handle(ussd_flow *f, ussd_req *req, ussd_flow_fn *fn, void *ctx);

#endif
