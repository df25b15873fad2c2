// An unclosed block is reported at its opening brace.
fn main() {
    if true {
        print("never closed")
}
