/* config.h -- dvcbot.json, with DVCBOT_<SECTION>_<KEY> environment overrides.
 *
 * config_load() reads the JSON file, applies every environment override whose
 * section and key exist in the schema (config.c), checks types and ranges,
 * and resolves the file names of the "files" section (and http.web_root)
 * relative to the directory of dvcbot.json.
 *
 * Errors name the file (or the variable), the JSON path and the problem:
 *   "config/dvcbot.json: http.port: expected an integer in 1..65535"
 *   "DVCBOT_HTTP_PORT: expected an integer in 1..65535, got 'abc'"
 *
 * The struct is plain data owned by the caller; free with config_free(). */
#ifndef DVC_BOT_APP_CONFIG_H
#define DVC_BOT_APP_CONFIG_H

#include <stddef.h>

typedef struct config {
    char *path;                 /* the dvcbot.json that was read */
    struct {
        char *bind;
        int port;
        int max_body;           /* bytes; larger request bodies get 413 */
        int keepalive_s;
        char *web_root;         /* resolved path */
        int watchdog_s;         /* a loop stalled this long ends the process; 0 off */
        char *public_url;       /* "" or http(s)://... the fleet is reached at (load balancer) */
    } http;
    struct {
        char *url;
        int timeout_ms;
        int reconnect_max_ms;
        char *sentinels;        /* "" or host:port,...: the master is asked of them */
        char *master_name;      /* its Sentinel name */
        char *password;         /* "" or AUTH (use DVCBOT_REDIS_PASSWORD) */
        int wait_replicas;      /* WAIT for this many before acknowledging; -1: 1 with
                                   sentinels, else 0 */
        int wait_timeout_ms;    /* the WAIT's timeout: past it the write is answered 503 */
    } redis;
    struct {
        int ttl_s;
    } session;
    struct {
        int max_text;           /* bytes of one chat message */
    } chat;
    struct {
        int requests;           /* 1: one JSON line per request on stderr */
    } log;
    struct {
        int miss_limit;         /* unknown dossier codes per number per window */
        int miss_window_s;
        int complaint_max_text; /* characters of one complaint */
        char *complaint_agency; /* agency e-id of complaints without a dossier */
        int tz_offset_min;      /* local time of dates shown to citizens (+420) */
        int fee_max_vnd;        /* the largest fee an agency may set (NAPAS247: < 500 M) */
    } domain;
    struct {
        int unicode;            /* 1: replies in UCS-2 (X-Kannel-Coding: 2) */
        int max_segments;       /* segments of one reply page */
        int max_pages;          /* pages of one long answer (1..9) */
        int max_text;           /* bytes of one MO kept */
        int dedup_ttl_s;        /* answers kept per Kannel id */
        int outbox;             /* 1: drain the outbox to Kannel */
        char *kannel_sendsms_url;
        char *username;
        char *password;
        char *from;             /* sender (short code), "" for Kannel's default */
        int segments_per_s;     /* outbound rate */
        int max_inflight;       /* sendsms requests at once */
        char *dlr_base_url;     /* "" = {http.public_url}/sms/kannel/dlr, else this
                                   instance's http://{bind}:{port}/...; "off" */
        int max_attempts;
        int retry_base_ms;
        int retry_max_ms;
        int timeout_ms;         /* one sendsms request */
        int retention_days;     /* a sent/failed/skipped outbox record is kept this long */
    } sms;
    struct {                    /* who may speak for a phone number (SPEC "Channel access") */
        char *secret;           /* "" or >= 16 of [A-Za-z0-9._~-]: ?secret= or X-Dvcbot-Secret */
        char *allow_ips;        /* "" or IPv4 addresses / a.b.c.d/n, comma separated */
    } channels;
    struct {                    /* web chat over WebSocket, agent hand-off */
        int max_frame;          /* bytes of one client frame */
        char *allowed_origins;  /* "" same host only; "*" any; else comma-separated origins */
        int ping_s;             /* ping a connection silent this long */
        int idle_timeout_s;     /* close a connection silent this long */
        int notice_poll_ms;     /* how often connected users' notices are fetched */
        int max_out;            /* frames queued to one connection before it is dropped */
        int agent_wait_s;       /* waiting for an operator longer: citizen told */
    } webchat;
    struct {
        int session_ttl_s;      /* a USSD route is kept this long after its last request */
        int unicode;            /* 1: screens in UCS-2 (80 chars); 0: folded GSM-7 (182) */
        int max_pages;          /* pages of one long answer on USSD */
    } ussd;
    struct {
        char *intents;          /* resolved paths */
        char *messages;
        char *catalogue;
        char *procedure_aspects; /* question words of procedure_info */
        char *ussd;             /* the USSD menu tree */
    } files;
} config;

/* Returns NULL and a message in err on failure. */
config *config_load(const char *path, char *err, size_t errlen);
/* The same from len bytes of JSON in memory; name stands for the file in
 * errors and is the base of relative file names (tests/fuzz/fuzz_config.c). */
config *config_load_buf(const char *json, size_t len, const char *name, char *err,
                        size_t errlen);
void config_free(config *c);

/* 1 if addr (dotted IPv4, or "::ffff:" and one) is in list: comma or space
 * separated IPv4 addresses and a.b.c.d/n blocks (channels.allow_ips, checked
 * by config_load). 0 otherwise, and for an empty list. */
int config_addr_in(const char *list, const char *addr);

/* Default path: $DVCBOT_CONFIG, else "config/dvcbot.json". */
const char *config_default_path(void);

#endif
