fn f(n) { if n == 0 { error({code: n}) } return f(n - 1) }
try { f(5) } catch e { print(e.code) }
let m = {a: 1}
m.b = [1, 2, 3][1:]
for k, v in m { print(k, v) }
let s = "héllo wörld"
for c in s { print(c) }
print(json.encode(json.decode("[1, 2.5, {\"x\": null}]"), 2))
print(format("{:>8.3f}|{:x}|{}", 3.14159, 255, [1]))
