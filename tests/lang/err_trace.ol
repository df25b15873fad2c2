// An uncaught runtime error prints the message, the line, a caret and a trace.
fn inner(items) {
    return items[5]
}
fn middle(l) {
    return inner(l) + 1
}
fn outer() {
    let data = [1, 2, 3]
    return middle(data)
}
print("before")
outer()
print("after")
