// Model-based check of maps: random sets and deletes (with a seeded
// generator) against a slow but obvious model (a list of [key, value]
// pairs kept in insertion order). Run under a small memory cap so that the
// collector runs often while the map grows, shrinks and is rebuilt.
let seed = 42
fn rand(n) {
    seed = (seed * 1103515245 + 12345) % 2147483648
    return (seed // 65536) % n
}
fn model_find(model, k) {
    for i, pair in model { if pair[0] == k { return i } }
    return -1
}
fn key_of(r) {
    if r % 3 == 0 { return "s" + str(r) }
    if r % 3 == 1 { return r }
    return r + 0.5
}
let m = {}
let model = []
let checks = 0
let mismatches = 0
for step in range(6000) {
    let k = key_of(rand(150))
    let op = rand(10)
    if op < 6 {
        m[k] = step
        let i = model_find(model, k)
        if i >= 0 { model[i][1] = step } else { model.push([k, step]) }
    } else if op < 9 {
        map.delete(m, k)
        let i = model_find(model, k)
        if i >= 0 { model.remove(i) }
    } else {
        let i = model_find(model, k)
        let want = nil
        if i >= 0 { want = model[i][1] }
        if m[k] != want or map.has(m, k) != (i >= 0) { mismatches += 1 }
    }
    if step % 250 == 0 or step == 5999 {
        checks += 1
        let items = map.items(m)
        if len(items) != len(model) or len(m) != len(model) {
            mismatches += 1
        } else {
            for i, pair in items {
                if pair[0] != model[i][0] or pair[1] != model[i][1] { mismatches += 1 }
            }
        }
        // iteration agrees with map.items
        let j = 0
        for key, v in m {
            if key != model[j][0] or v != model[j][1] { mismatches += 1 }
            j += 1
        }
    }
}
print("checks:", checks, "mismatches:", mismatches, "final size:", len(m))
