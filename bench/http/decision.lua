-- wrk script: POST /api/decisions with a different recording on each request.
--
--   wrk -t1 -c32 -d10s --latency -s bench/http/decision.lua http://127.0.0.1:18080 \
--       -- ISRCS_FILE [SCOPE] [TERRITORY] [TOKEN]
--
-- ISRCS_FILE holds one ISRC a line. The requests are formatted once, in init, and cycled, so
-- that wrk (which shares the machine with the server) spends its time on the wire, not in Lua.
-- done() prints one machine-readable line that compare.sh and server_load.sh parse:
--   RESULT requests=... requests_per_s=... p50_us=... p99_us=... errors=...
-- (errors counts socket errors, timeouts and responses with a status of 400 or above).

local requests = {}
local next_index = 1

function init(args)
  local path = args[1]
  local scope = args[2] or "dj"
  local territory = args[3] or "DE"
  local token = args[4]
  if path == nil then
    error("usage: wrk ... -s decision.lua URL -- ISRCS_FILE [SCOPE] [TERRITORY] [TOKEN]")
  end
  local headers = { ["Content-Type"] = "application/json" }
  if token ~= nil and token ~= "" then headers["Authorization"] = "Bearer " .. token end
  local isrcs = {}
  for line in io.lines(path) do
    if line ~= "" then isrcs[#isrcs + 1] = line end
  end
  if #isrcs == 0 then error("no ISRCs in " .. path) end
  -- Each wrk thread starts at a different place (math.random is seeded per thread by wrk's
  -- own start-up), so threads do not ask the same recordings in lockstep.
  local count = math.min(#isrcs, 4096)
  local start = math.random(#isrcs)
  for i = 1, count do
    local isrc = isrcs[((start + i * 7919) % #isrcs) + 1]
    local body = string.format('{"scope":"%s","recording":"%s","territory":"%s"}', scope, isrc,
                               territory)
    requests[i] = wrk.format("POST", "/api/decisions", headers, body)
  end
end

function request()
  local r = requests[next_index]
  next_index = next_index % #requests + 1
  return r
end

function done(summary, latency, requests)
  local errors = summary.errors
  local error_count = errors.connect + errors.read + errors.write + errors.status + errors.timeout
  io.write(string.format("RESULT requests=%d requests_per_s=%.0f p50_us=%d p99_us=%d errors=%d\n",
                         summary.requests, summary.requests / (summary.duration / 1e6),
                         latency:percentile(50), latency:percentile(99), error_count))
end
