// fn declarations are hoisted to the start of their block; let is not.
fn is_even(n) { if n == 0 { return true } return is_odd(n - 1) }
fn is_odd(n) { if n == 0 { return false } return is_even(n - 1) }
print(is_even(10), is_odd(7))

fn tree_sum(t) {
    // sum_children uses walk, which is declared after it in this block
    fn sum_children(node) {
        let s = node.value
        for c in node.children { s += walk(c) }
        return s
    }
    fn walk(node) { return sum_children(node) }
    return sum_children(t)
}
let leaf = fn(v) { return {value: v, children: []} }
print(tree_sum({value: 1, children: [leaf(2), {value: 3, children: [leaf(4)]}]}))

// calling before the fn statement ran: the variable is still nil
fn early() {
    try { return later() } catch e { return e.split(": ").slice(1).join(": ") }
    fn later() { return "too late" }
}
print(early())

// a let declared after a function is not visible in it
fn reads_global() { return counter_value }
let counter_value = 3
try { reads_global() } catch e { print(e.split(": ").slice(1).join(": ")) }
