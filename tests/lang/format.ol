// format() with {} placeholders and optional specs.
print(format("{} + {} = {}", 1, 2, 1 + 2))
print(format("name={} list={} nil={} bool={}", "ann", [1, 2], nil, false))
print(format("[{:5}] [{:3}]", 42, 12345))
print(format("{:.2f} {:.0f} {:.3f}", 3.14159, 2.5, 1))
print(format("{:x} {:x}", 255, 4096))
print(format("no placeholders"))
print(format("{{literal}} {}", "braces"))
print("s={}".format(7))
try { format("{} {}", 1) } catch e { print("too few arguments:", type(e)) }
// a table
let rows = [["apples", 3, 0.5], ["kiwis", 12, 0.25], ["melons", 1, 2.75]]
for r in rows { print(format("{:8}|{:4}|{:.2f}", r[0], r[1], r[1] * r[2])) }
