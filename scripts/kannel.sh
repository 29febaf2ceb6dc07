#!/usr/bin/env bash
# kannel.sh -- start / stop a private Kannel (bearerbox + smsbox + fake SMSC)
# on free loopback ports, pointed at dvcbot, with config/kannel/kannel.conf.in.
#
#   scripts/kannel.sh start RUNDIR [DVCBOT_URL] [SECRET]   (DVCBOT_URL default http://127.0.0.1:8080)
#   scripts/kannel.sh stop RUNDIR
#
# start writes RUNDIR/kannel.conf and RUNDIR/kannel.env (shell assignments:
# KANNEL_ADMIN_PORT, KANNEL_SMSC_PORT, KANNEL_SENDSMS_PORT, KANNEL_SENDSMS_URL),
# prints kannel.env, and returns once bearerbox answers and smsbox is
# connected. Ports may be fixed with KANNEL_ADMIN_PORT=... etc. in the
# environment; KANNEL_LOG_LEVEL (default 1) sets the boxes' log level.
set -euo pipefail
cd "$(dirname "$0")/.."
cmd=${1:-}; run=${2:-}
[ -n "$cmd" ] && [ -n "$run" ] || { sed -n '2,13p' "$0" >&2; exit 2; }
mkdir -p "$run"
run=$(cd "$run" && pwd)

free_ports() {
    python3 - "$1" <<'PY'
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket(); s.bind(("127.0.0.1", 0)); socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks))
PY
}

stop_pid() {
    local f=$1
    [ -f "$f" ] || return 0
    local pid; pid=$(cat "$f")
    if kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid" 2>/dev/null || true
        for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f "$f"
}

case "$cmd" in
start)
    url=${3:-http://127.0.0.1:8080}
    secret=${4:-}
    read -r p1 p2 p3 p4 <<<"$(free_ports 4)"
    admin=${KANNEL_ADMIN_PORT:-$p1}; box=${KANNEL_SMSBOX_PORT:-$p2}
    smsc=${KANNEL_SMSC_PORT:-$p3}; sendsms=${KANNEL_SENDSMS_PORT:-$p4}
    secret_arg=""
    # escaped: a bare & in a sed replacement stands for the matched text
    [ -n "$secret" ] && secret_arg="\\&secret=$secret"
    sed -e "s|@RUNDIR@|$run|g" -e "s|@ADMIN_PORT@|$admin|g" -e "s|@SMSBOX_PORT@|$box|g" \
        -e "s|@SMSC_PORT@|$smsc|g" -e "s|@SENDSMS_PORT@|$sendsms|g" \
        -e "s|@DVCBOT_URL@|$url|g" -e "s|@SECRET_ARG@|$secret_arg|g" \
        -e "s|@LOG_LEVEL@|${KANNEL_LOG_LEVEL:-1}|g" \
        config/kannel/kannel.conf.in >"$run/kannel.conf"
    cat >"$run/kannel.env" <<ENV
KANNEL_ADMIN_PORT=$admin
KANNEL_SMSBOX_PORT=$box
KANNEL_SMSC_PORT=$smsc
KANNEL_SENDSMS_PORT=$sendsms
KANNEL_SENDSMS_URL=http://127.0.0.1:$sendsms/cgi-bin/sendsms
ENV
    /usr/sbin/bearerbox "$run/kannel.conf" >"$run/bearerbox.out" 2>&1 &
    echo $! >"$run/bearerbox.pid"
    for _ in $(seq 1 100); do
        curl -sf "http://127.0.0.1:$admin/status.txt?password=statuspw" >/dev/null 2>&1 && break
        sleep 0.05
    done
    /usr/sbin/smsbox "$run/kannel.conf" >"$run/smsbox.out" 2>&1 &
    echo $! >"$run/smsbox.pid"
    for _ in $(seq 1 100); do
        if curl -sf "http://127.0.0.1:$admin/status.txt?password=statuspw" 2>/dev/null |
                grep -q "smsbox:"; then
            (exec 3<>"/dev/tcp/127.0.0.1/$sendsms") 2>/dev/null && { cat "$run/kannel.env"; exit 0; }
        fi
        sleep 0.05
    done
    echo "kannel.sh: Kannel did not come up, see $run/*.log" >&2
    exit 1
    ;;
stop)
    # bearerbox first: it takes smsbox down with it, and sendsms stops accepting sooner
    stop_pid "$run/bearerbox.pid"
    stop_pid "$run/smsbox.pid"
    ;;
*)
    echo "kannel.sh: unknown command '$cmd'" >&2; exit 2 ;;
esac
