// Changing a map while iterating over it: every entry present when the
// loop reaches it is visited once, in insertion order; entries added during
// the loop are visited after the older ones; deleted entries are skipped.
let m = {}
for i in range(8) { m[i] = i }
let seen = []
for k, v in m {
    seen.push(k)
    if k < 8 { map.delete(m, k) m[k + 100] = v }
    if len(seen) > 40 { break }
}
print(seen)
print(m)

// deleting entries ahead of the loop position skips them
let d = {a: 1, b: 2, c: 3, d: 4, e: 5}
let visited = []
for k in d {
    visited.push(k)
    if k == "a" { map.delete(d, "c") }
}
print(visited, map.keys(d))

// a stable view with map.keys: changes do not affect the loop
let s = {x: 1, y: 2, z: 3}
let order = []
for k in map.keys(s) {
    order.push(k)
    map.delete(s, k)
    s[k + k] = 0
}
print(order, map.keys(s))
