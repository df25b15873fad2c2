// Nested arithmetic loops over ints and floats.
let scale = 1
if len(proc.args) > 0 { scale = int(proc.args[0]) }
let n = 2000 // scale
let s = 0
let f = 0.0
for i in range(n) {
    for j in range(n) {
        s = (s + i * j + (i ^ j)) % 1000003
        f += (i * 3 - j) * 0.5
    }
}
print(s, int(f))
