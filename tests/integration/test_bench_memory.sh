#!/usr/bin/env bash
# test_bench_memory.sh -- the memory row of `make bench` (tests/bench/memory.py)
# still loads its dataset through the server's own Lua scripts: when a
# script's arguments change and memory.py is not updated, Redis answers
# errors and the bench row dies (it did, unnoticed, until this check). A few
# hundred dossiers, about a second; the figures themselves belong to make bench.
cd "$(dirname "$0")/../.."
out=$(BENCH_MEMORY_DOSSIERS=300 timeout 120 python3 tests/bench/memory.py 2>&1)
rc=$?
if [ "$rc" -eq 0 ] && grep -q '"row": "memory"' <<<"$out"; then
    echo "ok 1 - memory.py loads 300 dossiers and their complaints through the store's scripts"
else
    echo "not ok 1 - memory.py failed (status $rc)"
    sed 's/^/# /' <<<"$out" | head -20
fi
