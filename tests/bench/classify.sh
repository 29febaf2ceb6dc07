#!/bin/sh
# classify.sh -- throughput of `dvcbot classify` on ~1M short messages, one core.
#
#   tests/bench/classify.sh [BINARY] [LINES]
#
# Generates LINES (default 1000000) short messages by cycling the texts of the
# corpora (tests/corpus/intents.tsv, shared corpus if present), times one run
# of BINARY classify (default build/dvcbot) pinned to one CPU with taskset when
# available, and prints "classify: N msgs in S s = R msgs/s".
set -eu
BIN=${1:-build/dvcbot}
LINES=${2:-1000000}
TMP=${TMPDIR:-/tmp}/dvcbot-bench.$$
trap 'rm -f "$TMP.in" "$TMP.out"' EXIT INT TERM
SRC=""
for f in tests/corpus/intents.tsv ../shared/corpus/intents-dev.tsv /work/shared/corpus/intents-dev.tsv; do
    [ -f "$f" ] && SRC="$SRC $f"
done
[ -n "$SRC" ] || { echo "classify.sh: no corpus found" >&2; exit 1; }
# shellcheck disable=SC2086
grep -hv '^#' $SRC | cut -f1 | grep -v '^$' |
    awk -v n="$LINES" '{ t[NR] = $0 } END { for (i = 0; i < n; i++) print t[i % NR + 1] }' > "$TMP.in"
PIN=""
command -v taskset >/dev/null 2>&1 && PIN="taskset -c 0"
start=$(date +%s.%N)
$PIN "$BIN" classify < "$TMP.in" > "$TMP.out"
end=$(date +%s.%N)
got=$(wc -l < "$TMP.out")
[ "$got" -eq "$LINES" ] || { echo "classify.sh: $got output lines for $LINES input lines" >&2; exit 1; }
awk -v n="$LINES" -v s="$start" -v e="$end" -v b="$(wc -c < "$TMP.in")" 'BEGIN {
    t = e - s; printf "classify: %d msgs (%.1f MB) in %.3f s = %.0f msgs/s\n", n, b / 1e6, t, n / t }'
