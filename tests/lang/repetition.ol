// Many iterations of things that must not leak or drift: try/catch in a
// loop, closures made per iteration, map churn, string building.
let n = 0
for i in range(200000) {
    try {
        if i % 2 == 0 { error(i) }
        n += 1
    } catch e {
        n += 2
    }
}
print("try loop:", n)

// a failing comparator leaves the list as it was
let l = []
for i in range(1000) { l.push((i * 37) % 1000) }
let before = l.join(",")
try { l.sort(fn(a, b) { if a == 500 { error("boom") } return a < b }) } catch e { print("sort:", e) }
print("unchanged:", l.join(",") == before)
l.sort()
print("sorted:", l[0], l[500], l[999])

// powers near the int limits
print((-2) ** 63, (-3) ** 39, (-1) ** 1000001, 0 ** 5, 1 ** -1)

// delete everything, then insert again: order starts afresh
let m = {}
for i in range(50000) { m[i] = i }
for i in range(50000) { map.delete(m, i) }
print("empty:", len(m), m)
for k in ["z", "y", 3, 2.0, true] { m[k] = 1 }
print(map.keys(m))

// closures per iteration, called much later
let fs = []
for i in range(10000) { fs.push(fn() { return i * 2 }) }
let total = 0
for f in fs { total += f() }
print("closures:", total)

// string building
let s = ""
for i in range(20000) { s += "ab" }
let parts = []
for i in range(20000) { parts.push("ab") }
print("strings:", len(s), s == parts.join(""))
