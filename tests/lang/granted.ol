// Standalone orion-lang grants the clock and the environment by default.
let t0 = time.monotonic()
let t1 = time.monotonic()
print(type(t0) == "int" or type(t0) == "float", t1 >= t0)
print(time.now() > 1600000000)
print(proc.env("ORION_GOLDEN_UNSET_VARIABLE"))
// randomness is never granted by orion-lang
try { print(random.int(1, 6)) } catch e { print("no randomness:", e.ends_with("undefined variable random")) }
