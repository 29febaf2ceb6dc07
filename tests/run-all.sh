#!/usr/bin/env bash
# run-all.sh -- run every test suite and print one closing line "N passed, N failed".
#
# Suites print TAP-style "ok N - ..." / "not ok N - ..." lines; a suite that
# exits non-zero without any "not ok" line (a crash, a sanitizer report) counts
# as one failure. Full logs go to build/test-logs/.
set -u
cd "$(dirname "$0")/.."
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:halt_on_error=1:exitcode=99"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
logs=build/test-logs
mkdir -p "$logs"
pass=0
fail=0

run_suite() {
    local name=$1; shift
    local log="$logs/${name//\//_}.log"
    local start=$SECONDS
    "$@" >"$log" 2>&1 </dev/null
    local rc=$?
    local p f
    p=$(grep -c '^ok ' "$log")
    f=$(grep -c '^not ok ' "$log")
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
        f=1
        echo "not ok - $name exited with status $rc" >>"$log"
    fi
    pass=$((pass + p))
    fail=$((fail + f))
    printf '%-32s %4d passed, %d failed  (%ds)\n' "$name" "$p" "$f" $((SECONDS - start))
    # what a suite skipped (e.g. ../shared absent) is said here, not only in its log
    grep -iE '^# (skipped|skipping|SKIP)' "$log" | sed 's/^/    /'
    if [ "$f" -ne 0 ]; then
        grep -E '^not ok |^#|ERROR|runtime error' "$log" | head -40 | sed 's/^/    /'
    fi
}

# tests/run-all.sh [unit]: "unit" runs only the C unit suites (make unit).
only=${1:-all}
for t in build/asan/tests/test_*; do
    [ -x "$t" ] && run_suite "unit/$(basename "$t")" "$t"
done
if [ "$only" = unit ]; then
    echo "$pass passed, $fail failed"
    [ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
    exit
fi
# every fuzz seed is a regression test: replay the corpora once (libFuzzer -runs=0)
if ls build/fuzz/fuzz_* >/dev/null 2>&1; then
    run_suite "fuzz/seeds" tests/fuzz/replay.sh
fi
for t in tests/integration/test_*.py; do
    [ -f "$t" ] && run_suite "integration/$(basename "$t" .py)" python3 "$t"
done
for t in tests/integration/test_*.sh; do
    [ -f "$t" ] && run_suite "integration/$(basename "$t" .sh)" bash "$t"
done

# [webchat] browser tests (headless chromium + playwright-core, tests/e2e)
# `make check` installs nothing: without Chromium or playwright-core the suite is
# skipped visibly; `make test` (which ran `make deps`) sets DVC_REQUIRE_E2E=1,
# so there a missing browser is a failure.
if [ -f tests/e2e/run.js ]; then
    if command -v chromium >/dev/null && [ -d tests/e2e/node_modules/playwright-core ]; then
        run_suite "e2e/browser" node tests/e2e/run.js
    elif [ "${DVC_REQUIRE_E2E:-0}" = 1 ]; then
        run_suite "e2e/browser" sh -c 'echo "not ok 1 - chromium or playwright-core missing after make deps"; exit 1'
    else
        echo "e2e/browser                      skipped: chromium or tests/e2e/node_modules missing (make deps)"
    fi
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
