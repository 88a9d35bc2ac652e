# Shared by bench/royalties_command.sh and bench/ledger_append_command.sh (sourced, not run):
# the benchmark's world and month made through the commands, a timer, and the machine line.
# Expects to run from the repository root, with the build (scripts/build.sh).

# bench_world_and_month ACCORD DATA JSONL EVENTS RECORDINGS LISTENERS: the benchmark's world
# (`accord world`, seed 11) imported into DATA, and its generated month (`royalties_bench
# --jsonl`) written to JSONL.
bench_world_and_month() {
  local accord=$1 data=$2 jsonl=$3 events=$4 recordings=$5 listeners=$6
  "$accord" --data "$data" world --seed 11 --artists $((recordings / 10)) \
    --recordings "$recordings" >/dev/null
  build/bench/royalties_bench --events "$events" --recordings "$recordings" \
    --listeners "$listeners" --jsonl "$jsonl" | tail -1
}

# timed WHAT OUT COMMAND...: runs COMMAND with its stdout in OUT and prints "WHAT: S s, peak
# resident K KB" (the seconds alone where /usr/bin/time is not installed).
timed() {
  local what=$1 out=$2
  shift 2
  if [[ -x /usr/bin/time ]]; then
    /usr/bin/time -f "$what: %e s, peak resident %M KB" "$@" >"$out"
  else
    TIMEFORMAT="$what: %R s"
    time "$@" >"$out"
  fi
}

print_machine() {
  echo "machine: $(nproc) cores, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)"
}
