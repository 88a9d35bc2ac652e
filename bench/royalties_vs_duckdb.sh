#!/usr/bin/env bash
# The royalty engine side by side with DuckDB: the same generated month, the same pro-rata split
# of one pool over statement lines, timed in the same run, and every line's amount compared.
#   bench/royalties_vs_duckdb.sh [EVENTS] [RECORDINGS] [LISTENERS] [memory|ledger]
# With a fourth argument `ledger`, the month is stored in a real ledger first (generated a
# batch at a time, so the size is bounded by the ledger's indexes, not by a month in memory) and
# accord's figure is the whole run as `accord royalties run` does it: finding the period's
# events in the ledger, reading and parsing them from the segments, and the run; DuckDB gets
# the events the ledger recorded. Without it, the month is in memory and the run is the engine.
# The ledger takes about 270 bytes of disk an event, in a temporary directory.
# Needs the build (scripts/build.sh) and installs @duckdb/node-api into bench/duckdb/node_modules
# from the npm registry (pinned in bench/duckdb/package-lock.json). Run by hand, not in CI.
set -euo pipefail
cd "$(dirname "$0")/.."
events=${1:-1000000}
recordings=${2:-100000}
listeners=${3:-100000}
mode=${4:-memory}
if [ "$mode" != ledger ] && [ "$mode" != memory ]; then
  echo "royalties_vs_duckdb.sh: the fourth argument is 'ledger' or nothing, not '$mode'" >&2
  exit 2
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd bench/duckdb && npm ci --no-audit --no-fund --silent)
if [ "$mode" = ledger ]; then
  build/bench/royalties_bench --events "$events" --recordings "$recordings" \
    --listeners "$listeners" --runs 1 --model pro_rata --ledger "$work/ledger" \
    --export "$work" | tee "$work/accord.txt"
  rm -rf "$work/ledger"  # its page cache and disk, before DuckDB's turn
  accord_s=$(sed -n 's/^pro_rata *from the ledger, median of [0-9]*: \([0-9.]*\) s.*/\1/p' \
    "$work/accord.txt")
  what="whole run from the ledger: find, read the event index, pool, holders, fees, guarantees"
else
  build/bench/royalties_bench --events "$events" --recordings "$recordings" \
    --listeners "$listeners" --runs 3 --export "$work" | tee "$work/accord.txt"
  accord_s=$(sed -n 's/^pro_rata *median of [0-9]*: \([0-9.]*\) s.*/\1/p' "$work/accord.txt")
  what="whole run: pool, holders, fees, guarantees"
fi
# The pool royalties_bench uses: 1,234,567.89 EUR.
node bench/duckdb/prorata.mjs "$work" 123456789 | tee "$work/duckdb.txt"
duckdb_s=$(sed -n 's/.*"duckdb_total_s":\([0-9.]*\).*/\1/p' "$work/duckdb.txt")
awk -v a="$accord_s" -v d="$duckdb_s" -v w="$what" 'BEGIN {
  printf "pro_rata: accord %.2f s (%s), DuckDB %.2f s (load + line split): accord is %.2fx DuckDB'"'"'s speed\n", a, w, d, d / a }'
