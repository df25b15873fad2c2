// Steps count calls too: a recursion without loops runs out of budget,
// and the trace shows where each frame was.
fn spin(n) {
    return spin2(n + 1)
}
fn spin2(n) {
    if n > 400 { return n }
    return spin(n + 1)
}
print("start")
let total = 0
for i in range(1000) {
    total += spin(0)
}
print("unreachable", total)
