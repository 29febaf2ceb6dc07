#!/usr/bin/env bash
# install-deps.sh -- install the Debian 12 packages dvcbot needs, only those missing.
#
# Called by `make run`, `make test`, `make fuzz` and `make bench`. Needs root
# (or sudo) only when something is missing. Extra groups: pass "bench" to also
# install the benchmark tools (wrk, nginx-light).
set -euo pipefail

pkgs=(build-essential pkg-config
      libwebsockets-dev libwebsockets-evlib-uv libuv1-dev
      libhiredis-dev libpcre2-dev libjansson-dev libssl-dev
      redis-server kannel kannel-extras
      clang libclang-rt-14-dev cppcheck
      libqrencode-dev zbar-tools
      python3 curl
      nginx-light)   # [security] tests/integration/hostile_http.py: nginx in front
for group in "$@"; do
    case "$group" in
    bench) pkgs+=(wrk) ;;
    *) echo "install-deps: unknown group '$group'" >&2; exit 2 ;;
    esac
done

# [webchat] browser tests: Debian's chromium, Node.js + npm (any Node >= 18 already
# installed is kept), and playwright-core from tests/e2e/package-lock.json.
pkgs+=(chromium)
command -v node >/dev/null || pkgs+=(nodejs)
command -v npm >/dev/null || pkgs+=(npm)
e2e_modules() {
    [ -d tests/e2e/node_modules/playwright-core ] && [ -d tests/e2e/node_modules/axe-core ] && return 0
    command -v npm >/dev/null || return 0
    echo "install-deps: npm ci in tests/e2e"
    (cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
}
# [web] run time: the statistics page's chart library (web/package-lock.json)
web_modules() {
    [ -d web/node_modules/chart.js ] && return 0
    command -v npm >/dev/null || return 0
    echo "install-deps: npm ci in web"
    (cd web && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
}
cd "$(dirname "$0")/.."

missing=()
for p in "${pkgs[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$p")
    fi
done
if [ ${#missing[@]} -eq 0 ]; then web_modules; e2e_modules; exit 0; fi

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
web_modules
e2e_modules
echo "install-deps: done"
