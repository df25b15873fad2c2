// Library corners: conversions, format specs, string and list helpers, math, json text.
// conversions
print(int("0x1F"), int(" 42 "), int("1_000"), int("-0"), int("+7"))
print(float(" 2.5 "), float("1e3"), float("-0.5"), float(3), float("inf"))
for bad in ["", " ", "1.5", "0x", "1__0", "abc", "9223372036854775808"] {
    try { int(bad) print("int accepted", json.encode(bad)) } catch e { print("int rejects", json.encode(bad)) }
}
print(int("-9223372036854775808"), int(-2.5), int(2.5))

// format specs
print(format("[{:^9}] [{:*<6}] [{:->6}] [{:05}] [{:08.3f}]", "mid", "ab", "cd", -42, -3.14159))
print(format("[{:e}] [{:.2e}] [{:g}] [{:b}] [{:o}] [{:X}] [{:d}]", 12345.678, 0.000123, 0.5, 10, 64, 48879, -12))
print(format("[{:.3}] [{:.1}] [{:10.4f}] [{:<5}|] [{:s}]", "abcdef", 2.25, 3.14159265, 7, [1]))

// strings
print("a\nb\r\nc\n".lines(), "".lines(), "x".lines())
print("banana".count("an"), "aaaa".count("aa"), "abc".contains(""), "abc".find("", 2))
print("[" + "  x  ".trim_start() + "]", "[" + "  x  ".trim_end() + "]", "[" + "\t\n x \r".trim() + "]")
print("héllo".ord(), "€".ord(), string.chr(233), string.chr(0x1F600), "A".ord())
print(string.from_bytes([104, 105]), "hé".bytes(), string.from_bytes("hé".bytes()) == "hé")
print("a-b-c-d".replace("-", "+", 2), "aaa".replace("a", "aa"), "x".repeat(-1) == "")
print("a,b".split(","), "a".split(","), ",".split(","), "  lots   of\tspace ".split())
print("abc".sub(1), "abc".sub(-2), "abc".slice(0, -1), "abc".index_of("c"))
print("ab" < "b", "B" < "a", "" == "", "abc".upper().lower())
let bad_utf8 = "a\xffb\xc3"
let pieces = []
for c in bad_utf8 { pieces.push(len(c)) }
print(len(bad_utf8), pieces, len(bad_utf8.chars()))
for i, c in "añb" { print(i, c) }

// lists
let l = [1, 2, 3]
l.extend([4, 5])
l.insert(-1, 99)
print(l, l.remove(-1), l)
let c = l.copy()
c.clear()
print(len(c), len(l))
let acc = [];  // the ";" stops "[3, 4]" below from indexing this list
[3, 4].each(fn(x) { acc.push(x * 10) })
print(acc, [1, 2, 3].reduce(fn(a, b) { return a + b }), [[1], [2]].map(len))
print([3, 1, 2].sort(), ["b", "a", "c"].sort(fn(a, b) { return a > b }), [1, 2, 3].reverse())
print([1, 2, 3].slice(1), [1, 2, 3].slice(-2, -1), [1, "a", nil].contains(nil), [nil].index_of(nil))
print([1, 2].join(), [1, 2].join(" + "), "-".join([]), [2.5, nil, true].join(","))

// maps
let m = {b: 1, a: 2}
print(map.get(m, "a"), map.get(m, "z", "dflt"), map.delete(m, "b"), map.delete(m, "b"), m)
let c2 = map.copy(m)
c2.x = 1
print(m, c2, map.items(c2))

// math
print(math.round(2.5), math.round(-2.5), math.round(2.4), math.round(3.14159, 2), math.trunc(-2.7))
print(math.floor(-2.5), math.ceil(-2.5), math.floor(1e300) == 1e300, type(math.floor(1e300)))
print(math.min([4, 2, 8]), math.max("pear", "apple"), math.sum([1, 2, 3]), math.sum([1, 2.5]), math.sum([]))
print(math.abs(-0.0), math.sqrt(2) * math.sqrt(2) == 2.0, math.log(8, 2), math.log10(1000), math.exp(0))
print(math.maxint, math.minint, math.pi, math.e, math.inf, -math.inf, math.is_nan(math.nan), math.is_inf(math.huge))

// json text details
print(json.encode({"k\"ey": "line\nbreak\ttab\u{1}", "é": "ü", [1]: 2}))
print(json.decode("\"\\u00e9\\ud83d\\ude00\\n\""), json.decode(" [ ] "), json.decode("{}"), json.decode("-0.0"))
print(json.decode("[1e2, 2E-1, 10000000000000000000, -9223372036854775808]"))
print(json.encode([[], {}, [[]]], 1))
print(json.encode({a: {b: []}}, "\t"))
