// 64-bit integer overflow is an error, never a silent wrap.
let max = 9223372036854775807
let min = -max - 1

fn attempt(name, f) {
    try {
        let r = f()
        print(name, "=", r)
    } catch e {
        // a caught runtime error is the string "FILE:LINE:COL: message"
        let parts = e.split(": ")
        print(name, "->", parts[len(parts) - 1])
    }
}

attempt("max + 1", fn() { return max + 1 })
attempt("min - 1", fn() { return min - 1 })
attempt("max * 2", fn() { return max * 2 })
attempt("min * -1", fn() { return min * -1 })
attempt("-min", fn() { return -min })
attempt("max - 1", fn() { return max - 1 })
attempt("min + max", fn() { return min + max })
attempt("2 ** 63", fn() { return 2 ** 63 })
attempt("2 ** 62", fn() { return 2 ** 62 })
attempt("max += 1", fn() { let m = max m += 1 return m })
attempt("float is fine", fn() { return float(max) * 2.0 > 1e19 })

// factorial until it no longer fits
let f = 1
let n = 1
let last = 0
try {
    while true {
        f *= n
        last = n
        n += 1
    }
} catch e {
    print("largest factorial that fits: " + str(last) + "! =", f)
}

// the message carries the position of the operator
try {
    let z = max
    z = z + 1
} catch e {
    print(e)
}
