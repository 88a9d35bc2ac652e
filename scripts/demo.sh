#!/usr/bin/env bash
# The main job: installs what is needed, builds accord and its portal, prepares the demo world
# on the embedded SQLite store (./accord-data, or $ACCORD_DATA: the demo registry, a consent,
# July's AI uses in the ledger, a signed checkpoint, July's royalty statements, a listening
# history with a trained taste model, one API token per role) and starts the server with the portal on http://127.0.0.1:8080 ($ACCORD_PORT).
# Open the address in a browser and log in with one of the printed tokens. Ctrl-C stops the
# server gracefully. Safe to run again on the same directory.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
log=$(mktemp)
./scripts/build.sh >"$log" 2>&1 || { cat "$log"; exit 1; }
rm -f "$log"

data="${ACCORD_DATA:-./accord-data}"
port="${ACCORD_PORT:-8080}"
./scripts/demo_data.sh "$data"
tokens="$data/demo-tokens.json"
pick() { sed -n "s/.*\"$1\": \"\([^\"]*\)\".*/\1/p" "$tokens"; }
cat <<TEXT

The portal: http://127.0.0.1:$port   (paste a token to log in; all are in $tokens)
  artist Kofi Mensah (consents, usage, statements, verify):  $(pick artist)
  rights holder Northern Lights Records (catalog, earnings):  $(pick rights_holder)
  admin (parties, agreements, tokens, royalty runs):          $(pick admin)
The API: http://127.0.0.1:$port/api/openapi.json (docs/api/README.md), e.g.
  curl -H "Authorization: Bearer $(pick artist)" http://127.0.0.1:$port/api/me
  curl -H "Authorization: Bearer $(pick listener)" \
    "http://127.0.0.1:$port/api/listeners/l-7f3a/recommendations?territory=DE"

TEXT
exec ./build/accord --data "$data" serve --port "$port" --web web/dist
