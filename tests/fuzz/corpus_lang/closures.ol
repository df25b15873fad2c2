let fns = []
for i in range(3) { fns.push(fn() { return i * 2 }) }
fn mk() { let c = 0 return fn() { c += 1 return c } }
let k = mk()
k() k()
print(k(), fns.map(fn(f) { return f() }))
let l = [5, 3, 9, 1]
l.sort(fn(a, b) { return a > b })
print(l, l.reduce(fn(a, b) { return a + b }, 0), 2 ** 10, 7 // 2, -7 % 3)
while true { break }
