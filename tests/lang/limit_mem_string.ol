// Doubling a string until the memory cap: fatal, never a crash.
print("start")
let s = "x"
try {
    while true {
        s = s + s
    }
} catch e {
    print("caught (wrong):", e)
}
print("unreachable")
