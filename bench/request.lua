-- One request shape for wrk, read from the environment so every benchmark shares this script:
--   BENCH_METHOD   GET, POST, PATCH, ...
--   BENCH_BODY     a file whose bytes are the body (optional)
--   BENCH_HEADERS  "Name: value" lines
--   BENCH_SEQUENCE a file of bodies, one a line, sent in turn (optional; for requests that must differ, such
--                  as readings that must each be later than the last)
--   BENCH_TURNS    a file of "Name: value" lines, one header set on each request in turn (optional; e.g. the
--                  next tenant's credential)
-- done() prints one JSON line: req/s, p50/p99 in ms, non-2xx/3xx answers and socket errors.
wrk.method = os.getenv("BENCH_METHOD") or "GET"
local body_file = os.getenv("BENCH_BODY")
if body_file and body_file ~= "" then
  wrk.body = io.open(body_file, "rb"):read("*a")
end
for line in (os.getenv("BENCH_HEADERS") or ""):gmatch("[^\n]+") do
  local name, value = line:match("^([^:]+):%s*(.*)$")
  wrk.headers[name] = value
end

local function lines_of(variable)
  local path, lines = os.getenv(variable), {}
  if path and path ~= "" then
    for line in io.lines(path) do lines[#lines + 1] = line end
  end
  return lines
end

local bodies, turns, next_body, next_turn = lines_of("BENCH_SEQUENCE"), lines_of("BENCH_TURNS"), 0, 0
if #bodies > 0 or #turns > 0 then
  request = function()
    local body, headers = nil, nil
    if #bodies > 0 then
      next_body = next_body % #bodies + 1
      body = bodies[next_body]
    end
    if #turns > 0 then
      next_turn = next_turn % #turns + 1
      local name, value = turns[next_turn]:match("^([^:]+):%s*(.*)$")
      headers = {}
      for key, known in pairs(wrk.headers) do headers[key] = known end
      headers[name] = value
    end
    return wrk.format(nil, nil, headers, body)
  end
end

done = function(summary, latency, requests)
  io.write(string.format('{"rps": %f, "p50": %f, "p99": %f, "non2xx": %d, "errors": %d}\n',
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
