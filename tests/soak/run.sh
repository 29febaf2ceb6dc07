#!/usr/bin/env bash
# tests/soak/run.sh -- make soak: the long versions of the fault and hostile-input
# suites (issue 7, docs/reliability.md), then the hostile suite once more under
# valgrind (memcheck) against build/debug/dvcbot (-O0 -g, no ASan).
#
#   faults            1,000 complaints with redis-server SIGKILLed mid-way; dvcbot
#                     SIGKILLed under 200 MOs + 200 notifications; bearerbox down 10 s
#   fleet             1,000 notifications drained by 2 then 3 instances; one SIGKILLed under 400 more
#   hostile           10,000 connections held, 1,000 slowloris clients for 20 s, ...
#   hostile-valgrind  the same checks, smaller (valgrind is ~30x slower): no memcheck
#                     error, no definite leak, clean SIGTERM exit
#   limits-valgrind   tests/integration/test_limits.py (budgets, caps, fan-out) the same way
#
# Logs: build/soak-logs/. Last line "N passed, N failed"; exit status 1 on failure.
set -u
cd "$(dirname "$0")/../.."
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:halt_on_error=1:exitcode=99"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
logs=build/soak-logs
mkdir -p "$logs"
pass=0
fail=0

run_suite() {
    local name=$1; shift
    local log="$logs/$name.log" start=$SECONDS
    env "$@" >"$log" 2>&1 </dev/null
    local rc=$? p f
    p=$(grep -c '^ok ' "$log")
    f=$(grep -c '^not ok ' "$log")
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
        f=1
        echo "not ok - $name exited with status $rc" >>"$log"
    fi
    pass=$((pass + p))
    fail=$((fail + f))
    printf '%-20s %4d passed, %d failed  (%ds)\n' "$name" "$p" "$f" $((SECONDS - start))
    grep -E '^(not )?ok ' "$log" | sed 's/^/    /'
    [ "$f" -ne 0 ] && grep -E '^#' "$log" | head -40 | sed 's/^/    /'
}

run_suite faults DVC_SOAK=1 python3 tests/integration/test_faults.py
run_suite hostile DVC_SOAK=1 python3 tests/integration/test_hostile.py
run_suite fleet DVC_SOAK=1 python3 tests/integration/test_fleet.py
if command -v valgrind >/dev/null; then
    run_suite hostile-valgrind DVC_SOAK=1 DVC_BINARY=build/debug/dvcbot \
        DVC_WRAP="valgrind --error-exitcode=98 --leak-check=full --errors-for-leak-kinds=definite --show-leak-kinds=definite --num-callers=30" \
        python3 tests/integration/test_hostile.py
    run_suite limits-valgrind DVC_BINARY=build/debug/dvcbot \
        DVC_WRAP="valgrind --error-exitcode=98 --leak-check=full --errors-for-leak-kinds=definite --show-leak-kinds=definite --num-callers=30" \
        python3 tests/integration/test_limits.py
else
    echo "not ok - valgrind is not installed"; fail=$((fail + 1))
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
