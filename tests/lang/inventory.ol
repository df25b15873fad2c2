// An inventory with validation errors, transactions and rollback.
fn new_inventory() {
    let stock = {}
    let log = []
    let inv = {}
    inv.add = fn(item, qty) {
        if type(qty) != "int" or qty <= 0 { error({kind: "bad-qty", item: item, qty: qty}) }
        stock[item] = (stock[item] or 0) + qty
        log.push(format("+{} {}", qty, item))
    }
    inv.take = fn(item, qty) {
        let have = stock[item] or 0
        if qty > have { error({kind: "short", item: item, want: qty, have: have}) }
        stock[item] = have - qty
        if stock[item] == 0 { map.delete(stock, item) }
        log.push(format("-{} {}", qty, item))
    }
    // apply all operations or none
    inv.batch = fn(ops) {
        let saved = {}
        for k, n in stock { saved[k] = n }
        let saved_log = len(log)
        try {
            for op in ops {
                if op[0] == "add" { inv.add(op[1], op[2]) } else { inv.take(op[1], op[2]) }
            }
        } catch e {
            for k in map.keys(stock) { map.delete(stock, k) }
            for k, n in saved { stock[k] = n }
            while len(log) > saved_log { log.pop() }
            error({kind: "rolled-back", cause: e})
        }
    }
    inv.report = fn() {
        let parts = []
        for k, n in stock { parts.push(k + "=" + str(n)) }
        return parts.join(", ")
    }
    inv.log = fn() { return log }
    return inv
}

fn describe(e) {
    if type(e) != "map" { return "runtime: " + str(e) }
    if e.kind == "rolled-back" { return "rolled back because " + describe(e.cause) }
    if e.kind == "short" { return format("short of {}: want {}, have {}", e.item, e.want, e.have) }
    if e.kind == "bad-qty" { return format("bad quantity {} for {}", e.qty, e.item) }
    return "unknown"
}

let inv = new_inventory()
inv.add("bolt", 100)
inv.add("nut", 250)
inv.add("washer", 40)
inv.take("nut", 50)
print(inv.report())
let attempts = [
    [["take", "bolt", 10], ["take", "washer", 40], ["add", "gear", 3]],
    [["take", "bolt", 10], ["take", "nut", 500]],
    [["add", "spring", 5], ["add", "cog", -1]],
    [["add", "spring", 5], ["add", "cog", 2.5]],
    [["take", "bolt", 90]],
]
for i, ops in attempts {
    try {
        inv.batch(ops)
        print(i, "ok:", inv.report())
    } catch e {
        print(i, describe(e), "->", inv.report())
    }
}
print(len(inv.log()), inv.log().slice(-3).join(" "))
