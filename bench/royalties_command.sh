#!/usr/bin/env bash
# `accord royalties run` timed as a user runs it, on a data directory made by the commands
# themselves: the benchmark's world (`accord world`, seed 11), the benchmark's generated month
# (`royalties_bench --jsonl`) appended with `accord ledger append` (the policy refuses what it
# does not allow), a signed checkpoint, and one worldwide pro-rata pool. Times the first run of
# the period and the same run again, each in a fresh process, with the peak resident memory
# where /usr/bin/time is installed.
#   bench/royalties_command.sh [EVENTS] [RECORDINGS] [LISTENERS]
# Needs the build (scripts/build.sh). Run by hand, not in CI. ACCORDS="build/accord OTHER ..."
# times other builds of accord too, each in turn, on the same data directory (made by the
# first).
set -euo pipefail
cd "$(dirname "$0")/.."
events=${1:-1000000}
recordings=${2:-100000}
listeners=${3:-100000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
read -r -a builds <<<"${ACCORDS:-build/accord}"
source bench/command_common.sh
accord() { "${builds[0]}" --data "$work/data" "$@"; }
bench_world_and_month "${builds[0]}" "$work/data" "$work/month.jsonl" "$events" "$recordings" \
  "$listeners"
accord ledger append "$work/month.jsonl" | tail -1
accord ledger checkpoint >/dev/null
echo '{"pools": [{"id": "month", "amount": "1000000.00", "currency": "EUR",
  "territory": "worldwide", "scopes": ["recommend", "dj"], "model": "pro_rata"}]}' \
  >"$work/pools.json"
print_machine
for build in "${builds[@]}"; do
  rm -f "$work/data/royalties/2026-07.json"
  timed "$build royalties run, first run of the period" /dev/null \
    "$build" --data "$work/data" royalties run --period 2026-07 --pools "$work/pools.json"
  timed "$build royalties run, the same run again (unchanged)" /dev/null \
    "$build" --data "$work/data" royalties run --period 2026-07 --pools "$work/pools.json"
  md5sum "$work/data/royalties/2026-07.json"
done
