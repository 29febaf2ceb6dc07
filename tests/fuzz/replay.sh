#!/usr/bin/env bash
# replay.sh -- run every libFuzzer target once over its seed corpus
# (tests/fuzz/corpus/<name>/, libFuzzer -runs=0): each seed becomes a
# regression test of `make check`. TAP lines, one per target; a target
# without seeds fails, so a new fuzz target cannot land without a corpus.
set -u
cd "$(dirname "$0")/../.."
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}:halt_on_error=1"
n=0
for bin in build/fuzz/fuzz_*; do
    [ -x "$bin" ] || continue
    name=$(basename "$bin"); name=${name#fuzz_}
    seeds=tests/fuzz/corpus/$name
    n=$((n + 1))
    count=$(find "$seeds" -type f 2>/dev/null | wc -l)
    if [ "$count" -eq 0 ]; then
        echo "not ok $n - fuzz_$name: no seeds in $seeds"
        continue
    fi
    if "$bin" -runs=0 -timeout=10 -rss_limit_mb=2048 "$seeds" >build/fuzz/"$name"-replay.log 2>&1; then
        echo "ok $n - fuzz_$name replays its $count seeds"
    else
        echo "not ok $n - fuzz_$name fails on a seed, see build/fuzz/$name-replay.log"
        grep -E "ERROR|runtime error|Test unit written" build/fuzz/"$name"-replay.log | head -5 | sed 's/^/# /'
    fi
done
echo "1..$n"
