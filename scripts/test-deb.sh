#!/usr/bin/env bash
# test-deb.sh -- `make test-deb`: build the .deb, check its file list and
# metadata (dpkg-deb -c / -I), run lintian (installed here, only here), install
# it with dpkg -i, start the service (systemctl where systemd runs, else the
# unit's ExecStart as the dvcbot user with the unit's environment), wait for
# /healthz and /readyz, then remove and purge it. Changes the host: needs root,
# and is not part of `make test`. Prints the start-to-ready time.
#
# The service talks to a private redis-server on a free port and listens on
# a free port (DVCBOT_REDIS_URL, DVCBOT_HTTP_PORT given to the started process),
# so a system Redis or another dvcbot on 8080 are left alone.
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" -eq 0 ] || { echo "test-deb: needs root (dpkg -i)" >&2; exit 1; }
fail() { echo "not ok - test-deb: $*" >&2; exit 1; }
pass() { echo "ok - test-deb: $*"; }

make --no-print-directory deb
deb=$(ls -t build/deb/dvcbot_*_amd64.deb | head -1)
pass "built $deb ($(du -h "$deb" | cut -f1))"

# --- the package's files and metadata -------------------------------------
dpkg-deb -c "$deb" >build/deb/contents.txt
dpkg-deb -I "$deb" >build/deb/info.txt
for f in ./usr/bin/dvcbot ./etc/dvcbot/dvcbot.json ./lib/systemd/system/dvcbot.service \
         ./usr/share/dvcbot/web/index.html ./usr/share/dvcbot/config/messages.vi.json \
         ./usr/share/dvcbot/config/intents.json ./usr/share/dvcbot/config/catalogue/ \
         ./usr/share/man/man1/dvcbot.1.gz ./usr/share/doc/dvcbot/copyright ./var/lib/dvcbot/; do
    grep -q " $f\$" build/deb/contents.txt || fail "$f missing from dpkg-deb -c"
done
pass "dpkg-deb -c: binary, conffile, unit, data, man page, state dir"
grep -q '^ Depends:.*libwebsockets17' build/deb/info.txt || fail "Depends lacks libwebsockets"
grep -q '^ Depends:.*libhiredis0.14' build/deb/info.txt || fail "Depends lacks libhiredis"
! grep -q '^ Depends:.*-dev' build/deb/info.txt || fail "Depends names a -dev package"
grep -q '/etc/dvcbot/dvcbot.json' <(dpkg-deb -f "$deb" Conffiles 2>/dev/null; dpkg-deb --ctrl-tarfile "$deb" | tar -xO ./conffiles) ||
    fail "/etc/dvcbot/dvcbot.json is not a conffile"
pass "dpkg-deb -I: $(grep '^ Depends:' build/deb/info.txt | sed 's/^ //')"

# --- lintian ---------------------------------------------------------------
if ! command -v lintian >/dev/null; then
    echo "test-deb: installing lintian"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends lintian >/dev/null
fi
lintian --tag-display-limit 0 "$deb" >build/deb/lintian.txt 2>&1 || true
errors=$(grep -c '^E:' build/deb/lintian.txt || true)
warnings=$(grep -c '^W:' build/deb/lintian.txt || true)
sed 's/^/    /' build/deb/lintian.txt
[ "$errors" -eq 0 ] || fail "lintian: $errors errors"
pass "lintian: 0 errors, $warnings warnings"

# --- install, start, probe, remove ------------------------------------------
rdir=$(mktemp -d)
read -r rport hport < <(python3 -c 'import socket
ss=[socket.socket() for _ in range(2)]
[s.bind(("127.0.0.1",0)) for s in ss]
print(*[s.getsockname()[1] for s in ss])')
redis-server --port "$rport" --bind 127.0.0.1 --save "" --appendonly no --dir "$rdir" \
    --daemonize no >build/deb/redis.log 2>&1 &
redis_pid=$!
svc_pid=
cleanup() {
    set +e
    [ -n "$svc_pid" ] && kill -TERM "$svc_pid" 2>/dev/null && wait "$svc_pid" 2>/dev/null
    [ -n "${base_pid:-}" ] && kill -TERM "$base_pid" 2>/dev/null && wait "$base_pid" 2>/dev/null
    kill -TERM "$redis_pid" 2>/dev/null; wait "$redis_pid" 2>/dev/null
    rm -rf "$rdir"
}
trap cleanup EXIT

for _ in $(seq 100); do redis-cli -p "$rport" ping >/dev/null 2>&1 && break; sleep 0.05; done
redis-cli -p "$rport" ping >/dev/null 2>&1 || { tail -3 build/deb/redis.log; fail "redis-server on $rport"; }
# baseline in the same run: the source tree's build/dvcbot, same Redis, same port
wait_ready() {
    for _ in $(seq 400); do
        curl -sf "http://127.0.0.1:$hport/readyz" >/dev/null 2>&1 && return 0
        sleep 0.025
    done
    return 1
}
b0=$(date +%s.%N)
DVCBOT_REDIS_URL="redis://127.0.0.1:$rport/0" DVCBOT_HTTP_PORT=$hport DVCBOT_CHANNELS_SECRET=baseline-secret-0123456789 \
    build/dvcbot serve 2>build/deb/baseline.log &
base_pid=$!
wait_ready || { cat build/deb/baseline.log; fail "the source tree's build/dvcbot did not become ready"; }
b1=$(date +%s.%N)
kill -TERM "$base_pid"; wait "$base_pid" || true; base_pid=

dpkg -i "$deb" >build/deb/dpkg-i.txt 2>&1 || { cat build/deb/dpkg-i.txt; fail "dpkg -i"; }
getent passwd dvcbot >/dev/null || fail "no dvcbot system user after dpkg -i"
[ "$(stat -c %U /var/lib/dvcbot)" = dvcbot ] || fail "/var/lib/dvcbot is not the dvcbot user's"
pass "dpkg -i: dvcbot user $(id dvcbot), /var/lib/dvcbot, /etc/dvcbot/env ($(stat -c %a:%U:%G /etc/dvcbot/env))"

unit=/lib/systemd/system/dvcbot.service
t0=$(date +%s.%N)
if [ -d /run/systemd/system ]; then
    mkdir -p /run/systemd/system/dvcbot.service.d
    printf '[Service]\nEnvironment=DVCBOT_REDIS_URL=redis://127.0.0.1:%s/0 DVCBOT_HTTP_PORT=%s\n' \
        "$rport" "$hport" >/run/systemd/system/dvcbot.service.d/test-deb.conf
    systemctl daemon-reload
    systemctl start dvcbot
    how="systemctl start dvcbot"
else
    # the unit's own lines: ExecStart, User, WorkingDirectory, Environment, EnvironmentFile
    exec_start=$(sed -n 's/^ExecStart=//p' "$unit")
    user=$(sed -n 's/^User=//p' "$unit")
    wd=$(sed -n 's/^WorkingDirectory=//p' "$unit")
    envs=$(sed -n 's/^Environment=//p' "$unit")
    envfile=$(sed -n 's/^EnvironmentFile=-\{0,1\}//p' "$unit")
    (
        cd "$wd"
        set -a
        # shellcheck disable=SC1090
        [ -r "$envfile" ] && . "$envfile"
        eval "export $envs"
        set +a
        export DVCBOT_REDIS_URL="redis://127.0.0.1:$rport/0" DVCBOT_HTTP_PORT="$hport"
        exec setpriv --reuid="$user" --regid="$user" --init-groups --no-new-privs $exec_start
    ) 2>build/deb/service.log &
    svc_pid=$!
    how="ExecStart as $user (no systemd here): $exec_start"
fi
ready=
wait_ready && ready=1
t1=$(date +%s.%N)
[ -n "$ready" ] || { cat build/deb/service.log 2>/dev/null; fail "the service did not become ready"; }
health=$(curl -s "http://127.0.0.1:$hport/healthz")
readyz=$(curl -s "http://127.0.0.1:$hport/readyz")
[ "$health" = '{"status":"ok","redis":"up"}' ] || fail "/healthz said $health"
pass "started by $how"
pass "/healthz $health, /readyz $readyz"
printf 'ok - test-deb: start-to-ready %.0f ms (baseline, build/dvcbot from the source tree: %.0f ms; ratio %.2f)\n' \
    "$(echo "($t1 - $t0) * 1000" | bc -l)" "$(echo "($b1 - $b0) * 1000" | bc -l)" \
    "$(echo "($t1 - $t0) / ($b1 - $b0)" | bc -l)"
if [ -z "$svc_pid" ]; then
    user=$(ps -o user= -p "$(systemctl show -p MainPID --value dvcbot)")
else
    user=$(ps -o user= -p "$(pgrep -P "$svc_pid" || echo "$svc_pid")" | tr -d ' ')
fi
[ "$user" = dvcbot ] || fail "the service runs as '$user', not dvcbot"
pass "the service runs as the dvcbot user"
if [ -n "$svc_pid" ]; then
    kill -TERM "$svc_pid"; wait "$svc_pid" || fail "SIGTERM: exit status $?"; svc_pid=
else
    systemctl stop dvcbot; rm -rf /run/systemd/system/dvcbot.service.d; systemctl daemon-reload
fi
grep -q '"msg":"listening on' build/deb/service.log 2>/dev/null || [ -d /run/systemd/system ] ||
    fail "no JSON 'listening on' line in the service's log"

dpkg --purge dvcbot >build/deb/dpkg-purge.txt 2>&1 || { cat build/deb/dpkg-purge.txt; fail "dpkg --purge"; }
[ ! -e /usr/bin/dvcbot ] && [ ! -e /etc/dvcbot/dvcbot.json ] && [ ! -e /var/lib/dvcbot ] ||
    fail "files left after dpkg --purge"
pass "dpkg --purge removed /usr/bin/dvcbot, /etc/dvcbot and /var/lib/dvcbot"
echo "test-deb: file list in build/deb/contents.txt, metadata build/deb/info.txt, lintian build/deb/lintian.txt"
