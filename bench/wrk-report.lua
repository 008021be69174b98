-- Prints one line the bench parses: totals, errors and latency percentiles (microseconds).
done = function(summary, latency, requests)
  local quantiles = {50, 75, 90, 95, 99, 99.5, 99.9, 99.99}
  local parts = {}
  for _, q in ipairs(quantiles) do
    parts[#parts + 1] = string.format('"%s":%d', tostring(q), latency:percentile(q))
  end
  local e = summary.errors
  io.write(string.format(
    'LBSPEC-WRK {"durationUs":%d,"requests":%d,"bytes":%d,"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},"latencyUs":{%s},"maxUs":%d}\n',
    summary.duration, summary.requests, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    table.concat(parts, ','), latency.max))
end
