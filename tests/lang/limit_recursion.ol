// Deep recursion is a catchable "stack overflow", never a C stack overflow.
fn down(n) { return down(n + 1) + 1 }
try {
    down(0)
} catch e {
    print("caught:", e.ends_with("stack overflow"))
}
// the interpreter is usable afterwards, and moderate depth is fine
fn depth(n) { if n == 0 { return 0 } return depth(n - 1) + 1 }
print(depth(500))
// recursion through a library callback is limited as well
fn sorter(l) {
    l.sort(fn(a, b) { sorter([2, 1]) return a < b })
    return l
}
try {
    sorter([3, 1, 2])
} catch e {
    print("caught via sort:", e.contains("stack overflow"))
}
// mutual recursion through closures
let ping = nil
let pong = fn(n) { return ping(n + 1) }
ping = fn(n) { return pong(n + 1) }
try { ping(0) } catch e { print("caught mutual:", e.ends_with("stack overflow")) }
print("done")
