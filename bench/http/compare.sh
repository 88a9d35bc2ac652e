#!/usr/bin/env bash
# Reruns the HTTP library comparison of docs/decisions/0008-http-library.md.
#
#   bench/http/compare.sh [BUILD_DIR]        # default build; needs the bench targets and wrk
#
# Starts every server at once on its own port (same handler, same 5,000-artist world; idle
# servers cost nothing), then runs RUNS rounds; each round drives every server in turn with wrk
# on loopback with keep-alive at 32, 64 and 128 connections. Interleaving the servers within a
# round spreads the neighbours' load over all of them alike, which matters on a shared machine.
# wrk -t1 shares the machine with the server, as the product's clients will not, so the figures
# are lower bounds. Prints the median requests/s, p50 and p99 of the rounds, and the server's
# CPU time per request (user + system, from /proc/PID/stat around each run): the figure that
# the neighbours' load disturbs least, because time the server spends waiting for a core is not
# counted.
#
# While each run is under way, one extra request on a fresh connection (curl, at half time)
# checks that a newcomer is served at all: a thread-per-connection server whose threads are all
# held by keep-alive connections leaves it waiting, which wrk's own figures do not show.
#
# Environment: DURATION (10s), RUNS (3), CONNECTIONS ("32 64 128"), THREADS (io threads of the
# asynchronous servers; default nproc), ONLY (an extended regex: run only the servers whose
# label matches, e.g. ONLY='shared|product').
set -euo pipefail

build=${1:-build}
duration=${DURATION:-10s}
runs=${RUNS:-3}
connections=${CONNECTIONS:-32 64 128}
threads=${THREADS:-$(nproc)}
here=$(cd "$(dirname "$0")" && pwd)
bin=$build/bench/http
for tool in wrk curl bc; do
  command -v "$tool" > /dev/null || { echo "compare.sh: $tool not found (scripts/setup.sh)" >&2; exit 1; }
done
for target in beast_server accord_http_server httplib_server; do
  [ -x "$bin/$target" ] || { echo "compare.sh: $bin/$target not built" >&2; exit 1; }
done

work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2> /dev/null || true; done
  wait 2> /dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores;" \
  "wrk $(wrk -v 2>&1 | head -1 | cut -d' ' -f2); load at start $(cut -d' ' -f1-3 /proc/loadavg)"
echo "each figure: median of $runs rounds of wrk -t1 -cC -d$duration --latency -s decision.lua;" \
  "CPU us: server CPU time per request"

# ---- Servers -----------------------------------------------------------------------------
labels=()
ports=()
server_pids=()
conns_of=()  # "" = measured at every connection count, else only at that one
next_port=18090
# start LABEL CONNS NAME ARGS...
start() {
  local label=$1 only=$2 name=$3
  shift 3
  if [ -n "${ONLY:-}" ] && ! grep -qE "$ONLY" <<< "$label"; then return; fi
  local port=$next_port
  next_port=$((next_port + 1))
  "$bin/$name" --port "$port" --isrcs "$work/isrcs.txt" "$@" > "$work/server-$port.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 150); do
    if curl -s -o /dev/null -X POST -d '{}' "http://127.0.0.1:$port/api/decisions"; then
      labels+=("$label")
      ports+=("$port")
      server_pids+=("${pids[-1]}")
      conns_of+=("$only")
      return
    fi
    sleep 0.2
  done
  echo "compare.sh: $name did not start:" >&2
  cat "$work/server-$port.log" >&2
  exit 1
}

start "beast, $threads thr, shared+strands" "" beast_server --threads "$threads" --mode shared
start "beast, $threads thr, per-thread ctx" "" beast_server --threads "$threads" --mode per-thread
start "accord_http (product), $threads thr" "" accord_http_server --threads "$threads"
# cpp-httplib holds a pool thread per connection: a pool larger than the connections (room for
# the newcomer), and its default size, max(8, cores - 1), which leaves connections beyond 8
# waiting.
for conns in $connections; do
  start "httplib, pool $((conns * 2))" "$conns" httplib_server --threads $((conns * 2))
done
start "httplib, pool 8 (default)" "" httplib_server --threads 8

# ---- Rounds ------------------------------------------------------------------------------
ticks_per_s=$(getconf CLK_TCK)
# User plus system time of a process, in clock ticks (fields 14 and 15 of /proc/PID/stat).
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

# A request on a new connection, sent halfway through a run: its time in ms, or "starved".
probe() {
  local port=$1 isrc
  isrc=$(head -1 "$work/isrcs.txt")
  sleep "$(("${duration%s}" / 2))"
  curl -s -o /dev/null -w '%{http_code} %{time_total}' --max-time 3 -X POST \
    -d "{\"scope\":\"dj\",\"recording\":\"$isrc\",\"territory\":\"DE\"}" \
    "http://127.0.0.1:$port/api/decisions" 2> /dev/null |
    awk '{ if ($1 == "200") printf "%.1f", $2 * 1000; else printf "starved" }' || true
}

for round in $(seq 1 "$runs"); do
  for conns in $connections; do
    for index in "${!labels[@]}"; do
      if [ -n "${conns_of[$index]}" ] && [ "${conns_of[$index]}" != "$conns" ]; then continue; fi
      port=${ports[$index]}
      probe "$port" > "$work/probe" &
      probe_pid=$!
      ticks_before=$(cpu_ticks "${server_pids[$index]}")
      wrk -t1 -c"$conns" -d"$duration" --latency -s "$here/decision.lua" \
        "http://127.0.0.1:$port" -- "$work/isrcs.txt" dj DE > "$work/wrk.out"
      ticks=$(($(cpu_ticks "${server_pids[$index]}") - ticks_before))
      wait "$probe_pid" || true
      line=$(grep '^RESULT' "$work/wrk.out")
      requests=$(sed -E 's/.*requests=([0-9]+).*/\1/' <<< "$line")
      cpu_us=$(echo "$ticks * 1000000 / $ticks_per_s / $requests" | bc -l)
      echo "$index $conns $line cpu_us=$cpu_us probe=$(cat "$work/probe")" \
        "load=$(cut -d' ' -f1 /proc/loadavg)" >> "$work/results"
    done
  done
  echo "round $round done; load $(cut -d' ' -f1-3 /proc/loadavg)"
done

# ---- Report ------------------------------------------------------------------------------
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
value() { sed -E "s/.*$1=([^ ]+).*/\\1/"; }

printf '\n%-36s %5s %11s %8s %8s %7s %7s  %s\n' server conns requests/s "p50 ms" "p99 ms" \
  "CPU us" errors "new connection (ms), per round"
for conns in $connections; do
  for index in "${!labels[@]}"; do
    rows=$(awk -v i="$index" -v c="$conns" '$1 == i && $2 == c' "$work/results")
    [ -n "$rows" ] || continue
    rps=$(value requests_per_s <<< "$rows" | tr '\n' ' ')
    p50=$(value p50_us <<< "$rows" | tr '\n' ' ')
    p99=$(value p99_us <<< "$rows" | tr '\n' ' ')
    cpu=$(value cpu_us <<< "$rows" | tr '\n' ' ')
    errors=$(value errors <<< "$rows" | paste -sd+ | bc)
    probes=$(value probe <<< "$rows" | tr '\n' ' ')
    printf '%-36s %5s %11s %8.2f %8.2f %7.1f %7s  %s\n' "${labels[$index]}" "$conns" \
      "$(median <<< "$rps")" "$(echo "$(median <<< "$p50") / 1000" | bc -l)" \
      "$(echo "$(median <<< "$p99") / 1000" | bc -l)" "$(median <<< "$cpu")" "$errors" "$probes"
    echo "  ${labels[$index]} c$conns: requests/s $rps| p99 us $p99| CPU us $cpu" >> "$work/detail"
  done
done
echo
echo "individual rounds:"
cat "$work/detail"
echo "load at end $(cut -d' ' -f1-3 /proc/loadavg)"
