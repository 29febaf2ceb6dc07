#!/usr/bin/env bash
# run.sh -- `make run`: a private redis-server under ./run/ and dvcbot serve,
# both stopped on Ctrl-C. The Redis port comes from redis.url in the config
# (or DVCBOT_REDIS_URL), so it never clashes with a system Redis on 6379.
set -euo pipefail
cd "$(dirname "$0")/.."
cfg=${DVCBOT_CONFIG:-config/dvcbot.json}
url=${DVCBOT_REDIS_URL:-$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["redis"]["url"])' "$cfg")}
port=$(python3 -c 'import sys,urllib.parse as u; print(u.urlparse(sys.argv[1]).port or 6379)' "$url")
http_port=${DVCBOT_HTTP_PORT:-$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["http"]["port"])' "$cfg")}

build/dvcbot check-config --config "$cfg"
mkdir -p run/redis
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
echo "  web chat:  http://127.0.0.1:$http_port/          simulator (USSD + SMS): http://127.0.0.1:$http_port/simulator"
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
