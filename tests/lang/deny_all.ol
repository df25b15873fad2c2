// With --deny-all nothing outside the program is reachable.
fn why(f) {
    try { f() return "allowed (wrong)" } catch e { return e.split(": ").slice(1).join(": ") }
}
print(why(fn() { return time.now() }))
print(why(fn() { return time.monotonic() }))
print(why(fn() { return proc.env("HOME") }))
print(why(fn() { return proc.environ() }))
print(why(fn() { return fs.read("/etc/hostname") }))
print(why(fn() { return db.get("x") }))
print(why(fn() { return random.int(1, 6) }))
print(proc.stdin, proc.args)
print("pure code still runs:", 6 * 7)
