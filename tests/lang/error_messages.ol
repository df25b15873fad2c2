// The text of runtime error messages. Each case runs in its own try and
// prints the caught string without the "FILE:LINE:COL: " prefix; the
// positions are checked separately at the end.
fn msg(f) {
    try {
        f()
        return "no error"
    } catch e {
        if type(e) != "string" { return "non-string: " + str(e) }
        // drop the "error_messages.ol:LINE:COL: " of runtime errors
        if not e.starts_with("error_messages.ol:") { return "unlocated: " + e }
        return e.split(": ").slice(1).join(": ")
    }
}
let cases = [
    // arithmetic and type errors
    fn() { return "a" + 1 },
    fn() { return 1 - "a" },
    fn() { return [] * 2 },
    fn() { return nil / 2 },
    fn() { return ({}) // 2 },
    fn() { return true % 2 },
    fn() { return "x" ** 2 },
    fn() { return 1.5 & 1 },
    fn() { return ~"s" },
    fn() { return -"s" },
    fn() { return 1 // 0 },
    fn() { return 1 % 0 },
    fn() { return 9223372036854775807 + 1 },
    fn() { return (-9223372036854775807 - 1) // -1 },
    fn() { return 1 < "2" },
    fn() { return [1] < [2] },
    // indexing, fields, calls
    fn() { return [1, 2, 3][3] },
    fn() { return [1, 2, 3][-4] },
    fn() { return [1, 2, 3]["0"] },
    fn() { return "abc"[5] },
    fn() { let s = "abc" s[0] = "x" },
    fn() { return (5)[0] },
    fn() { let n = 5 n[0] = 1 },
    fn() { return nil.name },
    fn() { let n = 5 n.name = 1 },
    fn() { return [1][0:"x"] },
    fn() { return (5)[1:2] },
    fn() { let m = {} m[[1]] = 1 },
    fn() { let m = {} m[nil] = 1 },
    fn() { let m = {} m[0.0 / 0.0] = 1 },
    fn() { return {}.nothing() },
    fn() { return {f: 1}.f() },
    fn() { return (5).upper() },
    fn() { return "s".nothing() },
    fn() { let f = 5 f() },
    fn() { for x in 5 { } },
    fn() { return undefined_global_name },
    fn() { for i in range(1, 10, 0) { } },
    fn() { for i in range("a") { } },
    // library argument errors
    fn() { return len(5) },
    fn() { return string.upper(5) },
    fn() { return string.split("a,b", "") },
    fn() { return string.replace("abc", "", "x") },
    fn() { return list.push(5, 1) },
    fn() { return list.pop([]) },
    fn() { return list.insert([1], 5, 0) },
    fn() { return list.remove([1], 1) },
    fn() { return list.reduce([], fn(a, b) { return a }) },
    fn() { return [2, 1].sort(fn(a, b) { return "yes" }) },
    fn() { return [1].map(5) },
    fn() { return map.keys([]) },
    fn() { return map.has({}, [1]) },
    fn() { return math.min() },
    fn() { return math.abs(-9223372036854775807 - 1) },
    fn() { return range(1, 2, 0) },
    fn() { return str() },
    fn() { return int("12x") },
    fn() { return int(0.0 / 0.0) },
    fn() { return int(1e300) },
    fn() { return int([]) },
    fn() { return float("abc") },
    fn() { return string.from_bytes([256]) },
    fn() { return string.chr(-1) },
    fn() { return string.ord("") },
    // format
    fn() { return format("{} {}", 1) },
    fn() { return format("{:f}", "s") },
    fn() { return format("{:x}", 1.5) },
    fn() { return format("a } b") },
    fn() { return format("{:q}", 1) },
    // json
    fn() { return json.decode("[1, 2") },
    fn() { return json.decode("{\"a\" 1}") },
    fn() { return json.decode("[1,]") },
    fn() { return json.decode("01") },
    fn() { return json.decode("\"a\\qb\"") },
    fn() { return json.decode("{}\n x") },
    fn() { return json.decode("[\n  tru\n]") },
    fn() { return json.encode(print) },
    fn() { return json.encode(1.0 / 0.0) },
    fn() { let l = [] l.push(l) return json.encode(l) },
    // assert and error
    fn() { assert(false) },
    fn() { assert(nil, "custom text") },
    fn() { error("raised string") },
]
for i, c in cases { print(i, msg(c)) }

// positions: operator, index bracket, callee, method name, field name
let where = []
for f in [fn() { return 1 +
                 "x" },
          fn() { let l = []
                 return l  [0] },
          fn() { return len(5) },
          fn() { return "s".nothing() },
          fn() { return nil.field },
          fn() { for x in 5 { } },
          fn() { let n = 5 n.k = 1 },
          fn() { return -"s" },
          fn() { let l = [1] l[5] = 1 },
          fn() { return (5)[1:2] }] {
    try { f() } catch e { where.push(e.split(": ")[0]) }
}
print(where.join(" "))
