// Recursive Fibonacci: function calls and integer arithmetic.
let scale = 1
if len(proc.args) > 0 { scale = int(proc.args[0]) }
let n = 30
if scale > 1 { n = 20 }
fn fib(n) {
    if n < 2 { return n }
    return fib(n - 1) + fib(n - 2)
}
print(fib(n))
