#!/bin/sh
# lang_db.sh: orion-lang --db IMAGE: a script puts typed values into
# OrionDB on an image; the mount shows them as /db/KEY with the right text
# and user.orion.type; a second script reads them back with their types; a
# read-write mount makes --db refuse the image, a read-only one lets it
# read but not write; the image is clean at the end.
. "$(dirname "$0")/lib.sh"

OL="$ORION_BIN/orion-lang"
D=$MNT/db
# same FILE TEXT: FILE reads exactly TEXT.
same() {
	[ "$(cat "$1")" = "$2" ] || fail "$1 reads '$(cat "$1")', want '$2'"
}
# ty FILE TYPE: FILE's user.orion.type xattr is TYPE.
ty() {
	_t=$(getfattr --absolute-names --only-values -n user.orion.type "$1")
	[ "$_t" = "$2" ] || fail "type of $1: '$_t', want '$2'"
}

t_mkfs
cat >"$T/put.ol" <<'EOF'
db.put("app/n", 42)
db.put("app/neg", -7)
db.put("app/f", 2.5)
db.put("app/s", "héllo")
db.put("app/bin", "\xff\x00x")
db.put("app/yes", true)
db.put("app/none", nil)
db.put("app/l", [1, "two", [3.0, nil]])
db.put("app/m", {name: "x", 1: false, sub: {a: [1]}})
db.put("app/gone", 1)
assert(db.delete("app/gone") == true)
assert(db.delete("app/gone") == false)
assert(db.has("app/n") and not db.has("app") and not db.has("app/gone"))
print(db.keys("app/"))
print(db.keys("app/n"))
try { db.put("a//b", 1) } catch e { print(e) }
try { db.put("x", print) } catch e { print(e) }
EOF
"$OL" --db "$IMG" "$T/put.ol" >"$T/put.out" 2>&1 || { cat "$T/put.out"; fail "put script failed"; }
cat >"$T/put.want" <<'EOF'
["app/bin", "app/f", "app/l", "app/m", "app/n", "app/neg", "app/none", "app/s", "app/yes"]
["app/n", "app/neg", "app/none"]
db.put: bad key "a//b": empty segment (leading, trailing or double '/')
db.put: cannot store a function
EOF
diff -u "$T/put.want" "$T/put.out" || fail "put script output"

# what the mount shows
t_mount
same "$D/app/n" 42
ty "$D/app/n" int
same "$D/app/neg" -7
ty "$D/app/neg" int
same "$D/app/f" 2.5
ty "$D/app/f" float
same "$D/app/s" héllo
ty "$D/app/s" string
printf '\377\000x' | cmp -s - "$D/app/bin" || fail "app/bin bytes: $(od -c "$D/app/bin")"
ty "$D/app/bin" blob
same "$D/app/yes" true
ty "$D/app/yes" bool
same "$D/app/none" null
ty "$D/app/none" null
same "$D/app/l" '[1,"two",[3.0,null]]'
ty "$D/app/l" list
same "$D/app/m" '{"name":"x","1":false,"sub":{"a":[1]}}'
ty "$D/app/m" map
[ ! -e "$D/app/gone" ] || fail "a deleted key shows in /db"
[ ! -e "$D/a" ] && [ ! -e "$D/x" ] || fail "a refused put left a key"
# a value typed through the tree, for the script to read back
echo '{"k": [true, 1.5]}' >"$D/app/fromtree"
setfattr -n user.orion.type -v map "$D/app/fromtree"

# a read-write mount holds the image: --db refuses it and changes nothing
set +e
"$OL" --db "$IMG" -e 'db.put("app/n", 1)' >"$T/busy.out" 2>&1
rc=$?
set -e
[ "$rc" -eq 2 ] || fail "--db on a mounted image: exit $rc, want 2"
grep -q "^orion-lang: --db $IMG: image is already mounted$" "$T/busy.out" ||
	fail "--db on a mounted image said: $(cat "$T/busy.out")"
same "$D/app/n" 42
t_umount

# read everything back, with types
cat >"$T/get.ol" <<'EOF'
for k in db.keys("app") {
	let v = db.get(k)
	print(k, type(v), v)
}
let b = db.get("app/bin")
print(len(b), b == "\xff\x00x", db.get("app/gone", "default"), db.get("app/gone"))
EOF
"$OL" --db "$IMG" "$T/get.ol" >"$T/get.out" 2>&1 || { cat "$T/get.out"; fail "get script failed"; }
# the blob's raw bytes come first, so that line is written with printf
printf 'app/bin string \377\000x\n' >"$T/get.want"
cat >>"$T/get.want" <<'EOF'
app/f float 2.5
app/fromtree map {"k": [true, 1.5]}
app/l list [1, "two", [3.0, nil]]
app/m map {"name": "x", "1": false, "sub": {"a": [1]}}
app/n int 42
app/neg int -7
app/none nil nil
app/s string héllo
app/yes bool true
3 true default nil
EOF
cmp -s "$T/get.want" "$T/get.out" || { diff -a -u "$T/get.want" "$T/get.out" || true; fail "get script output"; }

# a read-only mount shares the image: --db reads it, and refuses writes
t_mount "$IMG" "$MNT" ro
"$OL" --db "$IMG" -e 'print(db.get("app/n"))' >"$T/ro.out" 2>&1 || { cat "$T/ro.out"; fail "--db on a read-only mount"; }
same "$T/ro.out" 42
set +e
"$OL" --db "$IMG" -e 'db.put("app/n", 1)' >"$T/ro.out" 2>&1
rc=$?
set -e
[ "$rc" -eq 1 ] && grep -q "db.put: the image is mounted read-only" "$T/ro.out" ||
	fail "put through a read-only mount: exit $rc: $(cat "$T/ro.out")"
set +e
"$OL" --db "$IMG" -e 'db.delete("app/n")' >"$T/ro.out" 2>&1
rc=$?
set -e
[ "$rc" -eq 1 ] && grep -q "db.delete: the image is mounted read-only" "$T/ro.out" ||
	fail "delete through a read-only mount: exit $rc: $(cat "$T/ro.out")"
same "$D/app/n" 42
t_umount

# usage errors
set +e
"$OL" --db "$T/missing.img" -e '1' >"$T/u1" 2>&1; rc1=$?
"$OL" --db "$IMG" --deny-all -e '1' >"$T/u2" 2>&1; rc2=$?
set -e
[ "$rc1" -eq 2 ] && grep -q "^orion-lang: --db $T/missing.img: No such file" "$T/u1" || fail "missing image: $rc1 $(cat "$T/u1")"
[ "$rc2" -eq 2 ] || fail "--db with --deny-all: exit $rc2"
# without --db the store is in memory: nothing reaches the image
"$OL" -e 'db.put("mem/only", 1); assert(db.get("mem/only") == 1)'
"$OL" --db "$IMG" -e 'assert(db.get("mem/only") == nil); assert(db.get("app/n") == 42)' ||
	fail "the in-memory store reached the image, or the image lost app/n"
# the module's golden test gives the in-memory store's output on OrionDB
t_mkfs "$T/mod.fs"
G=$(dirname "$0")/../lang
"$OL" --db "$T/mod.fs" "$G/db_module.ol" >"$T/mod.out" 2>&1 || { cat "$T/mod.out"; fail "db_module.ol on OrionDB"; }
diff -u "$G/db_module.out" "$T/mod.out" || fail "db_module.ol: OrionDB and the in-memory store differ"
t_fsck "$T/mod.fs"
t_fsck
echo "lang_db: ok"
