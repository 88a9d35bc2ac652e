#!/usr/bin/env bash
# `accord ledger append` timed as a user runs it: the benchmark's world (`accord world`, seed
# 11) and the benchmark's generated month (`royalties_bench --jsonl`: EVENTS lines, of which
# the policy refuses what it does not allow) appended into an empty ledger, in a fresh process
# under /usr/bin/time (elapsed seconds and peak resident memory) where it is installed.
#   bench/ledger_append_command.sh [EVENTS] [RECORDINGS] [LISTENERS] [ROUNDS]
# Needs the build (scripts/build.sh). Run by hand, not in CI. ACCORDS="build/accord OTHER ..."
# times other builds of accord too, alternated within each of ROUNDS rounds (default 3), each
# into a fresh copy of the same registry; the ledgers' roots are printed, and must agree.
set -euo pipefail
cd "$(dirname "$0")/.."
events=${1:-1000000}
recordings=${2:-100000}
listeners=${3:-100000}
rounds=${4:-3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
read -r -a builds <<<"${ACCORDS:-build/accord}"
"${builds[0]}" --data "$work/world" world --seed 11 --artists $((recordings / 10)) \
  --recordings "$recordings" >/dev/null
build/bench/royalties_bench --events "$events" --recordings "$recordings" \
  --listeners "$listeners" --jsonl "$work/month.jsonl" | tail -1
echo "machine: $(nproc) cores, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)"
for ((round = 1; round <= rounds; round++)); do
  for build in "${builds[@]}"; do
    rm -rf "$work/data"
    mkdir "$work/data"
    cp "$work/world/accord.db" "$work/data/"
    sync
    if [[ -x /usr/bin/time ]]; then
      /usr/bin/time -f "$build ledger append, round $round: %e s, peak resident %M KB" \
        "$build" --data "$work/data" ledger append "$work/month.jsonl" >"$work/out"
    else
      TIMEFORMAT="$build ledger append, round $round: %R s"
      time "$build" --data "$work/data" ledger append "$work/month.jsonl" >"$work/out"
    fi
    grep ' events: ' "$work/out"
    "$build" --data "$work/data" ledger stats | grep '^root'
  done
done
