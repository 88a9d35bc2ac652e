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
source bench/command_common.sh
bench_world_and_month "${builds[0]}" "$work/world" "$work/month.jsonl" "$events" "$recordings" \
  "$listeners"
print_machine
for ((round = 1; round <= rounds; round++)); do
  for build in "${builds[@]}"; do
    rm -rf "$work/data"
    mkdir "$work/data"
    cp "$work/world/accord.db" "$work/data/"
    sync
    timed "$build ledger append, round $round" "$work/out" \
      "$build" --data "$work/data" ledger append "$work/month.jsonl"
    grep ' events: ' "$work/out"
    "$build" --data "$work/data" ledger stats | grep '^root'
  done
done
