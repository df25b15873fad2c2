// Integer overflow, uncaught.
fn grow(n) {
    let x = 1
    for i in range(n) { x = x * 3 }
    return x
}
print(grow(39))
print(grow(40))
