// One huge request (far beyond the cap) fails cleanly and is fatal.
print("start")
try {
    let s = "abc".repeat(1 << 50)
    print("allocated (wrong)", len(s))
} catch e {
    print("caught (wrong):", e)
}
