-- wrk script: POST /api/usage/bulk, EVENTS usage events (JSON Lines) per request.
--
--   wrk -t1 -c4 -d10s --latency -s bench/http/bulk.lua http://127.0.0.1:8080 \
--       -- ISRCS_FILE EVENTS RUN_ID [TOKEN] [TIME]
--
-- Every event id is unique across the whole run and across runs ("<RUN_ID>-<thread>-<n>"), so
-- the ledger records each one instead of answering duplicates. ISRCS_FILE should hold
-- recordings that scope "recommend" may use in US at TIME (bench/server_load.sh takes them
-- from `accord filter`), or the events are refused rather than recorded. The bodies are built
-- per request (they cannot repeat), which costs wrk some CPU on a shared machine.
-- done() sums what the server said it recorded and prints:
--   RESULT requests=... requests_per_s=... events_per_s=... p50_us=... p99_us=... errors=...

local threads = {}
local thread_count = 0

function setup(thread)
  thread_count = thread_count + 1
  thread:set("thread_id", thread_count)
  threads[#threads + 1] = thread
end

local isrcs = {}
local events = 1000
local run_id = "run"
local at = "2026-06-01T00:00:00Z"
local headers = {}
local counter = 0
recorded = 0

function init(args)
  for line in io.lines(args[1]) do
    if line ~= "" then isrcs[#isrcs + 1] = line end
  end
  if #isrcs == 0 then error("no ISRCs in " .. args[1]) end
  events = tonumber(args[2] or "1000")
  run_id = args[3] or tostring(os.time())
  if args[4] ~= nil and args[4] ~= "" then headers["Authorization"] = "Bearer " .. args[4] end
  at = args[5] or at
  headers["Content-Type"] = "application/x-ndjson"
end

function request()
  local lines = {}
  local prefix = run_id .. "-" .. tostring(thread_id) .. "-"
  for i = 1, events do
    counter = counter + 1
    local isrc = isrcs[(counter * 7919) % #isrcs + 1]
    lines[i] = '{"id":"' .. prefix .. counter .. '","time":"' .. at ..
               '","listener":"l-' .. (counter % 5000) ..
               '","territory":"US","scope":"recommend","feature":"ai_playlist",' ..
               '"recordings":[{"isrc":"' .. isrc .. '","weight_ppm":1000000}],"duration_ms":181000}'
  end
  return wrk.format("POST", "/api/usage/bulk", headers, table.concat(lines, "\n") .. "\n")
end

function response(status, response_headers, body)
  if status == 200 then
    local n = string.match(body, '"recorded"%s*:%s*(%d+)')
    if n ~= nil then recorded = recorded + tonumber(n) end
  end
end

function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do total = total + (thread:get("recorded") or 0) end
  local errors = summary.errors
  local error_count = errors.connect + errors.read + errors.write + errors.status + errors.timeout
  local seconds = summary.duration / 1e6
  io.write(string.format(
    "RESULT requests=%d requests_per_s=%.1f events_per_s=%.0f p50_us=%d p99_us=%d errors=%d\n",
    summary.requests, summary.requests / seconds, total / seconds, latency:percentile(50), latency:percentile(99),
    error_count))
end
