print("hello", 1, 2.5, nil, true, [1, "a", [2]], {name: "x", "two words": 2, [1+1]: 3})
let x = 10
fn fib(n) { if n < 2 { return n } return fib(n - 1) + fib(n - 2) }
print(fib(20))
let l = []
for i in range(5) { l.push(i * i) }
print(l, len(l))
for i, v in l { if i == 2 { continue } print(i, v) }
let m = {a: 1, b: 2}
for k, v in m { print(k, v) }
print("héllo".upper(), "a,b,c".split(","))
let s = 0
while s < 100 { s += 7 }
print(s, 7 // 2, 7 / 2, -7 // 2, -7 % 3, 2 ** 10, -2 ** 2, 0.1, 1.0, 1e20)
fn counter() { let c = 0; return fn() { c += 1; return c } }
let c1 = counter()
c1(); c1()
print(c1())
try { error("boom") } catch e { print("caught", e) }
try { let z = 1 + "a" } catch e { print("caught", e) }
print(format("{} + {} = {:5}|{:.2f}|{:x}", 1, 2, 3, 3.14159, 255))
fn va(a, ...rest) { return [a, rest] }
print(va(1, 2, 3), va(1))
for ch in "héllo" { print(ch) }
print("abcdef"[1:3], [1,2,3,4][-2:], "abc"[-1])
print(json.encode({a: [1, 2.5, "x"], b: nil}), json.decode("{\"x\": [1, 2, {\"y\": true}]}"))
print(type(1), type(1.0), type("s"), type([]), type({}), type(print), type(fib))
print([3,1,2].sort(), [3,1,2].sort(fn(a, b) { return a > b }))
