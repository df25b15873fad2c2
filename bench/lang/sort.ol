// Sorting 1M pseudo-random ints with a comparator function.
let scale = 1
if len(proc.args) > 0 { scale = int(proc.args[0]) }
let n = 1000000 // scale
let xs = []
let seed = 12345
for i in range(n) {
    seed = (seed * 1103515245 + 12345) % 2147483648
    xs.push(seed % 1000000)
}
xs.sort(fn(a, b) { return a > b })
let check = 0
for i in range(0, n, 1000) { check = (check * 31 + xs[i]) % 1000000007 }
print(xs[0], xs[n - 1], check)
