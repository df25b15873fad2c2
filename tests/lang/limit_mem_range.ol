// range() as a value builds a list: an enormous one hits the memory cap,
// while a range loop of the same size needs no memory (it is cut short here).
let n = 0
for i in range(1 << 40) {
    n += 1
    if n == 1000 { break }
}
print("loop ran", n)
let r = range(1 << 40)
print("built (wrong)", len(r))
