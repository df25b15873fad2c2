// error(), try/catch, nesting, rethrow, errors from callbacks.
try {
    error("plain message")
} catch e {
    print("1:", e)
}

// any value can be thrown and is caught unchanged
try {
    error({code: 404, what: "not found"})
} catch e {
    print("2:", type(e), e.code, e.what)
}
try { error(42) } catch e { print("3:", e + 1) }
try { error(nil) } catch e { print("4:", e) }
let thrown = [1, 2]
try { error(thrown) } catch e { print("5:", e == thrown) }

// nested try: inner catches, outer does not see it
try {
    try {
        error("inner")
    } catch e {
        print("6: inner caught", e)
    }
    print("6: after inner")
} catch e {
    print("6: outer caught (wrong)", e)
}

// rethrow with context
fn load(name) {
    try {
        error("missing " + name)
    } catch e {
        error("load failed: " + e)
    }
}
try { load("cfg") } catch e { print("7:", e) }

// error inside the catch block propagates
try {
    try { error("a") } catch e { error(e + "b") }
} catch e {
    print("8:", e)
}

// errors thrown by callbacks pass through library functions
fn check_positive(x) {
    if x < 0 { error(format("negative: {}", x)) }
    return x
}
try {
    let r = [1, 2, -3, 4].map(check_positive)
    print("9: no error (wrong)", len(r))
} catch e {
    print("9:", e)
}
try {
    [3, 1, 2].sort(fn(a, b) { error("cmp refuses") })
} catch e {
    print("10:", e)
}
try {
    [1, 2, 3].reduce(fn(acc, x) { if x == 3 { error({at: x}) } return acc + x }, 0)
} catch e {
    print("11:", e.at)
}

// runtime errors caught as "FILE:LINE:COL: message" strings
fn div(a, b) { return a // b }
try { div(1, 0) } catch e { print("12:", e) }
try { let s = "a" + 1 } catch e { print("13:", e) }
try { let l = [1, 2, 3] l[3] = 0 } catch e { print("14:", e) }
try { let f = nil f() } catch e { print("15:", e) }
try { let v = 1 < "2" } catch e { print("16:", e) }
try { let q = 1.5 + [1] } catch e { print("17:", e) }

// unwinding restores state: loops and functions continue normally
let log = []
for i in range(5) {
    try {
        if i % 2 == 1 { error(i) }
        log.push("ok" + str(i))
    } catch e {
        log.push("err" + str(e))
        continue
    }
    log.push("after" + str(i))
}
print("18:", log.join(" "))

// return from inside try returns from the function
fn early() {
    try {
        return "returned from try"
    } catch e {
        return "wrong"
    }
    return "fell through"
}
print("19:", early())

// deep error from a recursive call unwinds every frame
fn dive(n) {
    if n == 0 { error("bottom") }
    return dive(n - 1) + 1
}
try { dive(50) } catch e { print("20:", e) }

// assert
try { assert(1 == 1, "fine") assert(1 == 2, "math is broken") } catch e { print("21:", e) }
try { assert(false) } catch e { print("22:", type(e)) }
