#!/usr/bin/env bash
# run.sh -- `make run`: a private redis-server under ./run/ and dvcbot serve,
# both stopped on Ctrl-C. The Redis port comes from redis.url in the config
# (or DVCBOT_REDIS_URL), so it never clashes with a system Redis on 6379.
#
# The SMS and USSD endpoints serve only callers that show the channel secret
# (SPEC.md "Channel access"): one is generated into run/channels.secret on the
# first run (kept, mode 0600; DVCBOT_CHANNELS_SECRET overrides it), written
# into run/kannel.conf (Kannel's get-url, from config/kannel/kannel.conf.in)
# and into the simulator link printed below (#secret=..., a URL fragment that
# no server or log sees).
set -euo pipefail
cd "$(dirname "$0")/.."
cfg=${DVCBOT_CONFIG:-config/dvcbot.json}
url=${DVCBOT_REDIS_URL:-$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["redis"]["url"])' "$cfg")}
port=$(python3 -c 'import sys,urllib.parse as u; print(u.urlparse(sys.argv[1]).port or 6379)' "$url")
http_port=${DVCBOT_HTTP_PORT:-$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["http"]["port"])' "$cfg")}

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
# Kannel for this dvcbot (bearerbox run/kannel.conf; smsbox run/kannel.conf), on
# Kannel's usual ports (sendsms 13013 = sms.kannel_sendsms_url), fake SMSC on 13010
sed -e "s|@RUNDIR@|$PWD/run/kannel|g" -e "s|@ADMIN_PORT@|13000|g" -e "s|@SMSBOX_PORT@|13001|g" \
    -e "s|@SMSC_PORT@|13010|g" -e "s|@SENDSMS_PORT@|13013|g" \
    -e "s|@DVCBOT_URL@|http://127.0.0.1:$http_port|g" \
    -e "s|@SECRET_ARG@|\\&secret=$DVCBOT_CHANNELS_SECRET|g" -e "s|@LOG_LEVEL@|1|g" \
    config/kannel/kannel.conf.in >run/kannel.conf
chmod 600 run/kannel.conf
redis-server config/redis.conf --port "$port" --dir "$PWD/run/redis" \
    --logfile "$PWD/run/redis.log" &
redis_pid=$!
bot_pid=
cleanup() {
    trap - INT TERM EXIT
    [ -n "$bot_pid" ] && kill -TERM "$bot_pid" 2>/dev/null && wait "$bot_pid" 2>/dev/null
    kill -TERM "$redis_pid" 2>/dev/null && wait "$redis_pid" 2>/dev/null
    echo "run.sh: stopped dvcbot and redis-server"
}
trap cleanup INT TERM EXIT
for _ in $(seq 50); do
    redis-cli -p "$port" ping >/dev/null 2>&1 && break
    sleep 0.1
done

echo "dvcbot: Redis on 127.0.0.1:$port (data in run/redis), HTTP on http://127.0.0.1:$http_port/"
echo "  try: curl -s http://127.0.0.1:$http_port/api/v1/chat -H 'Content-Type: application/json' \\"
echo "            -d '{\"user\":\"me\",\"text\":\"xin chao\"}'"
echo "  web chat:  http://127.0.0.1:$http_port/"
echo "  simulator (USSD + SMS): http://127.0.0.1:$http_port/simulator#secret=$DVCBOT_CHANNELS_SECRET"
echo "  Kannel with the same secret: bearerbox run/kannel.conf & smsbox run/kannel.conf"
echo "  operators: http://127.0.0.1:$http_port/agent     (key: build/dvcbot keys create --operator NAME)"
echo "  health: http://127.0.0.1:$http_port/healthz   metrics: http://127.0.0.1:$http_port/metrics"
echo "  Ctrl-C stops both."
build/dvcbot serve --config "$cfg" &
bot_pid=$!
for _ in $(seq 100); do
    curl -s -o /dev/null "http://127.0.0.1:$http_port/healthz" && break
    sleep 0.1
done
# Sample dossiers (config/sample-dossiers.json), loaded once per Redis data dir.
if [ "$(redis-cli -p "$port" EXISTS dvcbot:dossier:000.00.12.H18-200520-0001)" = "0" ]; then
    python3 scripts/seed-sample.py "$http_port" "$cfg" || echo "run.sh: could not load the sample dossiers"
fi
wait "$bot_pid" || true
bot_pid=
