// Maps: insertion-ordered, keys string/int/float/bool; also used as records.
let m = {name: "orion", "two words": 2, [1 + 1]: "two", [true]: "yes"}
print(m.name, m["two words"], m[2], m[true], m.missing, m["nope"])
m.extra = 1
m["name"] = "ORION"
m[3.5] = "float key"
for k, v in m { print(type(k), k, "=>", v) }

// insertion order survives updates; delete then re-insert goes to the end
let order = {}
for w in ["zeta", "alpha", "mu", "beta"] { order[w] = len(w) }
order.alpha = 100
print(map.keys(order).join(" "))
map.delete(order, "zeta")
order.zeta = 0
print(map.keys(order).join(" "))
print(map.values(order).map(str).join(" "))
print(map.has(order, "mu"), map.has(order, "nu"), map.len(order), len(order))
for pair in map.items(order) { print(pair[0], pair[1]) }

// int and float keys that are equal numbers are the same key
let nk = {}
nk[1] = "int one"
nk[1.0] = "float one"
nk[2.5] = "two and a half"
print(len(nk), nk[1])

// maps are references, == is identity
let r1 = {a: 1}
let r2 = r1
r2.a = 2
print(r1.a, r1 == r2, {a: 1} == {a: 1})

// records with functions: m.f(x) calls the function stored at m["f"]
fn make_account(owner, balance) {
    let acct = {owner: owner, balance: balance}
    acct.deposit = fn(n) { acct.balance += n return acct.balance }
    acct.describe = fn() { return acct.owner + " has " + str(acct.balance) }
    return acct
}
let acct = make_account("ada", 10)
acct.deposit(5)
print(acct.deposit(20), acct.describe())

// nested maps
let config = {server: {host: "localhost", ports: [80, 443]}, debug: false}
config.server.ports.push(8080)
print(config.server.host, len(config.server.ports), config.server.ports[2], config.debug)
config.server.host = "example.org"
print(config["server"]["host"])

// counting with maps
let counts = {}
for ch in "mississippi" {
    if counts[ch] == nil { counts[ch] = 0 }
    counts[ch] += 1
}
let line = []
for k, v in counts { line.push(k + "=" + str(v)) }
print(line.join(" "))

// deleting while building a new map
let evens = {}
for i in range(10) { evens[i] = i * i }
for k in map.keys(evens) { if k % 2 == 1 { map.delete(evens, k) } }
print(map.keys(evens).map(str).join(","), map.values(evens).map(str).join(","))
// bad key types
try {
    let bad = {}
    bad[[1]] = 1
} catch e {
    print("list key rejected:", type(e))
}
