-- Sorting 1M pseudo-random ints with a comparator function.
local scale = math.tointeger(tonumber(arg[1] or "1"))
local n = 1000000 // scale
local xs = {}
local seed = 12345
for i = 1, n do
  seed = (seed * 1103515245 + 12345) % 2147483648
  xs[i] = seed % 1000000
end
table.sort(xs, function(a, b) return a > b end)
local check = 0
for i = 1, n, 1000 do check = (check * 31 + xs[i]) % 1000000007 end
print(string.format("%d %d %d", xs[1], xs[n], check))
