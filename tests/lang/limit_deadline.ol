// The wall-clock deadline is fatal, even inside try.
print("start")
try {
    let i = 0
    while true { i += 1 }
} catch e {
    print("caught (wrong):", e)
}
