/* ep_static.c -- GET|HEAD of the pages and their files (http.web_root, web/).
 *
 *   /                     index.html (the chat)
 *   /agent, /agent/       agent.html (the operator console)
 *   /simulator, /simulator/  simulator.html
 *   /thong-ke, /thong-ke/ stats.html (the public statistics); /stats and
 *                         /stats/ answer 301 to /thong-ke (a relative
 *                         Location: never the request's Host)
 *   /texts.json           the "web." texts of config/messages.vi.json
 *   /vendor/NAME          web_root/vendor/NAME: the browser libraries that
 *                         `make web` copies from web/node_modules (Chart.js)
 *   /NAME                 web_root/NAME, NAME one path segment of
 *                         [A-Za-z0-9._-] not starting with a dot
 * Everything else is the JSON 404. The files go through the same endpoint
 * driver as the API (bot/http/http.h), not lws's file mounts: one way out for
 * every response (its headers, bot/http/conn.h's keep-alive decision), and no
 * lws directory redirect (which wrote the request's Host into Location). Files
 * are read on each request (the pages are a few kilobytes; open() with
 * O_NOFOLLOW, regular files only, at most EP_STATIC_MAX bytes). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <jansson.h>

#include "bot/http/endpoints.h"
#include "bot/http/http.h"
#include "common/xmalloc.h"

#define EP_STATIC_MAX (1 << 20)

static const char *ep_static_type(const char *name)
{
    static const char *const types[][2] = {
        {".html", "text/html; charset=utf-8"}, {".js", "text/javascript; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},   {".json", "application/json"},
        {".svg", "image/svg+xml"},             {".png", "image/png"},
        {".ico", "image/x-icon"},              {".txt", "text/plain; charset=utf-8"},
    };
    const char *dot = strrchr(name, '.');
    for (size_t i = 0; dot && i < sizeof(types) / sizeof(types[0]); i++)
        if (!strcmp(dot, types[i][0]))
            return types[i][1];
    return "application/octet-stream";
}

/* The file name of a path below "/" (rest has no leading slash), or NULL. */
static const char *ep_static_name(const char *rest, char *out, size_t cap)
{
    static const char *const pages[][2] = {
        {"", "index.html"},        {"agent", "agent.html"}, {"agent/", "agent.html"},
        {"simulator", "simulator.html"}, {"simulator/", "simulator.html"},
        {"thong-ke", "stats.html"}, {"thong-ke/", "stats.html"},
    };
    for (size_t i = 0; i < sizeof(pages) / sizeof(pages[0]); i++)
        if (!strcmp(rest, pages[i][0]))
            return pages[i][1];
    size_t pre = strncmp(rest, "vendor/", 7) ? 0 : 7;
    size_t n = strspn(rest + pre, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-");
    if (n == 0 || rest[pre + n] != '\0' || pre + n >= cap || rest[pre] == '.')
        return NULL;
    memcpy(out, rest, pre + n + 1);
    return out;
}

/* The whole file, or NULL (missing, not a regular file, too large). */
static char *ep_static_read(const char *root, const char *name, size_t *len)
{
    char path[4096];
    if ((size_t)snprintf(path, sizeof(path), "%s/%s", root, name) >= sizeof(path))
        return NULL;
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    struct stat st;
    char *data = NULL;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size <= EP_STATIC_MAX) {
        data = xmalloc((size_t)st.st_size + 1);
        size_t got = 0;
        while (got < (size_t)st.st_size) {
            ssize_t k = read(fd, data + got, (size_t)st.st_size - got);
            if (k < 0 && errno == EINTR)
                continue;
            if (k <= 0)
                break;
            got += (size_t)k;
        }
        *len = got;
    }
    close(fd);
    return data;
}

/* /texts.json: the "web." texts of files.messages, {key: {"vi", "en"}}, so
 * the pages keep no text of their own and switch language in place. */
static void ep_static_texts(struct lws *wsi, http_req *hr)
{
    json_t *all = json_load_file(http_app(wsi)->cfg->files.messages, 0, NULL);
    json_t *out = json_object();
    const char *k;
    json_t *v;
    json_object_foreach(all, k, v) {
        if (!strncmp(k, "web.", 4))
            json_object_set(out, k, v);
    }
    json_decref(all);
    char *body = json_dumps(out, JSON_COMPACT);
    json_decref(out);
    hr->cache = "max-age=60, must-revalidate";
    hr->head_only = hr->method == HTTP_HEAD;
    http_respond_take(wsi, hr, 200, "application/json", body, strlen(body));
}

static void ep_static_request(struct lws *wsi, http_req *hr, const char *rest)
{
    char fname[128];
    /* lws passes a GET the whole URI, a POST the part after the mount point */
    rest = rest ? rest + (*rest == '/') : "";
    if (!strcmp(rest, "stats") || !strcmp(rest, "stats/")) {
        hr->xhdr_name = "location:";
        hr->xhdr_value = "/thong-ke";
        hr->cache = "max-age=3600";
        hr->head_only = hr->method == HTTP_HEAD;
        http_respond(wsi, hr, 301, "text/plain; charset=utf-8", "/thong-ke\n", 10);
        return;
    }
    if (!strcmp(rest, "texts.json")) {
        ep_static_texts(wsi, hr);
        return;
    }
    const char *name = ep_static_name(rest, fname, sizeof(fname));
    size_t len = 0;
    char *data = name ? ep_static_read(http_app(wsi)->cfg->http.web_root, name, &len) : NULL;
    if (!data) {
        http_error(wsi, hr, 404, "not_found");
        return;
    }
    hr->cache = "max-age=60, must-revalidate";
    hr->head_only = hr->method == HTTP_HEAD;
    http_respond_take(wsi, hr, 200, ep_static_type(name), data, len);
}

const http_endpoint ep_static_endpoint = {
    .route = ROUTE_OTHER, .methods = HTTP_GET | HTTP_HEAD, .on_request = ep_static_request,
};
