// Closure- and call-heavy code: counters, adders, composition, higher-order calls.
let scale = 1
if len(proc.args) > 0 { scale = int(proc.args[0]) }
fn make_counter() {
    let n = 0
    return fn(step) { n += step return n }
}
fn make_adder(k) { return fn(x) { return x + k } }
fn compose(f, g) { return fn(x) { return f(g(x)) } }
fn apply(f, x, times) {
    for i in range(times) { x = f(x) }
    return x
}
let total = 0
let c = make_counter()
for i in range(1000000 // scale) {
    let add = make_adder(i % 10)
    let both = compose(add, make_adder(1))
    total = (total + both(i) + c(1)) % 1000000007
}
let inc2 = compose(make_adder(1), make_adder(1))
total = (total + apply(inc2, 0, 2000000 // scale)) % 1000000007
print(total, c(0))
