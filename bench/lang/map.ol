// A map with 1M inserts and 2M lookups (scattered int keys, half of the probes miss).
let scale = 1
if len(proc.args) > 0 { scale = int(proc.args[0]) }
let m = {}
let n = 1000000 // scale
for i in range(n) {
    m[(i * 2654435761) % 4294967296] = i
}
let sum = 0
let found = 0
for i in range(n) {
    sum += m[(i * 2654435761) % 4294967296]
    let v = m[(i * 2654435761) % 4294967296 + 1]
    if v != nil { found += 1 }
}
print(len(m), sum, found)
