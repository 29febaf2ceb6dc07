#!/bin/sh
# classify-cmp.sh -- compare two `dvcbot classify` binaries on the corpus mix.
#
#   tests/bench/classify-cmp.sh OLD NEW [LINES] [ROUNDS]
#
# 1. Answers: both binaries classify the same LINES-line corpus mix (default
#    200000) and their outputs must be byte-identical (cmp), else exit 1.
# 2. Instructions: with valgrind, callgrind counts the instructions of
#    intents_classify (inclusive) per message on 20,000 lines for each:
#    the steady figure on a shared machine.
#    With CLASSIFY_CACHE=1, cachegrind also counts first-level data and
#    instruction cache misses per message (20,000 lines minus an empty
#    input, so that loading the rules and the model is left out).
# 3. Rate: ROUNDS (default 5) interleaved runs of tests/bench/classify.sh on
#    LINES lines; prints each pair of CPU rates, the best of each and their
#    ratio NEW/OLD (noisy when other jobs share the cores).
# 4. Learned layer: in the same rounds NEW also runs on a copy of
#    config/intents.json without its "model" entry (rules alone); the
#    difference of the best CPU times per message is what the model costs
#    (the goal: at most 2 us).
set -eu
[ $# -ge 2 ] || { echo "usage: $0 OLD NEW [LINES] [ROUNDS]" >&2; exit 2; }
OLD=$1
NEW=$2
LINES=${3:-200000}
ROUNDS=${4:-5}
DIR=$(dirname "$0")
TMP=${TMPDIR:-/tmp}/dvcbot-cmp.$$
trap 'rm -f "$TMP".*' EXIT INT TERM

SRC=""
for f in tests/corpus/intents.tsv ../shared/corpus/intents-dev.tsv; do # classify.sh's mix
    [ -f "$f" ] && SRC="$SRC $f"
done
[ -n "$SRC" ] || { echo "classify-cmp.sh: no corpus found" >&2; exit 1; }
mix() {
    # shellcheck disable=SC2086
    grep -hv '^#' $SRC | cut -f1 | grep -v '^$' |
        awk -v n="$1" '{ t[NR] = $0 } END { for (i = 0; i < n; i++) print t[i % NR + 1] }'
}

mix "$LINES" > "$TMP.in"
"$OLD" classify < "$TMP.in" > "$TMP.old"
"$NEW" classify < "$TMP.in" > "$TMP.new"
if cmp -s "$TMP.old" "$TMP.new"; then
    echo "answers: identical on $LINES lines"
else
    echo "answers: DIFFER on $LINES lines" >&2
    exit 1
fi

if command -v valgrind >/dev/null 2>&1 && command -v callgrind_annotate >/dev/null 2>&1; then
    mix 20000 > "$TMP.cg"
    for b in "$OLD" "$NEW"; do
        valgrind --tool=callgrind --callgrind-out-file="$TMP.out" "$b" classify \
            < "$TMP.cg" > /dev/null 2>&1
        callgrind_annotate --inclusive=yes "$TMP.out" 2>/dev/null |
            awk -v b="$b" '/intents_classify \[/ { gsub(",", "", $1);
                printf "instructions: %s %.0f per message\n", b, $1 / 20000; exit }'
    done
fi

if [ "${CLASSIFY_CACHE:-0}" = 1 ] && command -v cg_annotate >/dev/null 2>&1; then
    [ -f "$TMP.cg" ] || mix 20000 > "$TMP.cg"
    : > "$TMP.empty"
    misses() { # binary input -> "D1 I1" misses of the whole run
        valgrind --tool=cachegrind --cache-sim=yes --cachegrind-out-file="$TMP.cgo" "$1" classify \
            < "$2" > /dev/null 2>&1
        cg_annotate --show=D1mr,D1mw,I1mr "$TMP.cgo" 2>/dev/null |
            awk '/PROGRAM TOTALS/ { gsub(",", ""); print $1 + $3, $5; exit }'
    }
    for b in "$OLD" "$NEW"; do
        full=$(misses "$b" "$TMP.cg")
        none=$(misses "$b" "$TMP.empty")
        echo "$full $none" | awk -v b="$b" '{ printf "cache: %s D1 %.0f I1 %.0f misses per message\n",
            b, ($1 - $3) / 20000, ($2 - $4) / 20000 }'
    done
fi

python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); d.pop("model", None); json.dump(d, open(sys.argv[2], "w"), ensure_ascii=False)' \
    config/intents.json "$TMP.rules.json"
cpu_rate() {
    sh "$DIR/classify.sh" "$1" "$LINES" | sed -n 's/^classify: cpu .* = \([0-9]*\) msgs\/s$/\1/p'
}
for _ in $(seq "$ROUNDS"); do
    a=$(cpu_rate "$OLD")
    b=$(cpu_rate "$NEW")
    c=$(CLASSIFY_ARGS="--rules $TMP.rules.json" cpu_rate "$NEW")
    echo "${a:-0} ${b:-0} ${c:-0}"
done | awk '{ printf "rate: old %d new %d msgs/s (new without its model %d)\n", $1, $2, $3
              if ($1 > a) a = $1; if ($2 > b) b = $2; if ($3 > c) c = $3 }
    END { if (a > 0) printf "rate: best old %d new %d ratio %.2f\n", a, b, b / a
          if (b > 0 && c > 0) printf "model: %.2f us per message (new: best %d msgs/s with it, %d without)\n", 1e6 / b - 1e6 / c, b, c }'
