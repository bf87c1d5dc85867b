-- wrk script for bench/till.ts: each request a fresh Idempotency-Key and the next registered diner.
-- Arguments: ids-file tokens-file mode(record|quote|health) first-diner threads
local ids, tokens = {}, {}
local mode, first, counter, nthreads = "record", 0, 0, 1
local threads = {}

function setup(thread)
  thread:set("tid", #threads) -- a global of that thread's Lua state
  table.insert(threads, thread)
end

local function lines(path)
  local t = {}
  for line in io.lines(path) do t[#t + 1] = line end
  return t
end

function init(args)
  ids = lines(args[1])
  tokens = lines(args[2])
  mode = args[3]
  first = tonumber(args[4])
  nthreads = tonumber(args[5])
  math.randomseed(os.time() + tid * 7919)
end

function request()
  local i = (first + counter * nthreads + tid) % #ids
  counter = counter + 1
  local canteen = (counter % #tokens) + 1
  local auth = "Bearer " .. tokens[canteen]
  if mode == "health" then
    return wrk.format("GET", "/api/health")
  end
  if mode == "quote" then
    return wrk.format("GET", "/api/canteens/" .. canteen .. "/meals/quote?mealPeriod=LUNCH&idNumber=" .. ids[i + 1],
      { ["Authorization"] = auth })
  end
  local key = string.format("w%d-%d-%d", tid, counter, math.random(1, 2000000000))
  local body = '{"idNumber":"' .. ids[i + 1] .. '","mealPeriod":"LUNCH","verification":"ID_CARD_READER","confirmOutsideHours":true}'
  return wrk.format("POST", "/api/canteens/" .. canteen .. "/meals",
    { ["Content-Type"] = "application/json", ["Authorization"] = auth, ["Idempotency-Key"] = key }, body)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'RESULT {"requests":%d,"durationUs":%d,"p50":%.3f,"p95":%.3f,"p99":%.3f,"non2xx":%d,"errors":%d}\n',
    summary.requests, summary.duration, latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, e.status, e.connect + e.read + e.write + e.timeout))
end
