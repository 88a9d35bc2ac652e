#!/usr/bin/env bash
# Load benchmark of the whole server: `accord serve` over HTTP on loopback, driven by wrk.
#
#   bench/server_load.sh [BUILD_DIR]          # default build; needs build/accord and wrk
#
# Prepares a temporary data directory (a synthetic world, seed 7, ARTISTS artists, and an admin
# token), starts `accord serve` on it and measures, each RUNS times for DURATION:
#   (a) single decisions   POST /api/decisions, a different recording each request
#                          (figure: requests/s and p99; target ≥ 30,000/s at p99 ≤ 5 ms);
#   (b) batch decisions    POST /api/decisions/batch with BATCH recordings per request
#                          (figure: decided recordings/s = requests/s × BATCH);
#   (c) bulk intake        POST /api/usage/bulk with EVENTS JSON Lines events per request, every
#                          id unique (figure: events acknowledged/s, as the server counted them).
# and prints the machine and the median of the runs. wrk shares the machine with the server, so
# on a small machine these are lower bounds for the server alone. "CPU µs/req" is the server's
# user + system time per request, read from /proc/PID/stat around each run: time spent waiting
# for a core is not in it, so it is the figure that busy neighbours disturb least (compare two
# builds by it when the load average moves between their runs).
#
# Environment: ARTISTS (5000), DURATION (10s), RUNS (3), PORT (18181), THREADS (passed to
# `accord serve --threads` when set; default: the server's own), STATE_EVERY (passed to
# `accord serve --state-every` when set: background saves of the ledger's state), C_SINGLE (32), C_BATCH (4), C_BULK (4), BATCH (10000),
# EVENTS (5000), KEEP=1 keeps the data directory, FIGURES ("single batch bulk": which to measure),
# PERF=1 records the server with `perf record -g` while it is measured (perf.data in the current
# directory).
set -euo pipefail

build=${1:-build}
accord=$build/accord
artists=${ARTISTS:-5000}
duration=${DURATION:-10s}
runs=${RUNS:-3}
port=${PORT:-18181}
batch=${BATCH:-10000}
events=${EVENTS:-5000}
at=2026-06-01T00:00:00Z  # decisions and events are all asked about this moment
here=$(cd "$(dirname "$0")" && pwd)
lua=$here/http
url=http://127.0.0.1:$port

for tool in wrk curl; do
  command -v "$tool" > /dev/null || { echo "server_load.sh: $tool not found (scripts/setup.sh)" >&2; exit 1; }
done
[ -x "$accord" ] || { echo "server_load.sh: $accord not built" >&2; exit 1; }

data=$(mktemp -d)
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then
    kill -TERM "$server_pid" 2> /dev/null || true
    wait "$server_pid" 2> /dev/null || true
  fi
  if [ "${KEEP:-0}" = 1 ]; then echo "data kept in $data"; else rm -rf "$data"; fi
}
trap cleanup EXIT

echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores," \
  "load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "server: $accord serve; world: seed 7, $artists artists; each figure: median of $runs runs of" \
  "$duration (wrk -t1, keep-alive)"

# ---- Data: world, token, recordings ------------------------------------------------------
"$accord" --data "$data" world --seed 7 --artists "$artists" > /dev/null
"$accord" world --seed 7 --artists "$artists" --out "$data/world.json" > /dev/null
# Every recording, for single decisions (allowed and refused ones alike, as real questions are).
grep -oE '"isrc": *"[A-Z0-9]{12}"' "$data/world.json" | grep -oE '[A-Z0-9]{12}' > "$data/all.txt"
# The recordings scope recommend may use in US at $at: batches and usage events use these, so
# that events are recorded rather than refused.
"$accord" --data "$data" --json filter --scope recommend --territory US --at "$at" \
  --limit 100000000 | grep -oE '"[A-Z]{2}[A-Z0-9]{3}[0-9]{7}"' | tr -d '"' > "$data/allowed.txt"
echo "recordings: $(wc -l < "$data/all.txt") in the world, $(wc -l < "$data/allowed.txt") allowed" \
  "for recommend in US"

# The token: from the JSON form ({"token":"..."}) if the verb has one, else the last word printed.
token_out=$("$accord" --data "$data" --json token create --role admin 2> /dev/null || true)
token=$(grep -oE '"token" *: *"[^"]+"' <<< "$token_out" | sed -E 's/.*"([^"]+)"$/\1/' || true)
if [ -z "$token" ]; then
  token=$("$accord" --data "$data" token create --role admin | awk 'NF { word = $NF } END { print word }')
fi
[ -n "$token" ] || { echo "server_load.sh: accord token create printed no token" >&2; exit 1; }

# ---- Server ------------------------------------------------------------------------------
serve_args=(--data "$data" serve --port "$port")
if [ -n "${THREADS:-}" ]; then serve_args+=(--threads "$THREADS"); fi
if [ -n "${STATE_EVERY:-}" ]; then serve_args+=(--state-every "$STATE_EVERY"); fi
"$accord" "${serve_args[@]}" > "$data/serve.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 150); do
  code=$(curl -s -o /dev/null -w '%{http_code}' "$url/api/decisions" || true)
  [ "$code" != "000" ] && break
  kill -0 "$server_pid" 2> /dev/null || { echo "server_load.sh: accord serve exited:" >&2; cat "$data/serve.log" >&2; exit 1; }
  sleep 0.2
done

# One request of each kind first, so that a wrong token or body fails loudly here rather than
# as a wall of errors in wrk's counts.
check() {
  local what=$1 path=$2 type=$3 body=$4
  local code
  code=$(curl -s -o "$data/check.out" -w '%{http_code}' -X POST -H "Authorization: Bearer $token" \
    -H "Content-Type: $type" --data-binary "$body" "$url$path")
  if [ "$code" != 200 ]; then
    echo "server_load.sh: $what answered $code: $(head -c 400 "$data/check.out")" >&2
    exit 1
  fi
}
first=$(head -1 "$data/allowed.txt")
check "single decision" /api/decisions application/json \
  "{\"scope\":\"recommend\",\"recording\":\"$first\",\"territory\":\"US\",\"at\":\"$at\"}"
check "batch decision" /api/decisions/batch application/json \
  "{\"scope\":\"recommend\",\"territory\":\"US\",\"at\":\"$at\",\"recordings\":[\"$first\"]}"
check "bulk intake" /api/usage/bulk application/x-ndjson \
  "{\"id\":\"check-$$\",\"time\":\"$at\",\"listener\":\"l-0\",\"territory\":\"US\",\"scope\":\"recommend\",\"feature\":\"ai_playlist\",\"recordings\":[{\"isrc\":\"$first\",\"weight_ppm\":1000000}]}"

# ---- Measurements ------------------------------------------------------------------------
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
field() { sed -E "s/.*$1=([0-9.]+).*/\\1/" <<< "$2"; }

# measure LABEL CONNECTIONS MULTIPLIER FIELD SCRIPT ARGS...: runs wrk RUNS times and prints the
# medians of FIELD (× MULTIPLIER), requests/s and p99.
# The server's user + system CPU time so far, in clock ticks (fields 14 and 15 of stat; the
# command name in field 2 has no spaces here).
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$server_pid/stat"; }
ticks_per_s=$(getconf CLK_TCK)

printf '\n%-22s %6s %14s %12s %9s %9s %11s\n' figure conns "per second" "requests/s" "p50 ms" \
  "p99 ms" "CPU µs/req"
measure() {
  local label=$1 conns=$2 multiplier=$3 name=$4 script=$5
  shift 5
  local values="" rps="" p50="" p99="" cpu="" line before after
  for run in $(seq 1 "$runs"); do
    # "@RUN@" in an argument becomes the run's number (the bulk events' ids must differ).
    before=$(cpu_ticks)
    line=$(wrk -t1 -c"$conns" -d"$duration" --latency -s "$lua/$script" "$url" -- \
      "${@//@RUN@/$run}" | grep '^RESULT' || true)
    after=$(cpu_ticks)
    if [ -z "$line" ]; then
      echo "server_load.sh: wrk printed no result for $label" >&2
      exit 1
    fi
    if ! grep -q ' errors=0$' <<< "$line"; then echo "  ($label, run $run: $line)"; fi
    values="$values $(echo "$(field "$name" "$line") * $multiplier" | bc -l)"
    rps="$rps $(field requests_per_s "$line")"
    p50="$p50 $(field p50_us "$line")"
    p99="$p99 $(field p99_us "$line")"
    cpu="$cpu $(echo "($after - $before) * 1000000 / $ticks_per_s / $(field requests "$line")" | bc -l)"
  done
  printf '%-22s %6s %14.0f %12.1f %9.2f %9.2f %11.1f\n' "$label" "$conns" \
    "$(median <<< "$values")" "$(median <<< "$rps")" \
    "$(echo "$(median <<< "$p50") / 1000" | bc -l)" "$(echo "$(median <<< "$p99") / 1000" | bc -l)" \
    "$(median <<< "$cpu")"
  echo "  $label runs (per second):$values" >> "$data/detail"
}

figures=" ${FIGURES:-single batch bulk} "
perf_pid=""
if [ "${PERF:-0}" = 1 ]; then
  perf record -g -o perf.data -p "$server_pid" > /dev/null 2>&1 &
  perf_pid=$!
fi
if [[ $figures == *" single "* ]]; then
  measure "single decisions" "${C_SINGLE:-32}" 1 requests_per_s decision.lua \
    "$data/all.txt" recommend US "$token"
fi
if [[ $figures == *" batch "* ]]; then
  measure "batch: recordings" "${C_BATCH:-4}" "$batch" requests_per_s batch.lua \
    "$data/allowed.txt" "$batch" recommend US "$token"
fi
if [[ $figures == *" bulk "* ]]; then
  measure "bulk: events acked" "${C_BULK:-4}" 1 events_per_s bulk.lua \
    "$data/allowed.txt" "$events" "load-$(date +%s)-@RUN@" "$token" "$at"
fi
if [ -n "$perf_pid" ]; then
  kill -INT "$perf_pid"
  wait "$perf_pid" || true
fi

echo
echo "individual runs:"
cat "$data/detail"
if [ -s "$data/serve.log" ]; then
  echo "server log (last lines):"
  tail -5 "$data/serve.log"
fi
