-- Nested arithmetic loops over ints and floats.
local scale = math.tointeger(tonumber(arg[1] or "1"))
local n = 2000 // scale
local s = 0
local f = 0.0
for i = 0, n - 1 do
  for j = 0, n - 1 do
    s = (s + i * j + (i ~ j)) % 1000003
    f = f + (i * 3 - j) * 0.5
  end
end
print(s .. " " .. math.tointeger(f))
