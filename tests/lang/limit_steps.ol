// The step budget is fatal: try/catch cannot catch it.
print("start")
let n = 0
try {
    while true {
        n += 1
    }
} catch e {
    print("caught (wrong):", e)
}
print("unreachable")
