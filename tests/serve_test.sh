#!/usr/bin/env bash
# End-to-end test of `accord serve` over real HTTP on loopback, and of `accord token`:
#   - tokens from the CLI work against the server; a bad role or party is refused by name;
#     a revoked token is refused;
#   - while the server runs, a CLI verb that opens the ledger is refused, naming the server;
#   - the portal's files and the API share one port, and errors are JSON with a request id;
#   - the taste routes serve the demo listening model (demo_data.sh trains it): the listener's
#     recommendations, and similar items by a percent-encoded display name;
#   - graceful shutdown: SIGTERM while clients are sending bulk intake; the server exits 0,
#     and every batch it acknowledged is in the ledger afterwards, exactly once;
#   - a crash (SIGKILL) after a background save of the ledger's state (--state-every): the
#     next open reads that state file and the events after it, and nothing acknowledged is lost.
#   tests/serve_test.sh path/to/accord
set -uo pipefail
accord_bin=$1
root="$(cd "$(dirname "$0")/.." && pwd)"
work=$(mktemp -d)
server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill -9 "$server_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
data="$work/data"
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

"$root/scripts/demo_data.sh" "$data" "$accord_bin" >/dev/null || { echo "FAIL: demo data"; exit 1; }
admin=$(sed -n 's/.*"admin": "\([^"]*\)".*/\1/p' "$data/demo-tokens.json")
artist=$(sed -n 's/.*"artist": "\([^"]*\)".*/\1/p' "$data/demo-tokens.json")

start_server() {
  "$accord_bin" --data "$data" serve --port 0 --web "$work/web" >"$work/server.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 100); do
    port=$(sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\).*|\1|p' "$work/server.log")
    [ -n "$port" ] && return 0
    sleep 0.1
  done
  echo "FAIL: server did not start: $(cat "$work/server.log")"
  exit 1
}
mkdir -p "$work/web" && echo '<!doctype html><title>portal</title>' >"$work/web/index.html"
start_server
base="http://127.0.0.1:$port"
call() {  # call TOKEN METHOD PATH [BODY]: sets $status and $body
  local out
  out=$(curl -s -o "$work/body" -w '%{http_code}' -X "$2" -H "Authorization: Bearer $1" \
    ${4:+--data-binary "$4"} "$base$3")
  status=$out
  body=$(cat "$work/body")
}

# Tokens and roles over real HTTP.
call "$artist" GET /api/me
[ "$status" = 200 ] && [[ "$body" == *'"party":"artist:kofi-mensah"'* ]] || fail "me: $status $body"
call "$artist" GET /api/tokens
[ "$status" = 403 ] && [[ "$body" == *'"request_id":"r-'* ]] || fail "artist lists tokens: $status $body"
call "nope" GET /api/me
[ "$status" = 401 ] || fail "bad token: $status $body"
[[ "$(curl -s "$base/some/page")" == *'<title>portal</title>'* ]] || fail "portal fallback"

"$accord_bin" --data "$data" token create --role king >/dev/null 2>"$work/err"
[ $? = 1 ] && grep -q -- "--role" "$work/err" || fail "bad role: $(cat "$work/err")"
"$accord_bin" --data "$data" token create --role artist --party label:atlas >/dev/null 2>"$work/err"
[ $? = 1 ] && grep -q "not an artist" "$work/err" || fail "bad party: $(cat "$work/err")"
created=$("$accord_bin" --data "$data" --json token create --role listener --party l-test)
secret=$(echo "$created" | sed -n 's/.*"token": "\([^"]*\)".*/\1/p')
id=$(echo "$created" | sed -n 's/.*"id": "\([^"]*\)".*/\1/p')
"$accord_bin" --data "$data" token list | grep -q "$id" || fail "token list lacks $id"
"$accord_bin" --data "$data" token revoke "$id" >/dev/null || fail "revoke"
call "$secret" GET /api/me
[ "$status" = 401 ] && [[ "$body" == *revoked* ]] || fail "revoked token: $status $body"

# The ledger is the server's while it runs: a CLI verb that would recover it (and could cut a
# batch the server is writing) is refused by name, and the server goes on.
"$accord_bin" --data "$data" ledger stats >/dev/null 2>"$work/err"
[ $? = 1 ] && grep -q "is open already" "$work/err" && grep -q "locked by process $server_pid" "$work/err" ||
  fail "ledger stats beside the server: $(cat "$work/err")"
call "$artist" GET /api/me
[ "$status" = 200 ] || fail "server after a refused ledger open: $status $body"

# The taste routes over real HTTP, with the demo's listener token.
listener=$(sed -n 's/.*"listener": "\([^"]*\)".*/\1/p' "$data/demo-tokens.json")
call "$listener" GET "/api/listeners/l-7f3a/recommendations?territory=DE&at=2026-11-01T00:00:00Z"
[ "$status" = 200 ] && [[ "$body" == *'"recording":"QZDMO2600002"'* ]] &&
  [[ "$body" == *'because you played'* ]] || fail "recommendations: $status $body"
call "$listener" GET "/api/listeners/l-other/recommendations?territory=DE"
[ "$status" = 403 ] || fail "another listener's recommendations: $status $body"
call "$listener" GET "/api/items/Harbor%20Lights/similar?territory=DE"
[ "$status" = 200 ] && [[ "$body" == *'"name":"Harbor Lights"'* ]] || fail "similar: $status $body"
grep -q "taste routes off" "$work/server.log" && fail "taste routes off: $(cat "$work/server.log")"

# Graceful shutdown under load: four clients send batches of 200 events; SIGTERM arrives while
# they are sending. A batch counts as acknowledged only when its answer was 200.
client() {  # client N
  local batch=0
  while :; do
    batch=$((batch + 1))
    file="$work/batch-$1-$batch"
    for i in $(seq 1 200); do
      printf '{"id":"stop-%s-%s-%s","time":"2026-07-20T10:00:00Z","listener":"l-stop","territory":"DE","scope":"dj","feature":"dj","recordings":[{"isrc":"QZDMO2600001","weight_ppm":1000000}],"duration_ms":1}\n' "$1" "$batch" "$i"
    done >"$file"
    code=$(curl -s -o /dev/null -w '%{http_code}' -X POST -H "Authorization: Bearer $admin" \
      --data-binary "@$file" "$base/api/usage/bulk")
    if [ "$code" = 200 ]; then echo "$file" >>"$work/acked-$1"; else break; fi
  done
}
for n in 1 2 3 4; do client "$n" & done
sleep 2
kill -TERM "$server_pid"
wait "$server_pid"
rc=$?
server_pid=""
wait  # the clients stop at their first refused connection
[ "$rc" = 0 ] || fail "server exit status $rc after SIGTERM"
grep -q "accord: stopped" "$work/server.log" || fail "no clean stop: $(cat "$work/server.log")"
cat "$work"/acked-* 2>/dev/null | xargs -r cat | sed -n 's/.*"id":"\([^"]*\)".*/\1/p' | sort >"$work/acked"
acked=$(wc -l <"$work/acked")
[ "$acked" -gt 0 ] || fail "no batch was acknowledged before SIGTERM"
"$accord_bin" --data "$data" --json ledger events --listener l-stop --limit 100000000 |
  sed -n 's/.*"id": "\(stop-[^"]*\)".*/\1/p' | sort >"$work/stored"
missing=$(comm -23 "$work/acked" "$work/stored" | wc -l)
dupes=$(uniq -d "$work/stored" | wc -l)
[ "$missing" = 0 ] || fail "$missing acknowledged events missing after SIGTERM"
[ "$dupes" = 0 ] || fail "$dupes events stored twice"
"$accord_bin" --data "$data" ledger verify >/dev/null || fail "ledger verify after SIGTERM"
echo "acknowledged before SIGTERM: $acked events; all present once; ledger verifies"
# The stop saved the ledger's state file: the next open reads it instead of rebuilding.
stats=$("$accord_bin" --data "$data" --json ledger stats)
events=$(sed -n 's/^ *"events": \([0-9]*\).*/\1/p' <<<"$stats")
[ -n "$events" ] && [[ "$stats" == *"\"state_file_events\": $events"* ]] ||
  fail "the ledger should open from the state file the stop saved: $stats"

# A background save (--state-every 1000), then SIGKILL: the next open starts from the file the
# server's copy wrote, and every acknowledged event is there.
"$accord_bin" --data "$data" serve --port 0 --web "$work/web" --state-every 1000 \
  >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do
  port=$(sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\).*|\1|p' "$work/server.log")
  [ -n "$port" ] && break
  sleep 0.1
done
base="http://127.0.0.1:$port"
bulk() {  # bulk PREFIX COUNT: posts COUNT new events; 200 or fails
  for i in $(seq 1 "$2"); do
    printf '{"id":"%s-%s","time":"2026-07-21T10:00:00Z","listener":"l-crash","territory":"DE","scope":"dj","feature":"dj","recordings":[{"isrc":"QZDMO2600001","weight_ppm":1000000}],"duration_ms":1}\n' "$1" "$i"
  done >"$work/crash-body"
  call "$admin" POST /api/usage/bulk "@$work/crash-body"
  [ "$status" = 200 ] && [[ "$body" == *"\"recorded\":$2"* ]] || fail "bulk $1: $status $body"
}
bulk crash-a 1200  # crosses 1,000 new events: a background save starts
saved_at=$(sed -n 's/.*"last_sequence":\([0-9]*\).*/\1/p' <<<"$body")
# The copy writes state-<N>.bin in place and exits when it is whole; it runs at nice 19, so on
# a loaded CI machine that can take many seconds. Wait for the file and for every child of the
# server to have exited (a zombie has: the server reaps it at its next append).
copy_running() {
  local child
  for child in $(cat /proc/"$server_pid"/task/*/children 2>/dev/null); do
    [ -e /proc/"$child" ] && [ "$(cut -d' ' -f3 /proc/"$child"/stat 2>/dev/null)" != Z ] && return 0
  done
  return 1
}
saved() { [ -n "$(ls "$data/ledger/" | grep "^state-0*$saved_at\.bin$")" ] && ! copy_running; }
for _ in $(seq 1 600); do
  saved && break
  sleep 0.1
done
saved || fail "the background save at $saved_at did not finish within 60 s"
bulk crash-b 300
kill -9 "$server_pid"
wait "$server_pid" 2>/dev/null
server_pid=""
# A copy still saving dies with the server (PR_SET_PDEATHSIG), but asynchronously: until it
# has exited it holds the ledger's LOCK, and an open is refused as "open already".
for _ in $(seq 1 300); do
  stats=$("$accord_bin" --data "$data" --json ledger stats 2>&1) && break
  [[ "$stats" == *"open already"* ]] || break
  sleep 0.1
done
[[ "$stats" == *"\"state_file_events\": $saved_at"* ]] ||
  fail "after SIGKILL the ledger should open from the background save at $saved_at: $stats"
stored=$("$accord_bin" --data "$data" --json ledger events --listener l-crash --limit 100000 |
  grep -c '"id": "crash-')
[ "$stored" = 1500 ] || fail "after SIGKILL: $stored of 1500 acknowledged events stored"
"$accord_bin" --data "$data" ledger verify >/dev/null || fail "ledger verify after SIGKILL"

if [ "$failures" -gt 0 ]; then
  echo "$failures failure(s)"
  exit 1
fi
echo "serve_test: all passed"
