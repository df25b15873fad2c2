// db_module.ol: the db module's contract, kept valid for both stores:
// tests/lang runs it on the in-memory store and
// tests/integration/lang_db.sh on OrionDB (orion-lang --db), with this
// same expected output.
print(db.get("cfg/theme"), db.get("cfg/theme", "light"), db.has("cfg/theme"))
db.put("cfg/theme", "dark")
db.put("cfg/size", 12)
db.put("cfg/ratio", 0.75)
db.put("cfg/on", false)
db.put("cfg/none", nil)
db.put("cfgx", "sibling")
db.put("users/ann/langs", ["c", "lua", {level: 3}])
db.put("users/bob", {age: 41, tags: [], extra: {}})
db.put("names/ü", "utf-8 key")
print(db.get("cfg/theme"), db.get("cfg/size") + 1, db.get("cfg/ratio") * 2)
print(type(db.get("cfg/on")), db.get("cfg/on", true), db.has("cfg/none"), db.get("cfg/none", 7))
print(db.get("users/ann/langs")[2].level, db.get("users/bob"))

// a stored value is a copy
let l = [1, 2]
db.put("copy", l)
l.push(3)
print(l, db.get("copy"))

// overwrite changes the type
db.put("cfg/size", "big")
print(type(db.get("cfg/size")), db.get("cfg/size"))

// keys: a string prefix, sorted bytewise
print(db.keys("cfg"))
print(db.keys("cfg/"))
print(db.keys("users/a"))
print(db.keys("zzz"))
print(len(db.keys()), db.keys()[0])

// delete says whether the key was there
print(db.delete("cfgx"), db.delete("cfgx"), db.has("cfgx"), db.keys("cfg"))
for k in db.keys() { db.delete(k) }
print(db.keys())

// errors (the in-memory store's messages carry the location, those of a
// host module do not: compare from the module name on)
fn msg(e) {
	let s = str(e)
	return s[s.find("db."):]
}
try { db.get() } catch e { print(msg(e)) }
try { db.put("k") } catch e { print(msg(e)) }
try { db.keys(5) } catch e { print(msg(e)) }
try { db.has(nil) } catch e { print(msg(e)) }
