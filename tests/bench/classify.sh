#!/bin/sh
# classify.sh -- throughput of `dvcbot classify` on ~1M short messages, one core.
#
#   tests/bench/classify.sh [BINARY] [LINES] [MIX]
#
# MIX "corpus" (default) cycles the texts of the corpora (tests/corpus/
# intents.tsv, shared corpus if present); MIX "sms" cycles short SMS keyword
# lines (TRACUU/DG/DK/TT/TTPA/PAKN/HUY/HD with varying codes). Times one run
# of BINARY classify (default build/dvcbot) pinned to one CPU with taskset
# when available, and prints "classify: N msgs in S s = R msgs/s" (wall
# clock), plus the CPU time (user + sys) and its rate: from perf stat's
# task-clock (microseconds) when perf works, else /usr/bin/time (10 ms
# steps); on a shared machine the CPU rate is the steadier number.
# CLASSIFY_ARGS (environment) is passed to `classify`, e.g. "--rules FILE".
set -eu
BIN=${1:-build/dvcbot}
LINES=${2:-1000000}
MIX=${3:-corpus}
TMP=${TMPDIR:-/tmp}/dvcbot-bench.$$
trap 'rm -f "$TMP.in" "$TMP.out" "$TMP.cpu" "$TMP.perf"' EXIT INT TERM
if [ "$MIX" = sms ]; then
    awk -v n="$LINES" 'BEGIN {
        split("TRACUU %s|tracuu %s|DG %s %d|DK %s|TT 1.00%04d|TT khai sinh|TTPA PA-2411%02d-%04d|" \
              "HUY|STOP|HD|dk %s|PAKN can bo gay kho de|tt ho chieu|huy %s|Tracuu%s|hd", f, "|")
        for (i = 0; i < n; i++) {
            code = sprintf("000.00.%02d.H%02d-2405%02d-%04d", i % 90, i % 63, i % 28 + 1, i % 9999)
            t = f[i % 16 + 1]
            if (t ~ /^TTPA/) printf(t "\n", i % 28 + 1, i % 9999)
            else if (t ~ /^DG/) printf(t "\n", code, i % 5 + 1)
            else if (t ~ /^TT 1/) printf(t "\n", i % 9999)
            else if (t ~ /%s/) printf(t "\n", code)
            else print t
        } }' > "$TMP.in"
else
    SRC=""
    for f in tests/corpus/intents.tsv ../shared/corpus/intents-dev.tsv /work/shared/corpus/intents-dev.tsv; do
        [ -f "$f" ] && SRC="$SRC $f"
    done
    [ -n "$SRC" ] || { echo "classify.sh: no corpus found" >&2; exit 1; }
    # shellcheck disable=SC2086
    grep -hv '^#' $SRC | cut -f1 | grep -v '^$' |
        awk -v n="$LINES" '{ t[NR] = $0 } END { for (i = 0; i < n; i++) print t[i % NR + 1] }' > "$TMP.in"
fi
PIN=""
command -v taskset >/dev/null 2>&1 && PIN="taskset -c 0"
TIME=""
PERF=""
if command -v perf >/dev/null 2>&1 && perf stat -x, -e task-clock true >/dev/null 2>&1; then
    PERF=1
    TIME="perf stat -x, -e task-clock -o $TMP.perf"
elif [ -x /usr/bin/time ]; then
    TIME="/usr/bin/time -f %U+%S -o $TMP.cpu"
fi
start=$(date +%s.%N)
# shellcheck disable=SC2086
$TIME $PIN "$BIN" classify ${CLASSIFY_ARGS:-} < "$TMP.in" > "$TMP.out"
end=$(date +%s.%N)
[ -n "$PERF" ] && awk -F, '$3 == "task-clock" { printf "%.6f+0\n", $1 / 1000 }' "$TMP.perf" > "$TMP.cpu"
got=$(wc -l < "$TMP.out")
[ "$got" -eq "$LINES" ] || { echo "classify.sh: $got output lines for $LINES input lines" >&2; exit 1; }
awk -v n="$LINES" -v s="$start" -v e="$end" -v b="$(wc -c < "$TMP.in")" -v m="$MIX" 'BEGIN {
    t = e - s; printf "classify: %d msgs (%.1f MB, %s) in %.3f s = %.0f msgs/s\n", n, b / 1e6, m, t, n / t }'
if [ -s "$TMP.cpu" ]; then
    awk -v n="$LINES" -F+ '{ c = $1 + $2; if (c > 0) printf "classify: cpu %.4f s = %.0f msgs/s\n", c, n / c }' "$TMP.cpu"
fi
