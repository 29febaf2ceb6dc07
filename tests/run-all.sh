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
    if [ "$f" -ne 0 ]; then
        grep -E '^not ok |^#|ERROR|runtime error' "$log" | head -40 | sed 's/^/    /'
    fi
}

for t in build/asan/tests/test_*; do
    [ -x "$t" ] && run_suite "unit/$(basename "$t")" "$t"
done
for t in tests/integration/test_*.py; do
    [ -f "$t" ] && run_suite "integration/$(basename "$t" .py)" python3 "$t"
done
for t in tests/integration/test_*.sh; do
    [ -f "$t" ] && run_suite "integration/$(basename "$t" .sh)" bash "$t"
done

# [webchat] browser tests (headless chromium + playwright-core, tests/e2e)
if [ -f tests/e2e/run.js ]; then
    run_suite "e2e/browser" node tests/e2e/run.js
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
