#!/usr/bin/env bash
# Prepares a data directory with the demo world for the server and the portal:
#   the demo registry (demo/demo.json), Kofi Mensah's remix opt-in, the demo's AI uses in the
#   ledger, a signed checkpoint, July 2026's royalty run (demo/pools.json), the demo listening
#   history (demo/listening.csv) with a trained taste model for the taste routes, and one API
#   token per role, written to DATA/demo-tokens.json (secrets: this file is for the demo only).
# Usage: scripts/demo_data.sh DATA_DIR [ACCORD_BINARY]   (default binary: build/accord)
# Safe to run again on the same directory: imports and intake are idempotent, the run is
# replaced, and fresh tokens are issued.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
data="${1:?usage: demo_data.sh DATA_DIR [ACCORD_BINARY]}"
bin="${2:-$root/build/accord}"
accord() { "$bin" --data "$data" "$@"; }

accord import "$root/demo/demo.json" >/dev/null
# Kofi opts in to remixes (as in the CLI demo), so July's fan remix is an allowed, paid use.
accord consent set --party artist:kofi-mensah --scope remix --choice opt_in \
  --at 2026-06-15T12:00:00Z --by artist:kofi-mensah --method portal \
  --id C-DEMO-KOFI-REMIX >/dev/null
accord ledger append "$root/demo/events.jsonl" >/dev/null
accord ledger checkpoint >/dev/null
accord royalties run --period 2026-07 --pools "$root/demo/pools.json" --replace >/dev/null
accord taste import "$root/demo/listening.csv" >/dev/null
accord taste train --factors 4 --regularization 0.1 >/dev/null  # five items: a small model

token() { accord --json token create --role "$1" ${2:+--party "$2"} |
  sed -n 's/.*"token": "\([^"]*\)".*/\1/p'; }
cat >"$data/demo-tokens.json" <<JSON
{
  "admin": "$(token admin)",
  "artist": "$(token artist artist:kofi-mensah)",
  "artist_muldjord": "$(token artist artist:muldjord)",
  "rights_holder": "$(token rights_holder label:northern-lights)",
  "distributor": "$(token rights_holder dist:openwave)",
  "auditor": "$(token auditor label:atlas)",
  "listener": "$(token listener l-7f3a)"
}
JSON
chmod 600 "$data/demo-tokens.json"
echo "demo data ready in $data (tokens: $data/demo-tokens.json)"
