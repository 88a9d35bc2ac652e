-- wrk script: POST /api/decisions/batch, BATCH_SIZE recordings per request.
--
--   wrk -t1 -c4 -d10s --latency -s bench/http/batch.lua http://127.0.0.1:8080 \
--       -- ISRCS_FILE BATCH_SIZE [SCOPE] [TERRITORY] [TOKEN]
--
-- Eight bodies, each a different window of the ISRC list, are built in init and cycled, so the
-- server does not answer the same question over and over and wrk spends no time in Lua.
-- done() prints the line bench/server_load.sh parses (it multiplies requests/s by BATCH_SIZE
-- for decided recordings/s):
--   RESULT requests=... requests_per_s=... p50_us=... p99_us=... errors=...

local requests = {}
local next_index = 1
local batch_size = 0

local function read_lines(path)
  local lines = {}
  for line in io.lines(path) do
    if line ~= "" then lines[#lines + 1] = line end
  end
  if #lines == 0 then error("no ISRCs in " .. path) end
  return lines
end

function init(args)
  local isrcs = read_lines(args[1])
  batch_size = tonumber(args[2] or "1000")
  local scope = args[3] or "recommend"
  local territory = args[4] or "US"
  local token = args[5]
  local headers = { ["Content-Type"] = "application/json" }
  if token ~= nil and token ~= "" then headers["Authorization"] = "Bearer " .. token end
  for body_index = 1, 8 do
    local quoted = {}
    local start = math.random(#isrcs)
    for i = 1, batch_size do
      quoted[i] = '"' .. isrcs[((start + i) % #isrcs) + 1] .. '"'
    end
    local body = string.format('{"scope":"%s","territory":"%s","recordings":[%s]}', scope,
                               territory, table.concat(quoted, ","))
    requests[body_index] = wrk.format("POST", "/api/decisions/batch", headers, body)
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
  local per_s = summary.requests / (summary.duration / 1e6)
  io.write(string.format("RESULT requests=%d requests_per_s=%.1f p50_us=%d p99_us=%d errors=%d\n",
                         summary.requests, per_s, latency:percentile(50), latency:percentile(99),
                         error_count))
end
