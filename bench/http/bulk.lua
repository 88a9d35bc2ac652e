-- wrk script: POST /api/usage/bulk, EVENTS usage events (JSON Lines) per request.
--
--   wrk -t1 -c4 -d10s --latency -s bench/http/bulk.lua http://127.0.0.1:8080 \
--       -- ISRCS_FILE EVENTS RUN_ID [TOKEN] [TIME]
--
-- Every event id is unique across the whole run and across runs, so the ledger records each one
-- instead of answering duplicates. ISRCS_FILE should hold recordings that scope "recommend" may
-- use in US at TIME (bench/server_load.sh takes them from `accord filter`), or the events are
-- refused rather than recorded.
--
-- The bodies cannot repeat, but building EVENTS lines of JSON per request in Lua took wrk about
-- 70% of one of the two cores it shares with the server. So init() builds 16 template bodies
-- once, cut where each line's id is to end, and a request is one of them joined with the
-- request's number (one table.concat, in C): ids "<RUN_ID>-<thread>-<line>-<request>", unique
-- across the run. Line n of template k is the event the per-request builder gave its
-- (k * EVENTS + n)th event: the same listeners (5,000) and a spread of the recordings.
-- The request line and headers are part of the template's first piece, so that the join makes
-- the whole request at once: wrk.format would copy the megabyte-sized body into a second
-- string (and LuaJIT maps fresh pages for each), which held wrk at about 58% of a core. Its
-- Content-Length depends only on the template and on how many digits the request's number
-- has, so a first piece is made once per template and digit count.
-- done() sums what the server said it recorded (duplicates and refusals do not count) and
-- prints:
--   RESULT requests=... requests_per_s=... events_per_s=... p50_us=... p99_us=... errors=...

local threads = {}
local thread_count = 0

function setup(thread)
  thread_count = thread_count + 1
  thread:set("thread_id", thread_count)
  threads[#threads + 1] = thread
end

local kTemplates = 16
local kPlaceholder = "~REQUEST~"
local templates = {}  -- k → {parts = pieces between ids' ends, bytes = their total length}
local heads = {}      -- "k:digits" → the request's first piece: request line, headers, body start
local header_lines = {}
local request_number = 0
recorded = 0

function init(args)
  local isrcs = {}
  for line in io.lines(args[1]) do
    if line ~= "" then isrcs[#isrcs + 1] = line end
  end
  if #isrcs == 0 then error("no ISRCs in " .. args[1]) end
  local events = tonumber(args[2] or "1000")
  local run_id = args[3] or tostring(os.time())
  header_lines[#header_lines + 1] = "Host: " .. wrk.host .. (wrk.port and (":" .. wrk.port) or "")
  header_lines[#header_lines + 1] = "Content-Type: application/x-ndjson"
  if args[4] ~= nil and args[4] ~= "" then
    header_lines[#header_lines + 1] = "Authorization: Bearer " .. args[4]
  end
  local at = args[5] or "2026-06-01T00:00:00Z"
  local prefix = run_id .. "-" .. tostring(thread_id) .. "-"
  for k = 1, kTemplates do
    local lines = {}
    for n = 1, events do
      local counter = (k - 1) * events + n
      local isrc = isrcs[(counter * 7919) % #isrcs + 1]
      lines[n] = '{"id":"' .. prefix .. counter .. "-" .. kPlaceholder .. '","time":"' .. at ..
                 '","listener":"l-' .. (counter % 5000) ..
                 '","territory":"US","scope":"recommend","feature":"ai_playlist",' ..
                 '"recordings":[{"isrc":"' .. isrc .. '","weight_ppm":1000000}],"duration_ms":181000}'
    end
    -- The template cut at its placeholders: table.concat(parts, number) is the body.
    local template = table.concat(lines, "\n") .. "\n"
    local parts = {}
    local from = 1
    while true do
      local at_placeholder = string.find(template, kPlaceholder, from, true)
      if at_placeholder == nil then break end
      parts[#parts + 1] = string.sub(template, from, at_placeholder - 1)
      from = at_placeholder + #kPlaceholder
    end
    parts[#parts + 1] = string.sub(template, from)
    templates[k] = {parts = parts, bytes = #template - (#parts - 1) * #kPlaceholder}
  end
end

-- Template k's pieces with the request line and headers (Content-Length for a request number
-- of `digits` digits) in front of the first.
local function pieces(k, digits)
  local key = k .. ":" .. digits
  local found = heads[key]
  if found ~= nil then return found end
  local template = templates[k]
  local length = template.bytes + (#template.parts - 1) * digits
  local head = "POST /api/usage/bulk HTTP/1.1\r\n" .. table.concat(header_lines, "\r\n") ..
               "\r\nContent-Length: " .. length .. "\r\n\r\n"
  local parts = {}
  for i, part in ipairs(template.parts) do parts[i] = part end
  parts[1] = head .. parts[1]
  heads[key] = parts
  return parts
end

function request()
  request_number = request_number + 1
  local number = tostring(request_number)
  return table.concat(pieces((request_number - 1) % kTemplates + 1, #number), number)
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
