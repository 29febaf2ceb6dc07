/* cmd_serve.c -- `dvcbot serve [--config FILE] [--insecure-channels]`: wire
 * config, Redis, router and server on one libuv loop, run until
 * SIGINT/SIGTERM, then shut down cleanly.
 *
 * --demo-sms (make run) adds /sms/demo, the simulator's copy of every SMS
 * that scripts/demo-smsc.py received from Kannel (bot/http/ep_sms_demo.c).
 *
 * The SMS and USSD endpoints speak for the phone number in the request: the
 * server does not start unless channels.secret or channels.allow_ips says who
 * may call them (SPEC.md "Channel access"), or --insecure-channels is given
 * (a laptop demo; logged).
 *
 * Shutdown order matters (docs/architecture.md): the lws context is closed
 * first, so every open request's pending object is orphaned; then the store,
 * whose pending callbacks get NULL and free those orphans; then the loop is
 * drained, the context destroyed for good and the loop closed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "bot/conv/agent.h"
#include "catalogue/catalogue.h"
#include "bot/cmd/commands.h"
#include "bot/cmd/watchdog.h"
#include "bot/app/config.h"
#include "bot/app/log.h"
#include "bot/app/messages.h"
#include "bot/app/metrics.h"
#include "bot/outbox/outbox_worker.h"
#include "bot/outbox/fanout_sweep.h"
#include "bot/outbox/push_worker.h"
#include "bot/http/push_in.h"
#include "bot/conv/router.h"
#include "bot/http/server.h"
#include "bot/ussd/ussd_flow.h"
#include "bot/ussd/ussd_menu.h"
#include "common/buf.h"
#include "common/xmalloc.h"
#include "intents/intents.h"
#include "store/redis.h"

/* SIGINT, SIGTERM stop; SIGHUP reloads catalogue, texts and intents (serve_reload). */
#define SERVE_NSIG 3

typedef struct serve {
    uv_loop_t loop;
    config *cfg;
    messages *msgs;
    intents *intents;
    metrics *metrics;
    store *store;
    store_sub *events;          /* the subscriber connection (store/pubsub.h) */
    store_durable *durable;     /* WAIT before acknowledging (store/redis.h), or NULL */
    router *router;
    server *server;
    outbox_worker *worker;      /* NULL when sms.outbox is off */
    fanout_sweep *fanout;       /* resumes fan-outs a stopped run left */
    push_worker *push;          /* NULL when neither Zalo nor Telegram is on */
    catalogue *catalogue;
    ussd_menu *ussd_menu;
    ussd_flow *ussd;
    agent_hub *agent;           /* hand-off to human operators ([webchat]) */
    watchdog *watchdog;         /* NULL when http.watchdog_s is 0 */
    uv_signal_t sig[SERVE_NSIG];
    uv_timer_t redis_watch;     /* says once when Redis goes away and comes back */
    int redis_said;             /* -1 nothing said yet, 0 said down, 1 said up */
    app deps;                   /* what the server and endpoints borrow */
    int stopping;
    int insecure;               /* --insecure-channels */
    int demo_sms;               /* --demo-sms: /sms/demo for the simulator (make run) */
} serve;

/* Every second: a change of the Redis connection is one log line (the
 * store retries by itself with backoff up to redis.reconnect_max_ms). */
static void serve_redis_watch(uv_timer_t *t)
{
    serve *a = t->data;
    if (!a->store)
        return;
    int up = store_is_up(a->store);
    if (up == a->redis_said)
        return;
    a->redis_said = up;
    if (up)
        log_info("redis: connected to %s", a->cfg->redis.url);
    else
        log_error("redis: cannot reach %s (%s): retrying with backoff up to %d ms; /readyz "
                  "answers 503 until then; is redis-server running there?", a->cfg->redis.url,
                  *store_errstr(a->store) ? store_errstr(a->store) : "no answer",
                  a->cfg->redis.reconnect_max_ms);
}

static void serve_close_handles(serve *a)
{
    for (int i = 0; i < SERVE_NSIG; i++)
        uv_close((uv_handle_t *)&a->sig[i], NULL);
    uv_close((uv_handle_t *)&a->redis_watch, NULL);
}

/* SIGHUP: catalogue, texts and intent rules (with their model) are read
 * again; each one that fails to load keeps its old version and says why.
 * Connections stay open: the objects are reloaded in place. */
static void serve_reload(serve *a)
{
    char err[512];
    const config *c = a->cfg;
    buf done = {0}, kept = {0};
    if (catalogue_reload(a->catalogue, c->files.catalogue, c->files.procedure_aspects, err,
                         sizeof(err)) == 0) {
        buf_printf(&done, "catalogue (%zu procedures)", catalogue_count(a->catalogue));
    } else {
        log_error("SIGHUP: catalogue not reloaded, keeping the old one: %s", err);
        buf_puts(&kept, ", catalogue");
    }
    if (messages_reload(a->msgs, c->files.messages, err, sizeof(err)) == 0) {
        buf_puts(&done, done.len ? ", texts" : "texts");
    } else {
        log_error("SIGHUP: texts not reloaded, keeping the old ones: %s", err);
        buf_puts(&kept, ", texts");
    }
    if (intents_reload(a->intents, c->files.intents, err, sizeof(err)) == 0) {
        buf_puts(&done, done.len ? ", intents" : "intents");
    } else {
        log_error("SIGHUP: intents not reloaded, keeping the old ones: %s", err);
        buf_puts(&kept, ", intents");
    }
    log_info("SIGHUP: reloaded %s%s%s", done.len ? done.data : "nothing",
             kept.len ? "; kept the old " : "", kept.len ? kept.data + 2 : "");
    buf_free(&done);
    buf_free(&kept);
}

static void serve_on_signal(uv_signal_t *h, int signum)
{
    serve *a = h->data;
    if (signum == SIGHUP && !a->stopping) {
        serve_reload(a);
        return;
    }
    if (a->stopping)
        return;
    a->stopping = 1;
    log_info("signal %d: stopping", signum);
    serve_close_handles(a);
    fanout_sweep_stop(a->fanout);
    outbox_worker_stop(a->worker);
    push_worker_stop(a->push);
    push_in_stop(a->deps.push_in);
    agent_stop(a->agent);
    server_stop(a->server);
    store_sub_close(a->events);
    a->events = a->deps.events = NULL;
    store_durable_close(a->durable);
    a->durable = NULL;
    store_set_durable(a->store, NULL);
    store_close(a->store);
    a->store = NULL;
}

/* Who may call the channel endpoints: 0 to go on, -1 (said why) to refuse.
 * Logged (say) only once the server has started, so that a start that fails
 * prints its one line alone. */
static int serve_channels(const config *cfg, int insecure, int say)
{
    const char *eps = "/sms/kannel, /sms/kannel/dlr, /ussd, /ussd/json, /ussd/kannel";
    if (!*cfg->channels.secret && !*cfg->channels.allow_ips) {
        if (!insecure) {
            fprintf(stderr, "dvcbot: %s would act for any phone number a caller names: set "
                    "channels.secret (DVCBOT_CHANNELS_SECRET) or channels.allow_ips in %s, or "
                    "start with --insecure-channels for a demo on this machine\n", eps, cfg->path);
            return -1;
        }
        if (say)
            log_error("channels: --insecure-channels: %s accept every caller", eps);
        return 0;
    }
    if (say)
        log_info("channels: %s need %s%s%s", eps, *cfg->channels.secret ? "the channel secret" : "",
             *cfg->channels.secret && *cfg->channels.allow_ips ? " and " : "",
             *cfg->channels.allow_ips ? "a caller in channels.allow_ips" : "");
    return 0;
}

static int serve_load(serve *a, const char *path, int insecure)
{
    char err[512];
    if (!(a->cfg = config_load(path, err, sizeof(err))) ||
        !(a->msgs = messages_load(a->cfg->files.messages, err, sizeof(err))) ||
        !(a->intents = intents_load(a->cfg->files.intents, err, sizeof(err))) ||
        !(a->catalogue = catalogue_load(a->cfg->files.catalogue, a->cfg->files.procedure_aspects,
                                        NULL, err, sizeof(err))) ||
        !(a->ussd_menu = ussd_menu_load(a->cfg->files.ussd, a->msgs, err, sizeof(err)))) {
        fprintf(stderr, "dvcbot: %s\n", err);
        return -1;
    }
    a->insecure = insecure;
    return serve_channels(a->cfg, insecure, 0);
}

static int serve_start(serve *a)
{
    char err[512];
    store_options so = {.url = a->cfg->redis.url, .timeout_ms = a->cfg->redis.timeout_ms,
                        .reconnect_max_ms = a->cfg->redis.reconnect_max_ms,
                        .sentinels = a->cfg->redis.sentinels,
                        .master_name = a->cfg->redis.master_name,
                        .password = a->cfg->redis.password};
    if (!(a->store = store_new(&a->loop, &so, err, sizeof(err))) ||
        !(a->events = store_sub_new(&a->loop, &so, err, sizeof(err)))) {
        const char *env = getenv("DVCBOT_REDIS_URL");
        fprintf(stderr, "dvcbot: %s (from %s): fix it, e.g. redis://127.0.0.1:6379/0\n", err,
                env && *env ? "DVCBOT_REDIS_URL" : a->cfg->path);
        return -1;
    }
    int replicas = a->cfg->redis.wait_replicas >= 0 ? a->cfg->redis.wait_replicas
                                                     : *a->cfg->redis.sentinels ? 1 : 0;
    if (replicas > 0) {
        so.timeout_ms = a->cfg->redis.timeout_ms + a->cfg->redis.wait_timeout_ms;
        if (!(a->durable = store_durable_new(&a->loop, &so, replicas,
                                             a->cfg->redis.wait_timeout_ms, err, sizeof(err)))) {
            fprintf(stderr, "dvcbot: %s\n", err);
            return -1;
        }
        store_set_durable(a->store, a->durable);
    }
    a->metrics = metrics_new();
    router_deps rd = {.store = a->store, .intents = a->intents, .msgs = a->msgs,
                      .metrics = a->metrics, .session_ttl_s = a->cfg->session.ttl_s,
                      .cfg = a->cfg, .catalogue = a->catalogue};
    a->agent = agent_new(&a->loop, a->store, a->cfg, a->msgs);
    agent_set_events(a->agent, a->events);
    rd.agent = a->agent;
    a->router = router_new(&rd);
    ussd_flow_deps ud = {.store = a->store, .router = a->router, .msgs = a->msgs,
                         .cfg = a->cfg, .catalogue = a->catalogue, .menu = a->ussd_menu};
    a->ussd = ussd_flow_new(&ud);
    a->deps = (app){.cfg = a->cfg, .msgs = a->msgs, .metrics = a->metrics,
                    .router = a->router, .store = a->store, .ussd = a->ussd,
                    .agent = a->agent, .catalogue = a->catalogue, .intents = a->intents,
                    .demo_sms = a->demo_sms, .events = a->events};
    a->deps.push_in = push_in_new(&a->deps, &a->loop);
    if (!(a->server = server_new(&a->loop, &a->deps, err, sizeof(err)))) {
        fprintf(stderr, "dvcbot: %s\n", err);
        return -1;
    }
    static const int signums[SERVE_NSIG] = {SIGINT, SIGTERM, SIGHUP};
    for (int i = 0; i < SERVE_NSIG; i++) {
        uv_signal_init(&a->loop, &a->sig[i]);
        a->sig[i].data = a;
        uv_signal_start(&a->sig[i], serve_on_signal, signums[i]);
    }
    a->redis_said = -1;
    uv_timer_init(&a->loop, &a->redis_watch);
    a->redis_watch.data = a;
    uv_timer_start(&a->redis_watch, serve_redis_watch, 1000, 1000);
    outbox_worker_deps wd = {.loop = &a->loop, .lws = server_lws(a->server), .store = a->store,
                             .cfg = a->cfg, .metrics = a->metrics};
    if (a->cfg->sms.outbox && !(a->worker = outbox_worker_new(&wd, err, sizeof(err)))) {
        fprintf(stderr, "dvcbot: %s\n", err);
        return -1;
    }
    push_worker_deps pd = {.loop = &a->loop, .lws = server_lws(a->server), .store = a->store,
                           .cfg = a->cfg, .msgs = a->msgs};
    if ((a->cfg->zalo.enabled || a->cfg->telegram.enabled) &&
        !(a->push = push_worker_new(&pd, err, sizeof(err)))) {
        fprintf(stderr, "dvcbot: %s\n", err);
        return -1;
    }
    a->fanout = fanout_sweep_start(&a->loop, a->store);
    a->watchdog = watchdog_start(&a->loop, a->cfg->http.watchdog_s);
    serve_channels(a->cfg, a->insecure, 1);
    log_info("listening on http://%s:%d/", a->cfg->http.bind, a->cfg->http.port);
    return 0;
}

static void serve_free(serve *a)
{
    watchdog_stop(a->watchdog);
    fanout_sweep_stop(a->fanout);
    outbox_worker_stop(a->worker);
    push_worker_stop(a->push);
    push_in_stop(a->deps.push_in);
    agent_stop(a->agent);
    server_free(a->server);
    store_sub_close(a->events);
    store_set_durable(a->store, NULL);
    store_durable_close(a->durable);
    store_close(a->store);
    uv_run(&a->loop, UV_RUN_DEFAULT);
    outbox_worker_free(a->worker);
    fanout_sweep_free(a->fanout);
    push_worker_free(a->push);
    push_in_free(a->deps.push_in);
    if (uv_loop_close(&a->loop) != 0)
        log_error("event loop closed with handles still open");
    ussd_flow_free(a->ussd);
    agent_free(a->agent);
    ussd_menu_free(a->ussd_menu);
    router_free(a->router);
    catalogue_free(a->catalogue);
    metrics_free(a->metrics);
    intents_free(a->intents);
    messages_free(a->msgs);
    config_free(a->cfg);
}

int cmd_serve(int argc, char **argv)
{
    /* --insecure-channels and --demo-sms are serve's own; the rest goes to cmd_config_arg */
    int insecure = 0, demo_sms = 0, n = 0;
    char **args = xcalloc((size_t)argc + 1, sizeof(*args));
    for (int i = 0; i < argc; i++) {
        if (i && !strcmp(argv[i], "--insecure-channels"))
            insecure = 1;
        else if (i && !strcmp(argv[i], "--demo-sms"))
            demo_sms = 1;
        else
            args[n++] = argv[i];
    }
    const char *path = cmd_config_arg(n, args);
    free(args);
    if (!path)
        return 2;
    serve a;
    memset(&a, 0, sizeof(a));
    a.demo_sms = demo_sms;
    if (uv_loop_init(&a.loop) != 0) {
        fprintf(stderr, "dvcbot: cannot create the event loop\n");
        return 1;
    }
    int rc = 1;
    if (serve_load(&a, path, insecure) == 0 && serve_start(&a) == 0) {
        uv_run(&a.loop, UV_RUN_DEFAULT);
        rc = 0;
    } else {
        if (a.server)
            serve_close_handles(&a);
        server_stop(a.server);
    }
    serve_free(&a);
    if (rc == 0)
        log_info("stopped");
    return rc;
}
