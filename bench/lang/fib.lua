-- Recursive Fibonacci: function calls and integer arithmetic.
local scale = math.tointeger(tonumber(arg[1] or "1"))
local n = scale > 1 and 20 or 30
local function fib(n)
  if n < 2 then return n end
  return fib(n - 1) + fib(n - 2)
end
print(fib(n))
