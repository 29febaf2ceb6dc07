#!/usr/bin/env bash
# install-deps.sh -- install the Debian 12 packages dvcbot needs, only those missing.
#
#   scripts/install-deps.sh run        what `make run` needs: the build, redis-server, Kannel
#   scripts/install-deps.sh run test   `make test` / `make deps`: also the test tools, the
#                                      browser tests' Chromium, Node.js and npm modules
#   scripts/install-deps.sh run bench  `make bench`: also wrk and nginx
#
# No argument means "run test". Needs root (or sudo) only when something is
# missing. To add a package or a step, put it in the group that needs it:
#   run_pkgs+=(...) / test_pkgs+=(...)   Debian packages
#   run_steps+=(fn) / test_steps+=(fn)   shell functions run after the packages
#                                        (npm modules, web assets); each returns 0
#                                        at once when its work is already done.
set -euo pipefail
cd "$(dirname "$0")/.."

# --- run: build dvcbot and serve it (make run) ------------------------------
run_pkgs=(build-essential pkg-config
          libwebsockets-dev libwebsockets-evlib-uv libuv1-dev
          libhiredis-dev libpcre2-dev libjansson-dev libssl-dev libqrencode-dev
          redis-server kannel
          python3 curl)
run_steps=()

# --- test: make check's tools (make test) -----------------------------------
test_pkgs=(clang libclang-rt-14-dev cppcheck   # fuzz targets, lint
           kannel-extras zbar-tools            # Kannel tests; VietQR decoding
           nginx-light)   # [security] tests/integration/hostile_http.py: nginx in front
test_steps=()

# [webchat] browser tests: Debian's chromium, Node.js + npm (any Node >= 18 already
# installed is kept), and playwright-core from tests/e2e/package-lock.json; the test part
# also holds vietnam-qr-pay ([payment] tests/integration/test_vietqr_npm.py cross-check).
test_pkgs+=(chromium)
command -v node >/dev/null || test_pkgs+=(nodejs)
command -v npm >/dev/null || test_pkgs+=(npm)
e2e_modules() {
    [ -d tests/e2e/node_modules/playwright-core ] && [ -d tests/e2e/node_modules/vietnam-qr-pay ] &&
        [ -d tests/e2e/node_modules/axe-core ] && return 0
    command -v npm >/dev/null || return 0
    echo "install-deps: npm ci in tests/e2e"
    (cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
}
test_steps+=(e2e_modules)

# [web] run time: the statistics page's chart library (web/package-lock.json)
web_modules() {
    [ -d web/node_modules/chart.js ] && return 0
    command -v npm >/dev/null || return 0
    echo "install-deps: npm ci in web"
    (cd web && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
}
run_steps+=(web_modules)

# --- bench: make bench --------------------------------------------------------
bench_pkgs=(wrk nginx-light)
bench_steps=()

[ $# -eq 0 ] && set -- run test
pkgs=(); steps=()
for group in "$@"; do
    case "$group" in
    run) pkgs+=("${run_pkgs[@]}"); steps+=(${run_steps[@]+"${run_steps[@]}"}) ;;
    test) pkgs+=("${test_pkgs[@]}"); steps+=(${test_steps[@]+"${test_steps[@]}"}) ;;
    bench) pkgs+=("${bench_pkgs[@]}"); steps+=(${bench_steps[@]+"${bench_steps[@]}"}) ;;
    *) echo "install-deps: unknown group '$group' (run, test, bench)" >&2; exit 2 ;;
    esac
done

run_steps_all() {
    local s
    for s in ${steps[@]+"${steps[@]}"}; do "$s"; done
}

missing=()
for p in "${pkgs[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$p")
    fi
done
if [ ${#missing[@]} -eq 0 ]; then run_steps_all; exit 0; fi

echo "install-deps: installing ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "install-deps: need root to install ${missing[*]}" >&2; exit 1; }
    sudo=sudo
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
# policy-rc.d keeps Debian's postinst from starting system redis/nginx/kannel:
# dvcbot runs its own private instances on ports of its choosing.
if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | $sudo tee /usr/sbin/policy-rc.d >/dev/null
    $sudo chmod +x /usr/sbin/policy-rc.d
    trap '$sudo rm -f /usr/sbin/policy-rc.d' EXIT
fi
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
run_steps_all
echo "install-deps: done"
