// break outside a loop is a compile error.
fn f() {
    break
}
