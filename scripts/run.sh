#!/usr/bin/env bash
# run.sh -- `make run`: a private redis-server, Kannel (bearerbox + smsbox with
# the fake SMSC and scripts/demo-smsc.py as the phone network) and dvcbot
# serve, all under ./run/ and all stopped on Ctrl-C. The Redis port comes
# from redis.url in the config (or DVCBOT_REDIS_URL), so it never clashes
# with a system Redis on 6379.
#
# A second `make run` while one runs says so (run/run.pid) and exits 1; a
# port taken by another program is named with the setting that moves it.
#
# The SMS and USSD endpoints serve only callers that show the channel secret
# (docs/api.md "Channel access"): one is generated into run/channels.secret on
# the first run (kept, mode 0600; DVCBOT_CHANNELS_SECRET overrides it), given
# to Kannel (run/kannel/kannel.conf, from config/kannel/kannel.conf.in) and to
# the simulator link printed below (#secret=..., a URL fragment that no server
# or log sees). Every SMS dvcbot sends goes through Kannel to the demo SMSC:
# it is printed here ("SMS -> ..."), kept in run/sms-out.jsonl and shown in the
# simulator's SMS thread of its number (dvcbot serve --demo-sms). Without
# Kannel installed (or with its ports taken) dvcbot runs with sms.outbox off:
# outbound SMS wait in Redis and the log stays quiet.
set -euo pipefail
cd "$(dirname "$0")/.."
cfg=${DVCBOT_CONFIG:-config/dvcbot.json}
[ -r "$cfg" ] || { echo "run.sh: $cfg: no such file (DVCBOT_CONFIG names another)" >&2; exit 1; }
url=${DVCBOT_REDIS_URL:-$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["redis"]["url"])' "$cfg")}
port=$(python3 -c 'import sys,urllib.parse as u; print(u.urlparse(sys.argv[1]).port or 6379)' "$url")
http_port=${DVCBOT_HTTP_PORT:-$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["http"]["port"])' "$cfg")}
# Kannel on its usual ports: sendsms 13013 = sms.kannel_sendsms_url of config/dvcbot.json
k_admin=13000 k_box=13001 k_smsc=13010 k_sendsms=13013

mkdir -p run
if [ -s run/run.pid ] && kill -0 "$(cat run/run.pid)" 2>/dev/null; then
    echo "make run: already running in this tree (pid $(cat run/run.pid), started" \
         "$(date -r run/run.pid '+%H:%M:%S')): http://127.0.0.1:$http_port/ and Redis on" \
         "127.0.0.1:$port. Use it, or stop it (Ctrl-C in its terminal, or kill $(cat run/run.pid))." >&2
    exit 1
fi
# ports: free, or say which setting moves the one that is not
taken() { ! python3 -c 'import socket,sys; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("127.0.0.1", int(sys.argv[1])))' "$1" 2>/dev/null; }
if taken "$http_port"; then
    echo "make run: port $http_port (HTTP) is taken by another program (another make run from" \
         "another clone?): stop it, or run DVCBOT_HTTP_PORT=8081 make run" >&2
    exit 1
fi
if taken "$port"; then
    echo "make run: port $port (Redis, redis.url of $cfg) is taken by another program: stop it," \
         "or run DVCBOT_REDIS_URL=redis://127.0.0.1:6391/0 make run" >&2
    exit 1
fi
echo $$ >run/run.pid

# make run CATALOGUE=path: that catalogue (a directory, or one file in the schema such as
# ../shared/data/catalogue-real.json) instead of files.catalogue
if [ -n "${CATALOGUE:-}" ]; then
    if [ -d "$CATALOGUE" ]; then
        DVCBOT_FILES_CATALOGUE=$(realpath "$CATALOGUE")
    elif [ -f "$CATALOGUE" ]; then
        mkdir -p run/catalogue
        rm -f run/catalogue/*.json
        ln -s "$(realpath "$CATALOGUE")" "run/catalogue/$(basename "$CATALOGUE")"
        DVCBOT_FILES_CATALOGUE=$PWD/run/catalogue
    else
        echo "run.sh: CATALOGUE=$CATALOGUE: no such file or directory" >&2
        exit 1
    fi
    export DVCBOT_FILES_CATALOGUE
    echo "dvcbot: catalogue $CATALOGUE"
fi
build/dvcbot check-config --config "$cfg"
mkdir -p run/redis run/kannel
if [ -z "${DVCBOT_CHANNELS_SECRET:-}" ]; then
    if [ ! -s run/channels.secret ]; then
        (umask 077; python3 -c 'import secrets; print(secrets.token_urlsafe(24))' >run/channels.secret)
    fi
    DVCBOT_CHANNELS_SECRET=$(cat run/channels.secret)
fi
export DVCBOT_CHANNELS_SECRET

redis_pid= bot_pid= smsc_pid= kannel=
cleanup() {
    # ignored, not reset: a second Ctrl-C (or bash's own re-raise of the first) must
    # not cut the cleanup short
    trap '' INT TERM
    trap - EXIT
    set +e   # a child that died of the signal makes wait fail: go on stopping the rest
    [ -n "$bot_pid" ] && kill -TERM "$bot_pid" 2>/dev/null && wait "$bot_pid" 2>/dev/null
    [ -n "$smsc_pid" ] && kill -TERM "$smsc_pid" 2>/dev/null && wait "$smsc_pid" 2>/dev/null
    [ -n "$kannel" ] && scripts/kannel.sh stop run/kannel
    [ -n "$redis_pid" ] && kill -TERM "$redis_pid" 2>/dev/null && wait "$redis_pid" 2>/dev/null
    rm -f run/run.pid
    echo "run.sh: stopped dvcbot, ${kannel:+Kannel, }redis-server"
    exit 0
}
trap cleanup INT TERM EXIT

redis-server config/redis.conf --port "$port" --dir "$PWD/run/redis" \
    --logfile "$PWD/run/redis.log" &
redis_pid=$!
for _ in $(seq 50); do
    redis-cli -p "$port" ping >/dev/null 2>&1 && break
    kill -0 "$redis_pid" 2>/dev/null || break
    sleep 0.1
done
if ! redis-cli -p "$port" ping >/dev/null 2>&1; then
    echo "make run: redis-server did not start on port $port; its log run/redis.log ends:" >&2
    tail -n 3 run/redis.log >&2
    exit 1
fi

if ! command -v /usr/sbin/bearerbox >/dev/null; then
    echo "run.sh: Kannel is not installed (scripts/install-deps.sh run): outbound SMS stay queued"
    export DVCBOT_SMS_OUTBOX=false
elif taken $k_admin || taken $k_box || taken $k_smsc || taken $k_sendsms; then
    echo "run.sh: a Kannel port ($k_admin, $k_box, $k_smsc or $k_sendsms) is taken (a system" \
         "Kannel?): running without Kannel, outbound SMS stay queued"
    export DVCBOT_SMS_OUTBOX=false
else
    # its own session: Ctrl-C reaches it only through cleanup (bearerbox first), and
    # Kannel's shutdown signals never reach this script
    KANNEL_ADMIN_PORT=$k_admin KANNEL_SMSBOX_PORT=$k_box KANNEL_SMSC_PORT=$k_smsc \
        KANNEL_SENDSMS_PORT=$k_sendsms \
        setsid scripts/kannel.sh start run/kannel "http://127.0.0.1:$http_port" "$DVCBOT_CHANNELS_SECRET" >/dev/null
    kannel=1
    python3 scripts/demo-smsc.py $k_smsc run/sms-out.jsonl "http://127.0.0.1:$http_port" &
    smsc_pid=$!
fi

# --demo-sms: /sms/demo keeps what the demo SMSC received, for the simulator's SMS thread
build/dvcbot serve --config "$cfg" ${kannel:+--demo-sms} &
bot_pid=$!
for _ in $(seq 100); do
    curl -s -o /dev/null "http://127.0.0.1:$http_port/healthz" && break
    kill -0 "$bot_pid" 2>/dev/null || exit 1   # dvcbot said why
    sleep 0.1
done
# Sample dossiers (config/sample-dossiers.json), loaded once per Redis data dir.
if [ "$(redis-cli -p "$port" EXISTS dvcbot:dossier:000.00.12.H18-200520-0001)" = "0" ]; then
    python3 scripts/seed-sample.py "$http_port" "$cfg" || echo "run.sh: could not load the sample dossiers"
fi
echo "dvcbot: Redis on 127.0.0.1:$port (data in run/redis), HTTP on http://127.0.0.1:$http_port/"
echo "  try: curl -s http://127.0.0.1:$http_port/api/v1/chat -H 'Content-Type: application/json' \\"
echo "            -d '{\"user\":\"me\",\"text\":\"xin chao\"}'"
echo "  web chat:  http://127.0.0.1:$http_port/"
echo "  simulator (USSD + SMS): http://127.0.0.1:$http_port/simulator#secret=$DVCBOT_CHANNELS_SECRET"
if [ -n "$kannel" ]; then
    echo "  Kannel: bearerbox + smsbox with the fake SMSC (logs in run/kannel/)"
    echo "  every SMS sent is printed here as 'SMS -> ...', kept in run/sms-out.jsonl and shown in"
    echo "  the simulator's SMS thread of its number (try 0912345678: its dossier was just notified)"
fi
echo "  operators: http://127.0.0.1:$http_port/agent     (key: build/dvcbot keys create --operator NAME)"
echo "  health: http://127.0.0.1:$http_port/healthz  ready: /readyz  metrics: /metrics"
echo "  sample data: config/sample-dossiers.json (loaded once; rm -r run/redis to reload it)"
echo "  Ctrl-C stops everything."
wait "$bot_pid" || true
bot_pid=
