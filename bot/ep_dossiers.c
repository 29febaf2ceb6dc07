/* ep_dossiers.c -- agency API: PUT/GET /api/v1/dossiers/{code}. (stub: [domain]) */
#include "bot/endpoints.h"
#include "bot/http.h"

int ep_dossiers(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len)
{
    return ep_notfound(wsi, reason, user, in, len);
}
