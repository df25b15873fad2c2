// Lots of short-lived garbage under a small memory cap: the collector must
// reclaim it, and live data (including data reachable only from closures
// and upvalues) must survive every collection intact.
let keep = {}
for i in range(500) { keep["k" + str(i)] = [i, str(i * i)] }
fn make_holder(v) { let held = {value: v} return fn() { return held.value } }
let holders = []
for i in range(50) { holders.push(make_holder("held" + str(i))) }
let checksum = 0
for round in range(200) {
    let tmp = []
    for j in range(100) {
        tmp.push("garbage-" + str(round) + "-" + str(j))
    }
    let joined = tmp.join(",")
    checksum = (checksum + len(joined)) % 1000003
    let m = {}
    for j in range(20) { m[j] = [j, j * 2, {nested: tmp[j]}] }
    checksum = (checksum + len(m)) % 1000003
}
let ok = true
for i in range(500) {
    let v = keep["k" + str(i)]
    if v[0] != i or v[1] != str(i * i) { ok = false }
}
let held_ok = true
for i, h in holders { if h() != "held" + str(i) { held_ok = false } }
print(checksum, ok, held_ok, len(keep))
