// Standalone orion-lang grants host files and an in-memory db by default.
let dir = "/tmp/orion-lang-golden-host-modules"
if fs.exists(dir + "/notes.txt") { fs.remove(dir + "/notes.txt") }
if fs.exists(dir + "/b.txt") { fs.remove(dir + "/b.txt") }
fs.mkdir(dir)
fs.write(dir + "/notes.txt", "first line\n")
fs.append(dir + "/notes.txt", "second line\n")
fs.write(dir + "/b.txt", "")
print(fs.read(dir + "/notes.txt").split("\n"))
print(fs.exists(dir + "/notes.txt"), fs.exists(dir + "/missing"))
print(fs.list(dir))
try {
    fs.read(dir + "/missing")
} catch e {
    print("read missing:", e.contains("fs.read: "))
}
fs.remove(dir + "/notes.txt")
fs.remove(dir + "/b.txt")
fs.remove(dir)
print(fs.exists(dir))

// db: keys are paths, values strings
db.put("app/config/name", "orion")
db.put("app/config/level", "3")
db.put("app/users/ann", "admin")
db.put("other/x", "1")
print(db.get("app/config/name"), db.get("app/nothing"), db.has("other/x"))
print(db.keys("app/"))
print(db.keys("app/config/"))
db.delete("app/users/ann")
print(db.has("app/users/ann"), len(db.keys("")))
