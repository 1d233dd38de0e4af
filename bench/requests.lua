-- Sends the raw HTTP requests of the file named by BENCH_REQUESTS in turn, and prints the
-- figures of the run as one JSON line prefixed with "result:".
--
-- The file holds each request as its length in bytes on a line of its own, then the request's
-- bytes. Several requests spread the load over several sessions or pages. A run of sixteen '#'
-- in a request becomes a fresh number on every send: JSON-RPC ids must not repeat within a
-- session, and a server may route answers by them.

local placeholder = string.rep("#", 16)

local function load(path)
  local file = assert(io.open(path, "rb"))
  local text = file:read("*a")
  file:close()
  local list = {}
  local at = 1
  while at <= #text do
    local eol = text:find("\n", at, true)
    local length = tonumber(text:sub(at, eol - 1))
    list[#list + 1] = text:sub(eol + 1, eol + length)
    at = eol + length + 1
  end
  return list
end

-- Each request split around its placeholder: {before, after}, or {whole} without one.
local templates = {}
for i, req in ipairs(load(assert(os.getenv("BENCH_REQUESTS"), "BENCH_REQUESTS is not set"))) do
  local at = req:find(placeholder, 1, true)
  if at then
    templates[i] = { req:sub(1, at - 1), req:sub(at + #placeholder) }
  else
    templates[i] = { req }
  end
end

local threads_made = 0
local counter = 0
local next_index = 1

function setup(thread)
  -- Threads count from disjoint ranges, so that ids stay unique across them.
  threads_made = threads_made + 1
  thread:set("first_id", threads_made * 1e12)
end

function init(args)
  counter = first_id or 0
end

function request()
  local t = templates[next_index]
  next_index = next_index % #templates + 1
  if t[2] == nil then
    return t[1]
  end
  counter = counter + 1
  return t[1] .. string.format("%016d", counter) .. t[2]
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'result:{"requests":%d,"duration_us":%d,"bytes":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,'
      .. '"max_us":%d,"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d}}\n',
    summary.requests, summary.duration, summary.bytes, latency:percentile(50),
    latency:percentile(90), latency:percentile(99), latency.max, e.connect, e.read, e.write,
    e.status, e.timeout))
end
