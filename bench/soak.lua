-- The soak's requests: most plain, some asking the backend to fail, reset, cut its answer short or
-- be slow, in a fixed mix; plus the bench's report line.
local here = debug.getinfo(1, 'S').source:sub(2):match('(.*/)') or './'
dofile(here .. 'wrk-report.lua')

local counter = 0
local faults = {
  { every = 31, header = 'X-Fail-Status: 500' },
  { every = 53, header = 'X-Fault: reset' },
  { every = 97, header = 'X-Fault: truncate-body' },
  { every = 211, header = 'X-Delay-Ms: 50' },
}

request = function()
  counter = counter + 1
  for _, fault in ipairs(faults) do
    if counter % fault.every == 0 then
      return 'GET /soak HTTP/1.1\r\nHost: app.example\r\n' .. fault.header .. '\r\n\r\n'
    end
  end
  return 'GET /soak HTTP/1.1\r\nHost: app.example\r\n\r\n'
end
