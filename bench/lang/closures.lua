-- Closure- and call-heavy code: counters, adders, composition, higher-order calls.
local scale = math.tointeger(tonumber(arg[1] or "1"))
local function make_counter()
  local n = 0
  return function(step) n = n + step return n end
end
local function make_adder(k) return function(x) return x + k end end
local function compose(f, g) return function(x) return f(g(x)) end end
local function apply(f, x, times)
  for _ = 1, times do x = f(x) end
  return x
end
local total = 0
local c = make_counter()
for i = 0, 1000000 // scale - 1 do
  local add = make_adder(i % 10)
  local both = compose(add, make_adder(1))
  total = (total + both(i) + c(1)) % 1000000007
end
local inc2 = compose(make_adder(1), make_adder(1))
total = (total + apply(inc2, 0, 2000000 // scale)) % 1000000007
print(string.format("%d %d", total, c(0)))
