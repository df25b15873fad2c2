// Scoping: block scope, shadowing, let initialisers, function-local names.
let a = "top"
fn show_a() { return a }
{
    let a = "block"
    print(a, show_a())
    {
        let a = a + "+inner"
        print(a)
    }
    print(a)
}
print(a)

// let x = x refers to the outer x
let v = 1
{
    let v = v + 10
    print(v)
}
print(v)

// names declared in if/while/for bodies do not leak
let count = 0
for i in range(3) {
    let sq = i * i
    count += sq
}
print(count)
if true { let hidden = 1 }
let hidden = "outer hidden"
print(hidden)

// functions declared in a block are local to it, and see the block's names
{
    let base = 100
    fn add_base(x) { return x + base }
    print(add_base(5))
    base = 200
    print(add_base(5))
}

// parameters shadow outer names; assigning a parameter does not change the caller
let p = [1]
let q = 5
fn change(p, q) {
    p.push(2)
    q = 99
    p = "rebound"
    return [p, q]
}
print(change(p, q), p, q)

// globals from the library can be shadowed locally
{
    let print = fn(...args) { proc.stdout.write("custom: " + args.map(str).join("|") + "\n") }
    print(1, 2, 3)
}
print("builtin again")
let len = fn(x) { return 42 }
print(len([1, 2]))
