/* ep_static.c -- GET|HEAD of the pages and their files (http.web_root, web/).
 *
 *   /                     index.html (the chat)
 *   /agent, /agent/       agent.html (the operator console)
 *   /simulator, /simulator/  simulator.html
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
    };
    for (size_t i = 0; i < sizeof(pages) / sizeof(pages[0]); i++)
        if (!strcmp(rest, pages[i][0]))
            return pages[i][1];
    size_t n = strspn(rest, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-");
    if (n == 0 || rest[n] != '\0' || n >= cap || rest[0] == '.')
        return NULL;
    memcpy(out, rest, n + 1);
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

static void ep_static_request(struct lws *wsi, http_req *hr, const char *rest)
{
    char fname[128];
    /* lws passes a GET the whole URI, a POST the part after the mount point */
    rest = rest ? rest + (*rest == '/') : "";
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
