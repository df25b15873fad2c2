// Assigning an undeclared name inside a closure.
fn outer() {
    let total = 0
    return fn(x) {
        totl += x
        return total
    }
}
