#!/usr/bin/env bash
# A tour of the command line: installs what is needed, builds, and runs a real decision flow on
# the embedded SQLite store (./accord-data, or $ACCORD_DATA) with the demo world: import,
# decisions with their reasons, a consent change that flips one, a synthetic world filtered in
# one pass, AI uses recorded in the ledger with proofs, July's royalty statements, and a real
# song analysed. (The main job, scripts/demo.sh, serves the same world with the portal.)
# Safe to run again: imports are idempotent and every question names its moment.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
log=$(mktemp)
./scripts/build.sh >"$log" 2>&1 || { cat "$log"; exit 1; }
rm -f "$log"

accord() { ./build/accord "$@"; }
step() { printf '\n\033[1m== %s\033[0m\n$ accord %s\n' "$1" "${*:2}"; accord "${@:2}"; }

step "Import the demo world (re-importing the same file changes nothing)" import demo/demo.json
step "What the store holds" status
step "Agreements on file" agreements list

step "Muldjord's own song in an AI DJ set in Germany: allowed through his distributor" \
  decide --scope dj --recording QZDMO2600001 --territory DE --at 2026-06-01 --explain
step "The same in China, which the agreement excludes" \
  decide --scope dj --recording QZDMO2600001 --territory CN --at 2026-06-01 --explain
step "A fan remix of 'Paper Skies' in Germany: Kofi has not opted in to remixes" \
  decide --scope remix --recording QZDMO2600003 --territory DE --at 2026-07-01 --explain

step "Kofi opts in to remixes from 15 June 2026" \
  consent set --party artist:kofi-mensah --scope remix --choice opt_in \
  --at 2026-06-15T12:00:00Z --by artist:kofi-mensah --method portal --id C-DEMO-KOFI-REMIX
step "The same remix question on 1 July: now allowed, with its basis" \
  decide --scope remix --recording QZDMO2600003 --territory DE --at 2026-07-01 --explain
step "Before his opt-in the answer is still no: consent is history, never rewritten" \
  decide --scope remix --recording QZDMO2600003 --territory DE --at 2026-06-01
step "In France the remix deal does not apply (it covers DE, AT, CH only)" \
  decide --scope remix --recording QZDMO2600003 --territory FR --at 2026-07-01 --explain
step "Kofi's consent history" consent history --party artist:kofi-mensah

step "A fully AI-generated single is not recommended (platform policy)" \
  decide --scope recommend --recording QZDMO2600004 --territory US --at 2026-06-01 --explain
step "A song under a takedown" \
  decide --scope dj --recording QZDMO2600005 --territory DE --at 2026-06-01 --explain
step "Machine-readable answer" \
  decide --scope dj_voice --recording QZDMO2600001 --territory SE --at 2026-06-01 --json

step "A synthetic world of 2,000 artists beside the demo" world --seed 7 --artists 2000
step "Batch filter: every recording AI recommendations may use in the US" \
  filter --scope recommend --territory US --at 2026-06-01 --limit 5
step "... and fan remixes in Germany, an opt-in scope" \
  filter --scope remix --territory DE --at 2026-06-01 --limit 5
step "Record AI uses in the ledger: each is checked against the policy as of its time" \
  ledger append demo/events.jsonl
step "Send the same file again: retries are duplicates, nothing is counted twice" \
  ledger append demo/events.jsonl
step "Sign the ledger's current head" ledger checkpoint
step "An inclusion proof for one DJ play" \
  ledger prove --event demo-dj-0001 --out accord-demo-proof.json
key=$(accord --json ledger stats | sed -n 's/.*"public_key": "\([0-9a-f]*\)".*/\1/p')
step "What an artist runs: the proof checked with only the platform's public key" \
  verify-proof accord-demo-proof.json --public-key "$key"
step "Recompute every chain hash and root from the segments" ledger verify
# --replace: each demo run signs a new checkpoint, so July's statements are re-anchored to it.
step "Pay out July: three pools (pro rata, user-centric, artist-centric), fees and guarantees" \
  royalties run --period 2026-07 --pools demo/pools.json --replace
step "Muldjord's statement: every line with its basis, anchored to the signed checkpoint" \
  statements show --party artist:muldjord
step "The ledger events behind one line, each provable against the checkpoint" \
  statements explain --party artist:muldjord --line 1
step "The same statement as a DDEX DSR-style flat file" \
  statements export --format dsr --party artist:muldjord
rm -f accord-demo-proof.json
song=/usr/share/games/fretsonfire/data/songs/muldjord/armygeddon/song.ogg
step "Real music from Debian's archive (setup installs it): Muldjord's Armygeddon, analysed" \
  analyze "$song"
printf '\nData directory: %s (SQLite: accord.db)\n' "${ACCORD_DATA:-./accord-data}"
