#!/usr/bin/env bash
# run.sh -- `make bench`: dvcbot's figures next to baselines measured in the same run.
#
# Starts a private redis-server, dvcbot (optimised build, request log off) and
# nginx serving a fixed reply (the baseline: the fastest a static HTTP answer
# can be on this machine) with 1 worker (the fair match for single-threaded
# dvcbot) and with 2 workers (all cores, for reference). Then:
#   chat REST, USSD   wrk closed loop, BENCH_CONNS connections, BENCH_SECONDS each
#   USSD fixed rate   open loop at BENCH_USSD_RATE req/s (ussd_rate.py)
#   SMS               fake SMSC -> Kannel -> dvcbot, and -> nginx null service (kannel.py)
#   WebSocket         10,000 idle sessions, then 1,000 active; same against ws_echo.c,
#                     an lws server that answers every frame with a fixed frame
#   classify, catalogue search (6,000 procedures), dvcbot RSS idle / under load
# Every rate comes with the server's CPU time per request (utime+stime from
# /proc/PID/stat, children included), which a noisy machine disturbs less.
# tests/bench/report.py prints ONE table and writes tests/bench/results/latest.json.
# Read docs/performance.md before comparing figures.
set -euo pipefail
cd "$(dirname "$0")/../.."
scripts/install-deps.sh bench
# [webchat] 10,000 WebSocket sessions need as many descriptors (set before servers start).
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
export DUR=${BENCH_SECONDS:-8}
export CONNS=${BENCH_CONNS:-64}
tmp=$(mktemp -d /tmp/dvc-bench-XXXXXX)
rows=$tmp/rows.jsonl
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
freeport() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
waitport() { for _ in $(seq 100); do (echo >/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0; sleep 0.05; done; return 1; }
row() { python3 -c 'import json,sys; print(json.dumps(dict(a.split("=",1) for a in sys.argv[1:])))' "$@" >>"$rows"; }
load_before=$(cut -d' ' -f1-3 /proc/loadavg)

rport=$(freeport); bport=$(freeport); n1port=$(freeport); n2port=$(freeport); eport=$(freeport)
redis-server --port "$rport" --bind 127.0.0.1 --save '' --appendonly no --dir "$tmp" >/dev/null &
redis_pid=$!
pids+=($redis_pid)
waitport "$rport"
# the SMS/USSD endpoints need the channel secret (SPEC.md "Channel access"); ussd.lua,
# ussd_rate.py and kannel.py read it from the environment
export DVCBOT_CHANNELS_SECRET=${DVCBOT_CHANNELS_SECRET:-$(python3 -c 'import secrets; print(secrets.token_urlsafe(24))')}
# [security] the request budgets (limits.*, store/ratelimit.h) far above what the bench
# clients send from one address: every request pays the limiter, none is refused. A
# second dvcbot with no budgets at all measures what the limiter costs (same run).
export DVCBOT_LIMITS_ADDR_PER_WINDOW=${BENCH_LIMITS_BUDGET:-1000000000}
export DVCBOT_LIMITS_IDENTITY_PER_WINDOW=${BENCH_LIMITS_BUDGET:-1000000000}
DVCBOT_HTTP_PORT=$bport DVCBOT_REDIS_URL=redis://127.0.0.1:$rport/0 DVCBOT_LOG_REQUESTS=false \
    build/dvcbot serve 2>"$tmp/dvcbot.log" &
bot_pid=$!
pids+=($bot_pid)
nlport=$(freeport)
DVCBOT_HTTP_PORT=$nlport DVCBOT_REDIS_URL=redis://127.0.0.1:$rport/0 DVCBOT_LOG_REQUESTS=false \
    DVCBOT_LIMITS_ADDR_PER_WINDOW=0 DVCBOT_LIMITS_IDENTITY_PER_WINDOW=0 \
    build/dvcbot serve 2>"$tmp/dvcbot-nolimits.log" &
nolimits_pid=$!
pids+=($nolimits_pid)

reply='{"replies":[{"text":"Xin chao! Toi la tro ly cua Cong Dich vu cong.","buttons":[]}],"intent":"greeting"}'
start_nginx() { # PORT WORKERS -> pid of the master
    local d=$tmp/nginx-$2
    mkdir -p "$d"
    cat >"$d/nginx.conf" <<NGINX
worker_processes $2;
daemon off;
pid $d/nginx.pid;
error_log $d/nginx-error.log;
events { worker_connections 16384; }
http {
    access_log off;
    client_body_temp_path $d;
    server {
        listen 127.0.0.1:$1;
        location / { default_type application/json; return 200 '$reply'; }
    }
}
NGINX
    nginx -c "$d/nginx.conf" -p "$d" &
}
start_nginx "$n1port" 1; nginx1_pid=$!; pids+=($nginx1_pid)
start_nginx "$n2port" 2; nginx2_pid=$!; pids+=($nginx2_pid)
# the WebSocket baseline: lws with no application work (tests/bench/ws_echo.c)
${CC:-cc} -O2 -std=c11 -D_GNU_SOURCE -o "$tmp/ws_echo" tests/bench/ws_echo.c \
    $(pkg-config --cflags --libs libwebsockets)
"$tmp/ws_echo" "$eport" &
echo_pid=$!
pids+=($echo_pid)
waitport "$bport"; waitport "$nlport"; waitport "$n1port"; waitport "$n2port"; waitport "$eport"

# CPU ticks (utime+stime) of a process and its children (nginx workers).
cpu_ticks() {
    local t=0 p
    for p in "$1" $(pgrep -P "$1" || true); do
        t=$((t + $(awk '{print $14+$15}' "/proc/$p/stat" 2>/dev/null || echo 0)))
    done
    echo "$t"
}
rss_kb() { awk '/VmRSS/ {print $2}' /proc/"$1"/status; }

# wrk_run NAME URL LUA PID: one closed-loop run (after a 1 s warm-up) -> a row.
# Also the CPU of Redis and of wrk itself over the run: the three share the 2 cores, so the
# rate is bound by their sum (report.py prints it under the table).
wrk_run() {
    wrk -t2 -c"$CONNS" -d1s -s "$3" "$2" >/dev/null 2>&1
    local c0 c1 r0 r1 TIMEFORMAT='%U %S'
    c0=$(cpu_ticks "$4"); r0=$(cpu_ticks "$redis_pid")
    { time wrk -t2 -c"$CONNS" -d"${DUR}s" --latency -s "$3" "$2" >"$tmp/wrk.out" 2>&1; } 2>"$tmp/wrk.time"
    c1=$(cpu_ticks "$4"); r1=$(cpu_ticks "$redis_pid")
    python3 tests/bench/report.py wrk "$1" "$tmp/wrk.out" $((c1 - c0)) $((r1 - r0)) \
        "$(cat "$tmp/wrk.time")" >>"$rows"
}

rss_idle=$(rss_kb "$bot_pid")
wrk_run chat_rest.baseline_nginx_1w "http://127.0.0.1:$n1port/api/v1/chat" tests/bench/chat.lua "$nginx1_pid"
wrk_run chat_rest.baseline_nginx_2w "http://127.0.0.1:$n2port/api/v1/chat" tests/bench/chat.lua "$nginx2_pid"
wrk_run chat_rest.dvcbot "http://127.0.0.1:$bport/api/v1/chat" tests/bench/chat.lua "$bot_pid"
# the rate limiter's cost: with and without budgets, alternated three times (the
# machine's load drifts; report.py takes the median of each side)
for i in 1 2 3; do
    wrk_run "rl.off.$i" "http://127.0.0.1:$nlport/api/v1/chat" tests/bench/chat.lua "$nolimits_pid"
    wrk_run "rl.on.$i" "http://127.0.0.1:$bport/api/v1/chat" tests/bench/chat.lua "$bot_pid"
done
kill "$nolimits_pid" 2>/dev/null || true
rss_load=$(rss_kb "$bot_pid")
# USSD ([ussd]): Africa's Talking requests with the route in Redis (ussd.lua), against
# the same static reply; then p99 at a steady rate, open loop (wrk2 is not in Debian).
wrk_run ussd.baseline_nginx_1w "http://127.0.0.1:$n1port/ussd" tests/bench/ussd.lua "$nginx1_pid"
wrk_run ussd.dvcbot "http://127.0.0.1:$bport/ussd" tests/bench/ussd.lua "$bot_pid"
read -r f_rate f_p50 f_p99 f_n f_err < <(python3 tests/bench/ussd_rate.py 127.0.0.1 "$bport" \
    "${BENCH_USSD_RATE:-2000}" "$DUR")
row name=ussd_fixed_rate target="${BENCH_USSD_RATE:-2000}" rate="$f_rate" p50_ms="$f_p50" \
    p99_ms="$f_p99" requests="$f_n" errors="$f_err"
row name=rss rss_idle_kb="$rss_idle" rss_load_kb="$rss_load"

# Classification rate on one core (wall clock and CPU time).
python3 tests/bench/report.py classify "$tmp/lines.txt" >>"$rows"

# Catalogue search: sample + 6,000 generated procedures, 10,000 queries (catalogue_bench.c).
python3 scripts/gen-catalogue.py 6000 "$tmp/gen-catalogue" >/dev/null
# (build/bench/catalogue_bench: built by `make bench` against the catalogue floor's archives)
read -r cat_n cat_mean cat_p99 cat_load cat_cpu99 cat_rss cat_peak \
    < <(build/bench/catalogue_bench config/catalogue "$tmp/gen-catalogue" 2>/dev/null)
row name=catalogue procedures="$cat_n" mean_us="$cat_mean" p99_us="$cat_p99" load_ms="$cat_load" \
    cpu_p99_us="$cat_cpu99" rss_mb="$cat_rss" peak_mb="$cat_peak"
# [knowledge] point 5: the real catalogue (../shared/data, when present) through catalogue_ask with
# its vocabulary on the citizens' questions (budgets: index <= 1 s, RSS <= 40 MB, p99 <= 100 us),
# and 20,000 generated procedures (< 150 MB, p99 <= 200 us).
real_catalogue=${REAL_CATALOGUE:-../shared/data/catalogue-real.json}
if [ -f "$real_catalogue" ]; then
    read -r cr_n cr_mean cr_p99 cr_load cr_cpu99 cr_rss cr_peak < <(build/bench/catalogue_bench \
        "$real_catalogue" --aspects config/procedure-aspects.json \
        --questions tests/corpus/procedure-questions.tsv 2>/dev/null)
    row name=catalogue_real procedures="$cr_n" mean_us="$cr_mean" p99_us="$cr_p99" load_ms="$cr_load" \
        cpu_p99_us="$cr_cpu99" rss_mb="$cr_rss" peak_mb="$cr_peak"
else
    echo "bench: catalogue_real: skipped ($real_catalogue absent)" >&2
fi
python3 scripts/gen-catalogue.py 20000 "$tmp/gen-catalogue-20k" >/dev/null
read -r c20_n c20_mean c20_p99 c20_load c20_cpu99 c20_rss c20_peak < <(build/bench/catalogue_bench \
    "$tmp/gen-catalogue-20k" --aspects config/procedure-aspects.json 2>/dev/null)
row name=catalogue_20k procedures="$c20_n" mean_us="$c20_mean" p99_us="$c20_p99" load_ms="$c20_load" \
    cpu_p99_us="$c20_cpu99" rss_mb="$c20_rss" peak_mb="$c20_peak"

# [webchat] WebSocket: idle sessions (RSS) and messages/s over active connections (the C client
# build/bench/ws_load for the active part),
# dvcbot then the lws echo baseline (ws_bench.py; the baseline skips the idle part).
python3 tests/bench/ws_bench.py "$bport" "$bot_pid" "$tmp/ws-dvcbot.json" >/dev/null
BENCH_WS_IDLE=0 python3 tests/bench/ws_bench.py "$eport" "$echo_pid" "$tmp/ws-echo.json" >/dev/null
python3 tests/bench/report.py ws "$tmp/ws-dvcbot.json" "$tmp/ws-echo.json" >>"$rows"

# SMS ([sms]): fake SMSC -> Kannel -> dvcbot vs -> nginx (own Redis, dvcbot, Kannel).
python3 tests/bench/kannel.py "${BENCH_SMS_MOS:-4000}" >"$tmp/kannel.out"
python3 tests/bench/report.py sms tests/bench/results/kannel.json >>"$rows"

row name=machine cores="$(nproc)" load_before="$load_before" \
    load_after="$(cut -d' ' -f1-3 /proc/loadavg)" seconds="$DUR" connections="$CONNS"
python3 tests/bench/report.py table "$rows" tests/bench/results/latest.json

# [scale] Redis memory per dossier / answered complaint with config/redis.conf's listpack
# settings against Redis's defaults, loaded through the server's scripts (memory.py);
# BENCH_MEMORY_DOSSIERS (default 200,000) dossiers, extrapolated to 7.5 M.
python3 tests/bench/memory.py | tee tests/bench/results/memory.txt
