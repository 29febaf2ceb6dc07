/* ep_complaints.c -- agency API: complaints and stats. (stub: [domain]) */
#include "bot/endpoints.h"
#include "bot/http.h"

int ep_complaints(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len)
{
    return ep_notfound(wsi, reason, user, in, len);
}

int ep_stats(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len)
{
    return ep_notfound(wsi, reason, user, in, len);
}
