// Functions: parameters, variadics, defaults by hand, return values.
fn sum(...nums) {
    let t = 0
    for n in nums { t += n }
    return t
}
print(sum(), sum(1), sum(1, 2, 3, 4))

fn head_tail(first, ...rest) {
    return format("first={} rest={} n={}", first, rest, len(rest))
}
print(head_tail(1))
print(head_tail(1, 2, 3))
print(type(fn(...r) { return r }()))

// missing arguments are nil; extra arguments are dropped
fn pair(a, b) { return [a, b] }
print(pair(1), pair(1, 2, 3))

// functions are values
let ops = {add: fn(a, b) { return a + b }, mul: fn(a, b) { return a * b }}
for name, f in ops { print(name, f(6, 7)) }
fn apply_n(f, n, x) {
    for _ in range(n) { x = f(x) }
    return x
}
print(apply_n(fn(v) { return v * 2 }, 10, 1))

// no return value gives nil
fn nothing() { let x = 1 }
print(nothing())
fn early(n) {
    if n > 0 { return }
    return "non-positive"
}
print(early(1), early(-1))

// recursion
fn ackermann(m, n) {
    if m == 0 { return n + 1 }
    if n == 0 { return ackermann(m - 1, 1) }
    return ackermann(m - 1, ackermann(m, n - 1))
}
print(ackermann(2, 3))
fn hanoi(n, from, to, via, moves) {
    if n == 0 { return moves }
    hanoi(n - 1, from, via, to, moves)
    moves.push(from + to)
    hanoi(n - 1, via, to, from, moves)
    return moves
}
print(hanoi(3, "A", "C", "B", []).join(" "))

// a function sees itself by name, even when rebound elsewhere
fn countdown(n) { if n == 0 { return "liftoff" } return countdown(n - 1) }
let cd = countdown
print(cd(5))

// arguments are evaluated left to right
let trace = []
fn t(x) { trace.push(x) return x }
fn three(a, b, c) { return a + b + c }
print(three(t(1), t(2), t(3)), trace)
