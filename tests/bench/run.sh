#!/usr/bin/env bash
# run.sh -- `make bench`: dvcbot's figures next to baselines measured in the same run.
#
# Starts a private redis-server, dvcbot (optimised build, request log off) and
# nginx serving a fixed JSON reply (the baseline: the fastest a static HTTP
# answer can be on this machine), then drives both with wrk and prints rates,
# latencies and ratios. Also times `dvcbot classify` on one core. Writes the
# same figures to tests/bench/results/latest.json.
set -euo pipefail
cd "$(dirname "$0")/../.."
scripts/install-deps.sh bench
# [webchat] 10,000 WebSocket sessions need as many descriptors in dvcbot (set before it starts).
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
DUR=${BENCH_SECONDS:-10}
CONNS=${BENCH_CONNS:-64}
tmp=$(mktemp -d /tmp/dvc-bench-XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
freeport() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
waitport() { for _ in $(seq 100); do (echo >/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0; sleep 0.05; done; return 1; }

rport=$(freeport); bport=$(freeport); nport=$(freeport)
redis-server --port "$rport" --bind 127.0.0.1 --save '' --appendonly no --dir "$tmp" >/dev/null &
pids+=($!)
waitport "$rport"
DVCBOT_HTTP_PORT=$bport DVCBOT_REDIS_URL=redis://127.0.0.1:$rport/0 DVCBOT_LOG_REQUESTS=false \
    build/dvcbot serve 2>"$tmp/dvcbot.log" &
bot_pid=$!
pids+=($bot_pid)
waitport "$bport"

reply='{"replies":[{"text":"Xin chao! Toi la tro ly cua Cong Dich vu cong.","buttons":[]}],"intent":"greeting"}'
cat >"$tmp/nginx.conf" <<NGINX
worker_processes ${NGINX_WORKERS:-1};
daemon off;
pid $tmp/nginx.pid;
error_log $tmp/nginx-error.log;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path $tmp;
    server {
        listen 127.0.0.1:$nport;
        location / { default_type application/json; return 200 '$reply'; }
    }
}
NGINX
nginx -c "$tmp/nginx.conf" -p "$tmp" &
pids+=($!)
waitport "$nport"

# wrk_run URL [LUA] -> "rate p50_ms p99_ms non2xx"
wrk_run() {
    wrk -t2 -c"$CONNS" -d"${DUR}s" --latency -s "${2:-tests/bench/chat.lua}" "$1" >"$tmp/wrk.out" 2>&1
    python3 - "$tmp/wrk.out" <<'PY'
import re, sys
t = open(sys.argv[1]).read()
rate = float(re.search(r"Requests/sec:\s+([\d.]+)", t).group(1))
def lat(p):
    m = re.search(rf"\s{p}%\s+([\d.]+)(us|ms|s)", t)
    v, u = float(m.group(1)), m.group(2)
    return v / 1000 if u == "us" else v * 1000 if u == "s" else v
non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", t)
print(rate, lat(50), lat(99), non2xx.group(1) if non2xx else 0)
PY
}
rss_kb() { awk '/VmRSS/ {print $2}' /proc/"$1"/status; }

rss_idle=$(rss_kb "$bot_pid")
read -r n_rate n_p50 n_p99 n_bad < <(wrk_run "http://127.0.0.1:$nport/api/v1/chat")
read -r d_rate d_p50 d_p99 d_bad < <(wrk_run "http://127.0.0.1:$bport/api/v1/chat")
rss_load=$(rss_kb "$bot_pid")

# USSD ([ussd]): Africa's Talking requests with the route in Redis (tests/bench/ussd.lua),
# against the nginx static reply above; then p99 at a steady 2,000 requests/s, open
# loop (tests/bench/ussd_rate.py: wrk2 is not in Debian, wrk alone hides queueing).
read -r u_rate u_p50 u_p99 u_bad < <(wrk_run "http://127.0.0.1:$bport/ussd" tests/bench/ussd.lua)
read -r f_rate f_p50 f_p99 f_n f_err < <(python3 tests/bench/ussd_rate.py 127.0.0.1 "$bport" \
    "${BENCH_USSD_RATE:-2000}" "$DUR")

# Classification rate on one core.
python3 - "$tmp/lines.txt" <<'PY'
import sys
base = ["xin chao", "TRACUU 000.00.06.H56-231027-0361", "lam giay khai sinh can giay to gi",
        "HD", "danh gia 4 sao, can bo nhiet tinh", "gia vang hom nay bao nhieu", "STOP",
        "Cho tôi hỏi hồ sơ H56.14-240823-0001 đã có kết quả chưa ạ?", "ddawng kys tam tru o dau",
        "TTPA PA-241105-0123"]
with open(sys.argv[1], "w") as f:
    for i in range(1000000):
        f.write(base[i % len(base)] + "\n")
PY
c_start=$(date +%s.%N)
taskset -c 0 build/dvcbot classify <"$tmp/lines.txt" >/dev/null
c_end=$(date +%s.%N)
c_rate=$(python3 -c "print(round(1000000/($c_end-$c_start)))")

# Catalogue search: sample + 6,000 generated procedures, 10,000 queries (tests/bench/catalogue_bench.c).
python3 scripts/gen-catalogue.py 6000 "$tmp/gen-catalogue" >/dev/null
${CC:-cc} -O2 -std=c11 -D_GNU_SOURCE -I. -Icommon -o "$tmp/catalogue_bench" tests/bench/catalogue_bench.c \
    bot/catalogue*.c intents/normalize.c intents/syllable.c common/xmalloc.c common/buf.c -ljansson -lm
read -r cat_n cat_mean cat_p99 cat_load < <("$tmp/catalogue_bench" config/catalogue "$tmp/gen-catalogue" 2>/dev/null)

python3 - "$n_rate" "$n_p50" "$n_p99" "$n_bad" "$d_rate" "$d_p50" "$d_p99" "$d_bad" \
          "$rss_idle" "$rss_load" "$c_rate" "$DUR" "$CONNS" "${NGINX_WORKERS:-1}" \
          "$cat_n" "$cat_mean" "$cat_p99" "$cat_load" \
          "$u_rate" "$u_p50" "$u_p99" "$u_bad" "$f_rate" "$f_p50" "$f_p99" "$f_n" "$f_err" <<'PY'
import json, sys, os
a = sys.argv[1:]
n = dict(rate=float(a[0]), p50_ms=float(a[1]), p99_ms=float(a[2]), non2xx=int(a[3]))
d = dict(rate=float(a[4]), p50_ms=float(a[5]), p99_ms=float(a[6]), non2xx=int(a[7]))
res = {
    "chat_rest": {"dvcbot": d, "baseline_nginx_static": n, "ratio": round(d["rate"] / n["rate"], 3)},
    "classify_per_core_msgs_per_s": int(a[10]),
    "rss_kb": {"idle": int(a[8]), "after_load": int(a[9])},
    "catalogue_search_us": {"procedures": int(a[14]), "mean": float(a[15]), "p99": float(a[16]),
                            "load_ms": float(a[17])},
    "ussd": {"dvcbot": dict(rate=float(a[18]), p50_ms=float(a[19]), p99_ms=float(a[20]),
                            non2xx=int(a[21])),
             "ratio_to_nginx_static": round(float(a[18]) / n["rate"], 3),
             "fixed_rate": dict(target=float(os.environ.get("BENCH_USSD_RATE", 2000)),
                                achieved=float(a[22]), p50_ms=float(a[23]), p99_ms=float(a[24]),
                                requests=int(a[25]), errors=int(a[26]))},
    "settings": {"seconds": int(a[11]), "connections": int(a[12]), "nginx_workers": int(a[13]),
                 "cores": os.cpu_count()},
}
print(f"{'':24}{'rate/s':>12}{'p50 ms':>10}{'p99 ms':>10}{'non-2xx':>9}")
print(f"{'nginx static (baseline)':24}{n['rate']:12.0f}{n['p50_ms']:10.2f}{n['p99_ms']:10.2f}{n['non2xx']:9d}")
print(f"{'dvcbot chat REST':24}{d['rate']:12.0f}{d['p50_ms']:10.2f}{d['p99_ms']:10.2f}{d['non2xx']:9d}")
print(f"chat REST ratio dvcbot/nginx: {res['chat_rest']['ratio']}")
u = res["ussd"]
print(f"{'dvcbot USSD (Redis)':24}{u['dvcbot']['rate']:12.0f}{u['dvcbot']['p50_ms']:10.2f}"
      f"{u['dvcbot']['p99_ms']:10.2f}{u['dvcbot']['non2xx']:9d}")
print(f"USSD ratio dvcbot/nginx: {u['ratio_to_nginx_static']} (goal >= 0.5)")
fr = u["fixed_rate"]
print(f"USSD at {fr['target']:.0f} req/s (open loop): achieved {fr['achieved']:.0f}/s, "
      f"p50 {fr['p50_ms']} ms, p99 {fr['p99_ms']} ms (goal < 5), errors {fr['errors']}")
print(f"classify: {res['classify_per_core_msgs_per_s']} msgs/s on one core")
print(f"catalogue search: {a[14]} procedures, mean {a[15]} us, p99 {a[16]} us per query (budget 100 us)")
print(f"dvcbot RSS: {res['rss_kb']['idle']} kB idle, {res['rss_kb']['after_load']} kB after load")
os.makedirs("tests/bench/results", exist_ok=True)
json.dump(res, open("tests/bench/results/latest.json", "w"), indent=2)
PY

# [webchat] WebSocket: 10,000 idle sessions (RSS) and messages/s over 1,000 active
# connections (tests/bench/ws_bench.py); merged into results/latest.json as "webchat".
python3 tests/bench/ws_bench.py "$bport" "$bot_pid" tests/bench/results/latest.json
