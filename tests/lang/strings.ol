// String functions, methods and UTF-8 iteration.
let s = "Hello, World"
print(len(s), s.len(), string.len(s))
print(s.upper(), s.lower(), string.upper("mixed Case 123"))
print(s.find("World"), s.find("o"), s.find("xyz"), s.find("o", 5))
print(s.starts_with("Hell"), s.ends_with("World"), s.starts_with("World"))
print("[" + "  padded \t\n".trim() + "]")
print("a-b-c".replace("-", "+"), "aaa".replace("a", "bb"), "none".replace("x", "y"))
print("ab".repeat(3), "x".repeat(0) == "")
let parts = "one,two,,three".split(",")
print(len(parts), parts[0], parts[2] == "", parts[3])
print("a b  c".split(" ").join("|"))
print(["x", "y", "z"].join(", "))
print(string.join("/", ["p", "q"]), "-".join(["r", "s", 1]))

// slicing by bytes, negative indices count from the end
let w = "abcdef"
print(w[0:3], w[3:], w[:2], w[-2:], w[:-1], w[1:-1])
print(w[4:2] == "", w[0:100], w[-100:2])
print(w.sub(1, 4), w.slice(2, 5), w[2])

// UTF-8: for iterates code points, chars() returns them, bytes() returns bytes
let u = "añ€😀"
print(len(u))
let seen = []
for c in u { seen.push(c) }
print(len(seen), seen.join("|"))
print(u.chars().join(","))
print("hé".bytes().map(str).join(" "))
let count = 0
for c in "ü mañana ü" { if c == "ü" { count += 1 } }
print("umlauts:", count)

// strings are immutable values: equality by content
let p = "ab" + "cd"
print(p == "abcd", p != "abce", "abc" == "ab" + "c")

// building a string in a loop
let acc = ""
for i in range(5) { acc += str(i) }
print(acc)

// reverse words, capitalise
fn capitalise(word) {
    if len(word) == 0 { return word }
    return word[0:1].upper() + word[1:]
}
let sentence = "the quick brown fox"
let words = sentence.split(" ")
let out = []
for i in range(len(words) - 1, -1, -1) { out.push(capitalise(words[i])) }
print(out.join(" "))

// a string method on a non-string is not found
try {
    let n = 5
    n.upper()
} catch e {
    print("caught:", type(e))
}
