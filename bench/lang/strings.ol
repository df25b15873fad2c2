// String building, joining, splitting and scanning.
let scale = 1
if len(proc.args) > 0 { scale = int(proc.args[0]) }
let n = 200000 // scale
let parts = []
for i in range(n) {
    parts.push("w" + str(i % 1000) + "_" + str(i % 7))
}
let text = parts.join(" ")
let words = text.split(" ")
let total = 0
let hits = 0
for w in words {
    total += len(w)
    if w == "w42_0" { hits += 1 }
}
let acc = ""
for i in range(n // 10) { acc += "ab" }
let upper = text[0:n // 2].upper()
print(len(text), len(words), total, hits, len(acc), len(upper.split("_")))
