#!/usr/bin/env bash
# run.sh -- run every libFuzzer target for N seconds (make fuzz FUZZ_SECONDS=N).
# Each target starts from its seed corpus in tests/fuzz/corpus/<name>/ (new
# inputs go to build/fuzz/corpus/<name>/, not into the repository). A crash
# leaves its input in build/fuzz/ and fails the run: turn it into a test.
set -u
cd "$(dirname "$0")/../.."
secs=${1:-30}
status=0
for bin in build/fuzz/fuzz_*; do
    name=$(basename "$bin"); name=${name#fuzz_}
    seeds=tests/fuzz/corpus/$name
    work=build/fuzz/corpus/$name
    mkdir -p "$work" "$seeds"
    echo "fuzz: $name for ${secs}s"
    if ! "$bin" -max_total_time="$secs" -max_len=4096 -timeout=10 -rss_limit_mb=2048 \
            -artifact_prefix=build/fuzz/"$name"- -print_final_stats=1 \
            "$work" "$seeds" >build/fuzz/"$name".log 2>&1; then
        echo "fuzz: $name FAILED, see build/fuzz/$name.log"; status=1
    else
        grep -E "stat::number_of_executed_units|cov:" build/fuzz/"$name".log | tail -2
    fi
done
exit $status
