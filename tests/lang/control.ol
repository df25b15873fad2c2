// Control flow: if/else if chains, while, for forms, break and continue.
fn classify(n) {
    if n < 0 { return "negative" }
    else if n == 0 { return "zero" }
    else if n < 10 { return "small" }
    else { return "large" }
}
print(classify(-5), classify(0), classify(7), classify(100))

// while with break and continue
let i = 0
let odds = []
while true {
    i += 1
    if i > 15 { break }
    if i % 2 == 0 { continue }
    odds.push(i)
}
print(odds)

// range forms
let r = []
for x in range(5) { r.push(x) }
for x in range(10, 13) { r.push(x) }
for x in range(20, 10, -4) { r.push(x) }
for x in range(0, 10, 3) { r.push(x) }
for x in range(3, 3) { r.push("never") }
print(r)

// for over lists with and without index, maps with key/value
for i, v in ["x", "y"] { print(i, v) }
for k, v in {one: 1, two: 2} { print(k, v) }
for k in {first: 1, second: 2} { print("key", k) }

// nested loops: break and continue affect the innermost loop only
let found = []
for a in range(1, 20) {
    for b in range(a, 20) {
        if b * b > 400 { break }
        let c2 = a * a + b * b
        let c = int(math.sqrt(c2))
        if c * c != c2 { continue }
        if c >= 20 { continue }
        found.push(format("{}-{}-{}", a, b, c))
    }
}
print(found.join(" "))

// modifying the loop variable does not change the iteration
let seen = []
for k in range(4) { seen.push(k) k = 100 }
print(seen)

// collatz with while
fn collatz(n) {
    let steps = 0
    while n != 1 {
        if n % 2 == 0 { n = n // 2 } else { n = 3 * n + 1 }
        steps += 1
    }
    return steps
}
let best = 0
let best_n = 0
for n in range(1, 1000) {
    let s = collatz(n)
    if s > best { best = s best_n = n }
}
print("collatz", best_n, best)

// FizzBuzz, compactly
let fb = []
for n in range(1, 16) {
    if n % 15 == 0 { fb.push("FizzBuzz") }
    else if n % 3 == 0 { fb.push("Fizz") }
    else if n % 5 == 0 { fb.push("Buzz") }
    else { fb.push(str(n)) }
}
print(fb.join(","))

// sieve of Eratosthenes
let limit = 60
let composite = []
for _ in range(limit + 1) { composite.push(false) }
let primes = []
for p in range(2, limit + 1) {
    if composite[p] { continue }
    primes.push(p)
    let m = p * p
    while m <= limit { composite[m] = true m += p }
}
print(primes)
