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
    struct {                    /* budgets (store/ratelimit.h, SPEC "Errors": 429); 0 = none */
        int window_s;           /* the window of the per-request budgets */
        int addr_per_window;    /* requests of one client address, every endpoint */
        int agency_per_window;  /* requests with one agency API key (instead of the address's) */
        int identity_per_window; /* messages of one chat id / phone number */
        char *trusted_proxies;  /* "" or IPv4 list: peers whose X-Forwarded-For is believed */
        int miss_addr_limit;    /* unknown codes of one client address per miss window */
        int complaints_per_day; /* complaints filed by one identity a day */
        int complaints_addr_per_day; /* ... and from one client address */
        int handoffs_per_hour;  /* "gặp cán bộ" of one identity (and x4 of one address) */
        int status_changes_per_hour; /* status changes of one dossier by its agency */
        int subs_per_dossier;   /* subscribers of one dossier */
        int subs_per_member;    /* dossiers one citizen follows */
        int fanout_batch;       /* subscribers notified per script of one change */
    } limits;
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
    struct {                    /* push chat channels (docs/zalo.md, docs/telegram.md) */
        int max_attempts;       /* of one API call (quota waits are not counted) */
        int retry_base_ms;      /* back-off of a failed call, doubling */
        int retry_max_ms;
        int quota_retry_ms;     /* a call refused for quota or rate waits this long */
        int timeout_ms;         /* one API request */
        int dedup_ttl_s;        /* webhook event ids remembered */
        int poll_ms;            /* how often the queues are polled */
        int max_inflight;       /* API requests at once, per platform */
        int notices_window_s;   /* users seen this long ago still get notices */
    } push;
    struct {
        int enabled;
        char *app_id;
        char *app_secret;       /* header secret_key of a token refresh */
        char *oa_secret;        /* the OA secret key: webhook signatures */
        char *access_token;     /* first pair; Redis keeps the live one */
        char *refresh_token;
        char *api_url;          /* https://openapi.zalo.me */
        char *oauth_url;        /* https://oauth.zaloapp.com */
        char *zns_url;          /* https://business.openapi.zalo.me */
        char *zns_template_id;  /* "" = no ZNS notices */
        char *zns_code_param;   /* template parameter names */
        char *zns_status_param;
        int timestamp_window_s; /* webhook events older or newer are refused */
        int reply_window_s;     /* consultation messages within this of the user's last event */
        int sends_per_s;
    } zalo;
    struct {
        int enabled;
        char *bot_token;
        char *secret_token;     /* setWebhook secret_token */
        char *api_url;          /* https://api.telegram.org */
        int sends_per_s;
    } telegram;
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
