// Arbitrary-precision naturals as little-endian lists of base-10^4 limbs:
// add, multiply, compare, to-string; used for 50!, 2**200 and fib(300).
let BASE = 10000
fn big(n) {
    let limbs = []
    if n == 0 { return [0] }
    while n > 0 { limbs.push(n % BASE) n = n // BASE }
    return limbs
}
fn trim(a) {
    while len(a) > 1 and a[-1] == 0 { a.pop() }
    return a
}
fn add(a, b) {
    let r = []
    let carry = 0
    for i in range(math.max(len(a), len(b))) {
        let s = carry
        if i < len(a) { s += a[i] }
        if i < len(b) { s += b[i] }
        r.push(s % BASE)
        carry = s // BASE
    }
    if carry > 0 { r.push(carry) }
    return r
}
fn mul(a, b) {
    let r = []
    for _ in range(len(a) + len(b)) { r.push(0) }
    for i, x in a {
        let carry = 0
        for j, y in b {
            let cur = r[i + j] + x * y + carry
            r[i + j] = cur % BASE
            carry = cur // BASE
        }
        let k = i + len(b)
        while carry > 0 {
            let cur = r[k] + carry
            r[k] = cur % BASE
            carry = cur // BASE
            k += 1
        }
    }
    return trim(r)
}
fn cmp(a, b) {
    if len(a) != len(b) { return len(a) - len(b) }
    for i in range(len(a) - 1, -1, -1) {
        if a[i] != b[i] { return a[i] - b[i] }
    }
    return 0
}
fn to_str(a) {
    let s = str(a[-1])
    for i in range(len(a) - 2, -1, -1) { s += format("{:04}", a[i]) }
    return s
}
let f = big(1)
for i in range(2, 51) { f = mul(f, big(i)) }
print("50! =", to_str(f))
let p = big(1)
for _ in range(200) { p = mul(p, big(2)) }
print("2**200 =", to_str(p))
let a = big(0)
let b = big(1)
for _ in range(300) {
    let t = add(a, b)
    a = b
    b = t
}
print("fib(300) =", to_str(a))
// cross-check with native ints where they fit
let ok = true
for n in [0, 1, 9999, 10000, 123456789, 9223372036854775807] {
    if to_str(big(n)) != str(n) { ok = false }
}
print("round trip:", ok, cmp(big(10000), big(9999)) > 0, cmp(f, f) == 0, cmp(big(5), f) < 0)
let sorted = [f, big(7), p, big(0), a]
sorted.sort(fn(x, y) { return cmp(x, y) })
print(sorted.map(fn(x) { return len(to_str(x)) }))
