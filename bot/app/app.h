/* app.h -- the borrowed dependencies of one running gateway.
 *
 * `dvcbot serve` (bot/cmd/cmd_serve.c) creates every long-lived object once
 * and fills one struct app with pointers to them; the HTTP floor reads it
 * from the lws context (http_app(), bot/http/http.h), the SMS flow and the
 * USSD engine get it at creation. Nothing here is owned: cmd_serve creates
 * and frees everything, and every pointer outlives the server. The struct
 * replaces the server_* getters (no service locator, no upcall): a floor
 * below bot/http receives what it needs, it never asks the server.
 *
 * The types of the higher bot/ floors are opaque here (struct router, ...),
 * so this header includes only the floors below bot/app. */
#ifndef DVC_BOT_APP_APP_H
#define DVC_BOT_APP_APP_H

#include "bot/app/config.h"
#include "bot/app/messages.h"
#include "bot/app/metrics.h"
#include "store/pubsub.h"
#include "store/redis.h"

struct router;
struct ussd_flow;
struct agent_hub;
struct catalogue;
struct intents;
struct push_in;

typedef struct app {
    const config *cfg;
    const messages *msgs;
    metrics *metrics;
    store *store;
    struct router *router;          /* bot/conv/router.h */
    struct ussd_flow *ussd;         /* bot/ussd/ussd_flow.h */
    struct agent_hub *agent;        /* bot/conv/agent.h; NULL: no /ws/agent */
    struct catalogue *catalogue;    /* catalogue/catalogue.h */
    struct intents *intents;        /* intents/intents.h */
    struct push_in *push_in;        /* bot/http/push_in.h; NULL: no Zalo/Telegram */
    int demo_sms;                   /* serve --demo-sms: /sms/demo (bot/http/ep_sms_demo.c) */
    store_sub *events;              /* store/pubsub.h; NULL: notices are polled */
} app;

#endif
