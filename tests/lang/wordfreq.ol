// Word frequency: split text, normalise, count, sort by count then word.
let text = "It was the best of times, it was the worst of times; it was the age
of wisdom, it was the age of foolishness. It was the epoch of belief -- it was
the epoch of incredulity! The season of Light, the season of Darkness."

fn is_letter(c) { return (c >= "a" and c <= "z") or c == "'" }

fn words_of(s) {
    let out = []
    let cur = ""
    for c in s.lower() {
        if is_letter(c) {
            cur += c
        } else if cur != "" {
            out.push(cur)
            cur = ""
        }
    }
    if cur != "" { out.push(cur) }
    return out
}

let words = words_of(text)
print("words:", len(words))
let freq = {}
for w in words { freq[w] = (freq[w] or 0) + 1 }
print("distinct:", len(freq))

// first-seen order (maps keep insertion order)
print(map.keys(freq).slice(0, 8).join(" "))

let entries = map.items(freq)
entries.sort(fn(a, b) {
    if a[1] != b[1] { return a[1] > b[1] }
    return a[0] < b[0]
})
for i in range(6) {
    let e = entries[i]
    print(" ".repeat(8 - len(e[0])) + e[0], e[1])
}

// longest words, ties in first-seen order thanks to the stable sort
let uniq = map.keys(freq)
uniq.sort(fn(a, b) { return len(a) > len(b) })
print(uniq.slice(0, 4).join(", "))

// a histogram line per count
let by_count = {}
for w, n in freq {
    let k = str(n)
    if by_count[k] == nil { by_count[k] = [] }
    by_count[k].push(w)
}
for n, ws in by_count { print(n + ":", len(ws)) }
