// Edge cases where interpreters often go wrong.

// 1. break/continue/return out of try blocks must not leave stale handlers
fn leave_by_break() {
    for i in range(3) {
        try { if i == 1 { break } } catch e { return "stale handler (wrong)" }
    }
    error("after the loop")
}
try { leave_by_break() } catch e { print(1, e) }
fn leave_by_return() {
    try { return 5 } catch e { }
}
fn after_return() {
    let v = leave_by_return()
    error("raised after " + str(v))
}
try { after_return() } catch e { print(1, e) }
let caught = []
for i in range(4) {
    try {
        if i % 2 == 0 { continue }
        error(i)
    } catch e { caught.push(e) }
}
print(1, caught)
try {
    try { error("inner") } catch e { }
    error("outer")
} catch e { print(1, e) }

// 2. compound assignment evaluates the target's parts once
let calls = 0
fn idx() { calls += 1 return 0 }
let arr = [10]
arr[idx()] += 5
arr[idx()] *= 2
let rec = {n: 1}
fn get_rec() { calls += 1 return rec }
get_rec().n += 41
print(2, arr, rec.n, calls)

// 3. upvalues: closures made in nested blocks and loops, closed at the right time
let makers = []
let k = 0
while k < 3 {
    let local = k * 100
    {
        let inner = local + 1
        makers.push(fn() { inner += 1 return [local, inner] })
    }
    k += 1
}
print(3, makers[0](), makers[0](), makers[2](), makers[1]())
fn counter_pair() {
    let n = 0
    fn inc() { n += 1 return n }
    fn get() { return n }
    return [inc, get]
}
let cp = counter_pair()
cp[0]() cp[0]()
print(3, cp[1]())

// 4. exact int/float comparison at 2**53 and beyond
let big = 9007199254740993
print(4, big == 9007199254740992.0, big > 9007199254740992.0, 9223372036854775807 < 9223372036854775808.0)
print(4, 1 == 1.0, -0.0 == 0, 3 < 3.5, 2 ** 53 == 2.0 ** 53)

// 5. stable sort over many equal keys (beyond small-run sizes)
let items = []
for i in range(100) { items.push({key: i % 3, seq: i}) }
items.sort(fn(a, b) { return a.key < b.key })
let ok = true
for i in range(1, len(items)) {
    let a = items[i - 1]
    let b = items[i]
    if a.key > b.key or (a.key == b.key and a.seq > b.seq) { ok = false }
}
print(5, ok, items[0].seq, items[33].seq, items[34].seq, items[99].seq)
let nums = []
for i in range(200) { nums.push((i * 7919) % 211) }
nums.sort(fn(a, b) { return b - a })
print(5, nums[0], nums[1], nums[199], len(nums))

// 6. map order survives many deletions and re-insertions
let m = {}
for i in range(1000) { m["k" + str(i)] = i }
for i in range(0, 1000, 2) { map.delete(m, "k" + str(i)) }
m.k0 = "back"
let ks = map.keys(m)
print(6, len(m), ks[0], ks[1], ks[499], ks[500])
let sum = 0
for key, v in m { if type(v) == "int" { sum += v } }
print(6, sum)

// 7. strings with NUL bytes and bytewise order
print(7, len("a\0b"), "a\0b" < "a\0c", "a\0" > "a", "\xff" > "a", "é" > "z")

// 8. and/or results used as values and conditions
let x = nil
let y = x or [] 
y.push(1)
print(8, y, false or nil, nil and 1, 0 and "zero is true", (1 < 2) and "yes" or "no")

// 9. deep but legal recursion, and a big list
fn depth(n) { if n == 0 { return 0 } return 1 + depth(n - 1) }
print(9, depth(900))
let big_list = []
for i in range(100000) { big_list.push(i) }
print(9, len(big_list), big_list[99999], big_list[-100000])

// 10. methods on record maps see the map through a closure, not `self`
let obj = {count: 0}
obj.bump = fn(by) { obj.count += by return obj }
obj.bump(2).bump(3)
print(10, obj.count)

// 11. loop variables: closures capture each iteration's own variable, and
// changing the variable does not change the iteration
let fs = []
for i in range(3) { fs.push(fn() { i += 10 return i }) }
print(11, fs[0](), fs[0](), fs[1](), fs[2]())
let seen = []
for i in range(5) { i += 10 seen.push(i) }
for i, x in ["a", "b"] { i = 99 seen.push(i) }
print(11, seen)
let later = []
let w = 0
while w < 3 {
    let captured = w
    w += 1
    if captured == 1 { continue }
    later.push(fn() { return captured })
}
print(11, later.map(fn(f) { return f() }))
