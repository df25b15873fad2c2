// JSON: encode a large document, decode it, encode the result again.
let scale = 1
if len(proc.args) > 0 { scale = int(proc.args[0]) }
let n = 20000 // scale
let doc = {count: n, items: []}
for i in range(n) {
    doc.items.push({
        a_id: i,
        b_name: "item \"" + str(i) + "\"",
        c_tags: ["t" + str(i % 5), "x", "long tag text here"],
        d_score: i + 0.5,
        e_meta: {active: i % 2 == 0, parent: i // 3, path: "/a/b\\c"},
    })
}
let text = json.encode(doc)
let back = json.decode(text)
let text2 = json.encode(back)
let ids = 0
let score2 = 0
let active = 0
let t3 = 0
for it in back.items {
    ids += it.a_id
    score2 += int(it.d_score * 2)
    if it.e_meta.active { active += 1 }
    if it.c_tags[0] == "t3" { t3 += 1 }
}
let same = 0
if text == text2 { same = 1 }
print(back.count, ids, score2, active, t3, same)
