// Closures capture variables by reference (shared upvalues).
fn counter(start) {
    let n = start
    return {
        inc: fn() { n += 1 return n },
        get: fn() { return n },
        reset: fn() { n = start },
    }
}
let c1 = counter(0)
let c2 = counter(100)
c1.inc() c1.inc()
c2.inc()
print(c1.get(), c2.get(), c1.inc())
c1.reset()
print(c1.get(), c2.get())

// two closures share one variable
fn pair() {
    let shared = 0
    let add = fn(k) { shared += k }
    let read = fn() { return shared }
    return [add, read]
}
let p = pair()
p[0](5)
p[0](7)
print(p[1]())

// capture sees later assignments in the enclosing scope
let x = 1
let getx = fn() { return x }
x = 2
print(getx())

// each loop iteration has its own variable
let fns = []
for i in range(3) { fns.push(fn() { return i }) }
let got = []
for f in fns { got.push(str(f())) }
print(got.join(" "))
let fns2 = []
let j = 0
while j < 3 {
    let k = j
    fns2.push(fn() { return k * 10 })
    j += 1
}
print(fns2[0](), fns2[1](), fns2[2]())

// a generator built from a closure
fn fib_gen() {
    let a = 0
    let b = 1
    return fn() {
        let r = a
        let t = a + b
        a = b
        b = t
        return r
    }
}
let g = fib_gen()
let fibs = []
for _ in range(12) { fibs.push(str(g())) }
print(fibs.join(","))

// iterator protocol by hand: a function returning nil when done
fn iter_list(l) {
    let i = 0
    return fn() {
        if i >= len(l) { return nil }
        i += 1
        return l[i - 1]
    }
}
let next = iter_list(["a", "b", "c"])
let item = next()
while item != nil {
    print("item", item)
    item = next()
}

// higher-order functions and composition
fn compose(f, g) { return fn(v) { return f(g(v)) } }
let inc = fn(v) { return v + 1 }
let dbl = fn(v) { return v * 2 }
print(compose(inc, dbl)(5), compose(dbl, inc)(5))
fn curry_add(a) { return fn(b) { return fn(c) { return a + b + c } } }
print(curry_add(1)(2)(3))

// memoisation with a closure over a map
fn memoize(f) {
    let cache = {}
    let hits = 0
    let wrapped = fn(n) {
        if map.has(cache, n) { hits += 1 return cache[n] }
        let v = f(n)
        cache[n] = v
        return v
    }
    return [wrapped, fn() { return hits }]
}
let slow_calls = 0
let m = memoize(fn(n) { slow_calls += 1 return n * n })
print(m[0](4), m[0](4), m[0](5), m[0](4), "calls", slow_calls, "hits", m[1]())

// recursion through a named fn, and mutual recursion through lets
fn fact(n) { if n <= 1 { return 1 } return n * fact(n - 1) }
print(fact(10))
let is_even = nil
let is_odd = fn(n) { if n == 0 { return false } return is_even(n - 1) }
is_even = fn(n) { if n == 0 { return true } return is_odd(n - 1) }
print(is_even(10), is_odd(7), is_even(7))

// a closure outliving several frames
fn outer() {
    let level = "outer"
    fn middle() {
        fn inner() { return level + "/middle/inner" }
        return inner
    }
    return middle()
}
print(outer()())
