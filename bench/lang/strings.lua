-- String building, joining, splitting and scanning.
local scale = math.tointeger(tonumber(arg[1] or "1"))
local n = 200000 // scale
local parts = {}
for i = 0, n - 1 do
  parts[#parts + 1] = "w" .. tostring(i % 1000) .. "_" .. tostring(i % 7)
end
local text = table.concat(parts, " ")
local function split(s, sep)
  local out, n, start = {}, 0, 1
  while true do
    local a, b = string.find(s, sep, start, true)
    if not a then break end
    n = n + 1; out[n] = string.sub(s, start, a - 1)
    start = b + 1
  end
  out[n + 1] = string.sub(s, start)
  return out
end
local words = split(text, " ")
local total, hits = 0, 0
for _, w in ipairs(words) do
  total = total + #w
  if w == "w42_0" then hits = hits + 1 end
end
local acc = ""
for _ = 1, n // 10 do acc = acc .. "ab" end
local upper = string.upper(string.sub(text, 1, n // 2))
print(string.format("%d %d %d %d %d %d", #text, #words, total, hits, #acc, #split(upper, "_")))
