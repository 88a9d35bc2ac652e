#!/usr/bin/env bash
# The royalty engine side by side with DuckDB: the same generated month, the same pro-rata split
# of one pool over statement lines, timed in the same run, and every line's amount compared.
#   bench/royalties_vs_duckdb.sh [EVENTS] [RECORDINGS] [LISTENERS]
# Needs the build (scripts/build.sh) and installs @duckdb/node-api into bench/duckdb/node_modules
# from the npm registry (pinned in bench/duckdb/package-lock.json). Run by hand, not in CI.
set -euo pipefail
cd "$(dirname "$0")/.."
events=${1:-1000000}
recordings=${2:-100000}
listeners=${3:-100000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd bench/duckdb && npm ci --no-audit --no-fund --silent)
build/bench/royalties_bench --events "$events" --recordings "$recordings" \
  --listeners "$listeners" --runs 3 --export "$work" | tee "$work/accord.txt"
# The pool royalties_bench uses: 1,234,567.89 EUR.
node bench/duckdb/prorata.mjs "$work" 123456789 | tee "$work/duckdb.txt"
accord_s=$(sed -n 's/^pro_rata *median of [0-9]*: \([0-9.]*\) s.*/\1/p' "$work/accord.txt")
duckdb_s=$(sed -n 's/.*"duckdb_total_s":\([0-9.]*\).*/\1/p' "$work/duckdb.txt")
awk -v a="$accord_s" -v d="$duckdb_s" 'BEGIN {
  printf "pro_rata: accord %.2f s (whole run: pool, holders, fees, guarantees), DuckDB %.2f s (load + line split): accord is %.2fx DuckDB'"'"'s speed\n", a, d, d / a }'
