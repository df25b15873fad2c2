// UTF-8 text processing: code point counts, reversing, wrapping to a width
// measured in code points, and a byte-level encoder checked against the
// built-in strings.
fn cp_len(s) { return len(s.chars()) }
fn reverse(s) {
    let cs = s.chars()
    cs.reverse()
    return cs.join("")
}
let samples = ["hello", "héllo wörld", "日本語テキスト", "emoji 😀🎉!", ""]
for s in samples {
    print(format("{:2} bytes {:2} code points | {} | {}", len(s), cp_len(s), reverse(s), s.upper()))
}

// wrap a paragraph to 16 code points per line
fn wrap(text, width) {
    let lines = []
    let cur = ""
    for word in text.split() {
        if cur == "" {
            cur = word
        } else if cp_len(cur) + 1 + cp_len(word) <= width {
            cur += " " + word
        } else {
            lines.push(cur)
            cur = word
        }
    }
    if cur != "" { lines.push(cur) }
    return lines
}
let para = "Ångström på fjällen: blåbär, smörgås och kaffe — det är svensk sommar för mig."
for line in wrap(para, 16) {
    let pad = " ".repeat(16 - cp_len(line))
    print("|" + line + pad + "|")
}

// encode code points to UTF-8 by hand and compare with string.chr
fn encode(cp) {
    if cp < 0x80 { return [cp] }
    if cp < 0x800 { return [0xC0 | (cp >> 6), 0x80 | (cp & 0x3F)] }
    if cp < 0x10000 {
        return [0xE0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3F), 0x80 | (cp & 0x3F)]
    }
    return [0xF0 | (cp >> 18), 0x80 | ((cp >> 12) & 0x3F), 0x80 | ((cp >> 6) & 0x3F), 0x80 | (cp & 0x3F)]
}
let ok = 0
for cp in [0x24, 0xA2, 0x939, 0x20AC, 0xD55C, 0x10348, 0x1F600, 0x10FFFF] {
    let mine = string.from_bytes(encode(cp))
    if mine == string.chr(cp) and mine.ord() == cp and len(mine.chars()) == 1 { ok += 1 }
}
print("encoder agrees on", ok, "of 8")

// decode by hand: count code points by skipping continuation bytes
fn count_cps(s) {
    let n = 0
    for b in s.bytes() { if b & 0xC0 != 0x80 { n += 1 } }
    return n
}
let all_ok = true
for s in samples { if count_cps(s) != cp_len(s) { all_ok = false } }
print("continuation-byte count agrees:", all_ok)
