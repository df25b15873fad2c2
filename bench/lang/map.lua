-- A map with 1M inserts and 2M lookups (scattered int keys, half of the probes miss).
local scale = math.tointeger(tonumber(arg[1] or "1"))
local m = {}
local n = 1000000 // scale
local count = 0
for i = 0, n - 1 do
  local k = (i * 2654435761) % 4294967296
  if m[k] == nil then count = count + 1 end
  m[k] = i
end
local sum, found = 0, 0
for i = 0, n - 1 do
  sum = sum + m[(i * 2654435761) % 4294967296]
  local v = m[(i * 2654435761) % 4294967296 + 1]
  if v ~= nil then found = found + 1 end
end
print(string.format("%d %d %d", count, sum, found))
