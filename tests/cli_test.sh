#!/usr/bin/env bash
# End-to-end test of the `accord` command line: exit codes, stderr messages that name the
# place, all-or-nothing imports, a consent change that flips a decision, the ledger and
# royalty verbs, a taste playlist that remembers the ledger, and audio analysis and transforms
# (bad audio files named on stderr).
#   tests/cli_test.sh path/to/accord path/to/demo.json
set -uo pipefail
accord_bin=$1
demo=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
data="$work/data"
failures=0

run() {  # run ARGS...: sets $out, $err, $rc
  "$accord_bin" --data "$data" "$@" >"$work/out" 2>"$work/err"
  rc=$?
  out=$(cat "$work/out")
  err=$(cat "$work/err")
}
expect_rc() {
  if [ "$rc" != "$1" ]; then
    echo "FAIL ($2): exit $rc, expected $1; stdout: $out; stderr: $err"
    failures=$((failures + 1))
  fi
}
expect_in() {  # expect_in HAYSTACK NEEDLE WHAT
  case "$1" in
    *"$2"*) ;;
    *) echo "FAIL ($3): expected '$2' in: $1"; failures=$((failures + 1)) ;;
  esac
}

run --help
expect_rc 0 "help"
expect_in "$out" "decide" "help lists verbs"

run frobnicate
expect_rc 2 "unknown verb is a usage error"

run import "$demo"
expect_rc 0 "import demo"
expect_in "$out" "imported 29 records" "import summary"
run import "$demo"
expect_rc 0 "re-import"
expect_in "$out" "imported 0 records" "re-import adds nothing"
expect_in "$out" "29 unchanged" "re-import counts unchanged"

# A bad split: the whole file is refused and nothing from it is stored.
cat >"$work/bad.json" <<'JSON'
{"parties": [{"id": "label:new", "kind": "label", "name": "New"}],
 "recordings": [{"isrc": "QZDMO2600099", "title": "X", "main_artists": ["artist:muldjord"],
   "master_owners": [{"party": "label:new", "ppm": 999999}]}]}
JSON
run import "$work/bad.json"
expect_rc 1 "bad split"
expect_in "$err" "bad.json" "error names the file"
expect_in "$err" "/recordings/0/master_owners" "error names the JSON pointer"
expect_in "$err" "999999" "error gives the sum"
run status --json
expect_in "$out" '"parties": 11' "bad import left parties unchanged"

run decide --scope remix --recording QZDMO2600003 --territory DE --at 2026-07-01 --explain
expect_rc 0 "decide"
expect_in "$out" "DENIED" "remix denied before consent"
expect_in "$out" "consent_missing" "reason given"

run consent set --party artist:kofi-mensah --scope remix --choice opt_in --at 2026-06-15
expect_rc 0 "consent set"
run decide --scope remix --recording QZDMO2600003 --territory DE --at 2026-07-01 --json
expect_in "$out" '"allowed": true' "consent flips the decision"
run decide --scope remix --recording QZDMO2600003 --territory DE --at 2026-06-01 --json
expect_in "$out" '"allowed": false' "history before the consent is unchanged"

run decide --scope karaoke --recording QZDMO2600003 --territory DE
expect_rc 1 "bad scope"
expect_in "$err" "--scope" "error names the flag"
run decide --scope dj --recording QZDMO2600003 --territory XX
expect_rc 1 "bad territory"
expect_in "$err" "--territory" "error names the flag"
run decide --scope dj --recording QZDMO2699999 --territory DE
expect_rc 1 "unknown recording"
expect_in "$err" "not_found" "unknown recording is not_found"
run decide --scope dj --recording QZDMO2600003 --territory DE --at 2026-13-01
expect_rc 1 "bad time"
expect_in "$err" "--at" "error names the flag"

run consent set --party artist:nobody --scope dj --choice opt_out --at 2026-01-01
expect_rc 1 "consent for unknown party"
expect_in "$err" "artist:nobody" "error names the party"

run takedown block --recording QZDMO2600001 --at 2026-08-01 --reason dispute
expect_rc 0 "takedown block"
run decide --scope dj --recording QZDMO2600001 --territory DE --at 2026-08-02 --json
expect_in "$out" '"rule": "takedown"' "takedown denies"

run filter --scope dj --territory DE --at 2026-06-01 --json
expect_rc 0 "filter"
expect_in "$out" '"total": 5' "filter covers every recording"

run policy set --scope dj --mode sometimes
expect_rc 1 "bad policy mode"
expect_in "$err" "--mode" "error names the flag"

events_file="$(dirname "$demo")/events.jsonl"
run ledger append "$events_file"
expect_rc 0 "ledger append"
# In batches of two (a group commit each), the same file again: every event answered once, in
# order, as one JSON array.
run ledger append "$events_file" --batch 2 --json
expect_rc 0 "ledger append in batches"
expect_in "$out" '"outcome": "duplicate"' "a repeated file is answered as duplicates"
if [ "$(grep -c '"id": ' <<<"$out")" != "$(grep -c . "$events_file")" ] || [ "${out:0:1}" != "[" ] ||
  [ "${out: -1}" != "]" ]; then
  echo "FAIL (one array element per event): $out"; failures=$((failures + 1))
fi
run ledger append "$events_file" --batch 0
expect_rc 2 "a batch of no events is a usage error"
# A bad line refuses the whole file: nothing before it is recorded.
run ledger stats --json
events_before=$(sed -n 's/.*"events": \([0-9]*\),.*/\1/p' <<<"$out")
{ head -n 2 "$events_file" | sed 's/"id":"/"id":"bad-file-/'; echo '{"id": "x", "time": "soon"}'
} >"$work/bad.jsonl"
run ledger append "$work/bad.jsonl" --batch 1
expect_rc 1 "a file with a bad line"
expect_in "$err" "bad.jsonl:3" "error names the file and line"
run ledger stats --json
expect_in "$out" "\"events\": $events_before," "nothing of a file with a bad line is recorded"
run ledger append "$work/absent.jsonl"
expect_rc 1 "a missing file"
expect_in "$err" "absent.jsonl" "error names the missing file"
run ledger events --from 2026-07-01T20:01:00Z --to 2026-07-02 --limit 0
expect_rc 0 "ledger events by period"
expect_in "$out" "events" "events count"
run ledger events --party artist:muldjord --json
expect_rc 0 "ledger events by party"
expect_in "$out" '"isrc": "QZDMO2600001"' "the party's recording"
run ledger events --party artist:nobody
expect_rc 1 "events of an unknown party"
expect_in "$err" "artist:nobody" "error names the party"
run ledger events --recording NOT-AN-ISRC
expect_rc 1 "bad ISRC"
expect_in "$err" "--recording" "error names the flag"
run ledger stats
expect_in "$out" "opened from: the log alone" "no state file yet"
run ledger save-state --json
expect_rc 0 "ledger save-state"
saved=$(sed -n 's/.*"state_file_events": \([0-9]*\).*/\1/p' <<<"$out")
run ledger stats --json
expect_in "$out" "\"events\": $saved," "the state file covers every event"
expect_in "$out" "\"state_file_events\": $saved" "the next open reads the state file"
run ledger stats
expect_in "$out" "opened from: a state file of" "the next open reads the state file"

pools_file="$(dirname "$demo")/pools.json"
run royalties run --period 2026-07 --pools "$pools_file"
expect_rc 1 "royalty run before any checkpoint"
expect_in "$err" "ledger checkpoint" "says how to anchor the run"
run ledger checkpoint
expect_rc 0 "checkpoint"
echo '{"pools": [{"id": "p", "amount": "1.234", "currency": "EUR", "territory": "DE", "scopes": ["dj"]}]}' >"$work/bad-pools.json"
run royalties run --period 2026-07 --pools "$work/bad-pools.json"
expect_rc 1 "bad pools file"
expect_in "$err" "/pools/0/amount" "error names the field"
run royalties run --period 2026-13 --pools "$pools_file"
expect_rc 1 "bad period"
expect_in "$err" "--period" "error names the flag"
run statements show --party artist:muldjord
expect_rc 1 "no run stored yet"
echo '{"pools": [{"id": "dj-de", "amount": "100.00", "currency": "EUR", "territory": "DE", "scopes": ["dj"], "model": "pro_rata"}]}' >"$work/pools.json"
run royalties run --period 2026-07 --pools "$work/pools.json"
expect_rc 0 "royalty run"
expect_in "$out" "pools 100.00" "totals in the summary"
cp "$data/royalties/2026-07.json" "$work/first-run.json"
run royalties run --period 2026-07 --pools "$work/pools.json"
expect_rc 0 "same run again"
expect_in "$out" "identical to the stored run" "a rerun is byte-identical"
cmp -s "$data/royalties/2026-07.json" "$work/first-run.json" || {
  echo "FAIL (rerun changed the stored statements)"; failures=$((failures + 1)); }
sed -i 's/100.00/200.00/' "$work/pools.json"
run royalties run --period 2026-07 --pools "$work/pools.json"
expect_rc 1 "a different run is not stored over the first"
expect_in "$err" "--replace" "says how to supersede"
cmp -s "$data/royalties/2026-07.json" "$work/first-run.json" || {
  echo "FAIL (a refused run changed the stored statements)"; failures=$((failures + 1)); }
run statements list
expect_rc 0 "list the run's statements"
expect_in "$out" "artist:muldjord" "lists a party paid by the run"
expect_in "$out" " lines" "with its count of lines"
run statements list --period 2026-08
expect_rc 1 "no run for that period"
expect_in "$err" "no royalty run for 2026-08" "error names the period"
run statements show --party artist:muldjord
expect_rc 0 "statement"
expect_in "$out" "anchored to the signed checkpoint" "statement names its checkpoint"
run statements explain --party artist:muldjord --line 1
expect_rc 0 "explain a line"
expect_in "$out" "accord ledger prove --event ID --checkpoint " "says how to prove each event"
# Against the run's checkpoint, which a later checkpoint does not change.
first_event=$(printf '%s\n' "$out" | awk '/^  [0-9]+ / {print $2; exit}')
run_size=$(printf '%s\n' "$out" | sed -n 's/.*--checkpoint \([0-9]*\).*/\1/p')
run ledger checkpoint
run ledger prove --event "$first_event" --checkpoint "$run_size" --out "$work/line-proof.json"
expect_rc 0 "prove a line's event against the run's checkpoint"
expect_in "$(cat "$work/line-proof.json")" "\"tree_size\": $run_size" "the proof is against that checkpoint"
run ledger prove --event "$first_event" --checkpoint 999999
expect_rc 1 "no checkpoint of that size"
expect_in "$err" "no checkpoint of 999999 events" "error names the size"
run statements explain --party artist:muldjord --line 99
expect_rc 1 "no such line"
expect_in "$err" "--line" "error names the flag"
run statements export --format csv
expect_rc 0 "csv export"
expect_in "$out" "period,party,line,kind" "csv header"
run statements export --format dsr --party artist:muldjord
expect_rc 0 "dsr export"
expect_in "$out" "SY01" "dsr summary record"
run statements export --format xml
expect_rc 2 "unknown export format is a usage error"

# ---- Taste: a playlist leaves out what the ledger recorded the listener hearing (l-7f3a heard
# QZDMO2600001..3 on 2026-07-01 between 20:00 and 20:08, demo/events.jsonl).
run taste import "$(dirname "$demo")/listening.csv"
expect_rc 0 "taste import"
run taste train
expect_rc 0 "taste train"
run taste playlist --listener l-7f3a --territory DE --at 2026-07-01T21:00:00Z --json
expect_rc 0 "playlist after a DJ session"
expect_in "$out" '"recent_from_ledger": 3' "the session's three recordings are left out"
case "$out" in *QZDMO260000[123]*) echo "FAIL (a recording just heard was repeated): $out"
  failures=$((failures + 1)) ;; esac
run taste playlist --listener l-7f3a --territory DE --at 2026-07-01T21:00:00Z --recent-hours 0
expect_rc 0 "playlist without the ledger's memory"
expect_in "$out" "Paper Skies" "without it, a heard recording may come back"
run taste playlist --listener l-7f3a --territory DE --recent-hours 721
expect_rc 1 "recent hours out of range"
expect_in "$err" "--recent-hours" "error names the flag"

# ---- When `ledger append` saves the state file. The demo's appends are below the automatic
# threshold (checked above: the log alone until save-state); here one more event, on a copy of
# the data directory so that nothing above changes, with each choice of --save-state.
head -n 1 "$events_file" | sed 's/"id":"[^"]*"/"id":"demo-state-0001"/' >"$work/one.jsonl"
saved_data=$data
data="$work/state-data"
cp -a "$saved_data" "$data"
run ledger append "$work/one.jsonl" --save-state never
expect_rc 0 "append without saving the state file"
case "$out" in *"state file:"*) echo "FAIL (--save-state never saved): $out"
  failures=$((failures + 1)) ;; esac
run ledger stats --json
expect_in "$out" "\"state_file_events\": $saved" "the older state file is still the one read"
head -n 1 "$events_file" | sed 's/"id":"[^"]*"/"id":"demo-state-0002"/' >"$work/one.jsonl"
run ledger append "$work/one.jsonl" --save-state always
expect_rc 0 "append saving the state file"
expect_in "$out" "state file: $((saved + 2)) events" "the append reports the state file it saved"
run ledger stats --json
expect_in "$out" "\"state_file_events\": $((saved + 2))" "the next open reads the new state file"
run ledger append "$work/one.jsonl" --save-state sometimes
expect_rc 2 "an unknown --save-state is a usage error"
data=$saved_data

# ---- Audio: analysis and a transform of a generated WAV, and bad files named in the error.
le() {  # le VALUE BYTES: VALUE little-endian in BYTES bytes
  local v=$1 n=$2 i
  for ((i = 0; i < n; i++)); do printf "\\x$(printf %02x $(((v >> (8 * i)) & 255)))"; done
}
noise_wav() {  # noise_wav FILE SECONDS: 16-bit stereo 44.1 kHz white noise
  local bytes=$((44100 * 4 * $2))
  { printf 'RIFF'; le $((36 + bytes)) 4; printf 'WAVEfmt '; le 16 4; le 1 2; le 2 2; le 44100 4
    le 176400 4; le 4 2; le 16 2; printf 'data'; le "$bytes" 4; head -c "$bytes" /dev/urandom
  } > "$1"
}
noise_wav "$work/noise.wav" 2
run analyze "$work/noise.wav" --json
expect_rc 0 "analyze a WAV"
expect_in "$out" '"duration_ms": 2000' "analysis reports the duration"
expect_in "$out" '"integrated_lufs"' "analysis reports loudness"
run render stretch "$work/noise.wav" "$work/long.flac" --ratio 2
expect_rc 0 "stretch to twice the length"
run analyze "$work/long.flac" --json --no-fingerprint
expect_rc 0 "analyze the stretched FLAC"
expect_in "$out" '"duration_ms": 4000' "stretched output is twice as long"
run render stretch "$work/noise.wav" "$work/x.wav" --ratio 9
expect_rc 1 "a ratio out of range is refused"
expect_in "$err" "0.25" "error gives the range"
run render gain "$work/noise.wav" "$work/x.xyz" --db -3
expect_rc 1 "an unknown output extension is refused"
expect_in "$err" "x.xyz" "error names the output file"
: > "$work/empty.wav"
echo "not audio" > "$work/text.wav"
head -c 30 "$work/noise.wav" > "$work/truncated.wav"
for bad in empty text truncated; do
  run analyze "$work/$bad.wav"
  expect_rc 1 "analyze a $bad file"
  expect_in "$err" "$bad.wav" "error names the $bad file"
done
run analyze "$work/noise.wav" "$work/empty.wav" --json
expect_rc 1 "one bad file in several fails the run"
expect_in "$out" '"duration_ms": 2000' "the good file is still reported"

if [ "$failures" -ne 0 ]; then
  echo "cli_test: $failures failure(s)"
  exit 1
fi
echo "cli_test: all checks passed"
