// Literals, types, truthiness and the simplest statements.
print(nil, true, false)
print(42, 0x2a, 1_000, 0xff_ff)
print(3.5, 1e3, 2.5e-1)
print("esc:\t|\"q\"|\\|", 'single "quoted"')
print("smile \u{1F600} e-acute \u{e9}")
print(type(nil), type(true), type(1), type(1.0), type("s"))
print(type([]), type({}), type(print), type(fn() {}))

/* truthiness: only nil and false are falsy */
let values = [nil, false, true, 0, 0.0, "", [], {}]
for v in values {
    if v { print(type(v), "truthy") } else { print(type(v), "falsy") }
}

// semicolons are optional, newlines are not significant
let a = 1; let b = 2
let c =
    a +
    b
print(a, b, c)
let d = 10 let e = 20 print(d + e)

// block scope
let x = "outer"
{
    let x = "inner"
    print(x)
    x = "inner changed"
    print(x)
}
print(x)
if true { let y = 5 x = "set from block " + str(y) }
print(x)

// not, and, or return operands
print(not nil, not 0, not false)
print(nil or "default", 0 or "zero wins", false and 1, 1 and 2)
let calls = 0
fn bump() { calls += 1 return true }
let r = false and bump()
r = true or bump()
print("short-circuit calls:", calls)

// len and str
print(len("héllo"), len([1, 2, 3]), len({a: 1, b: 2}))
print(str(12) + str(true) + str(nil) + str(2.5))
