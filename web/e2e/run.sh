#!/usr/bin/env bash
# Runs the portal's end-to-end tests against a real server:
#   web/e2e/run.sh ACCORD_BINARY [ARTIFACT_DIR]
# 1. makes a temporary data directory and fills it with scripts/demo_data.sh (the demo world,
#    recorded usage, a signed checkpoint, July's royalties, DATA/demo-tokens.json);
# 2. starts `ACCORD_BINARY --data DATA serve --port 0 --web web/dist` and reads the address from
#    its "accord: listening on http://127.0.0.1:PORT" line;
# 3. runs web/e2e/*.e2e.ts (vitest + playwright-core driving /usr/bin/chromium), saving
#    screenshots and the server's log into ARTIFACT_DIR (default build/e2e-artifacts);
# 4. stops the server with SIGTERM and removes the data directory.
# Needs web/dist (scripts/build_web.sh) and chromium (scripts/setup.sh).
set -euo pipefail

if [ $# -lt 1 ]; then
  echo "usage: $0 ACCORD_BINARY [ARTIFACT_DIR]" >&2
  exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
web=$(dirname "$here")
root=$(dirname "$web")
accord=$(realpath "$1")
artifacts=${2:-$root/build/e2e-artifacts}
mkdir -p "$artifacts"
artifacts=$(realpath "$artifacts")

fail() {
  echo "e2e: $*" >&2
  exit 1
}
[ -x "$accord" ] || fail "$accord is not an executable"
[ -x "${CHROMIUM:-/usr/bin/chromium}" ] || fail "no chromium at ${CHROMIUM:-/usr/bin/chromium} (scripts/setup.sh installs it)"
[ -f "$web/dist/index.html" ] || fail "web/dist is missing: run scripts/build_web.sh"
[ -x "$web/node_modules/.bin/vitest" ] || fail "web/node_modules is missing: run scripts/build_web.sh"

data=$(mktemp -d "${TMPDIR:-/tmp}/accord-e2e-XXXXXX")
server_pid=""
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid"
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$data"
}
trap cleanup EXIT

"$root/scripts/demo_data.sh" "$data" "$accord" >"$artifacts/demo-data.log" 2>&1 ||
  { cat "$artifacts/demo-data.log" >&2; fail "scripts/demo_data.sh failed"; }
[ -f "$data/demo-tokens.json" ] || fail "scripts/demo_data.sh wrote no $data/demo-tokens.json"

log="$artifacts/server.log"
"$accord" --data "$data" serve --port 0 --web "$web/dist" >"$log" 2>&1 &
server_pid=$!
url=""
for _ in $(seq 1 300); do
  url=$(sed -n 's/.*accord: listening on \(http:\/\/[^ ]*\).*/\1/p' "$log" | head -n 1)
  [ -n "$url" ] && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$log" >&2; fail "the server exited before listening"; }
  sleep 0.1
done
[ -n "$url" ] || { cat "$log" >&2; fail "the server did not say where it listens within 30 s"; }
echo "e2e: server at $url (log: $log), screenshots in $artifacts"

status=0
(
  cd "$web"
  ACCORD_URL="$url" ACCORD_TOKENS="$data/demo-tokens.json" E2E_ARTIFACTS="$artifacts" \
    node_modules/.bin/vitest run --config e2e/vitest.config.ts
) || status=$?
exit "$status"
