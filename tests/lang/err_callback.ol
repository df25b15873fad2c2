// An error inside a callback shows the library call in the trace.
fn check(x) {
    return 10 // x
}
let r = [5, 2, 0, 1].map(check)
print(r)
