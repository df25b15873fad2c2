#!/bin/sh
# db_tree.sh: OrionDB through the /db/ tree with ordinary shell tools:
# echo, cat, ls -l, mkdir -p, rm, rm -r, mv, cp -r, find, grep -r, tar in
# and out (also --xattrs, which makes files with mknod), typed values
# through user.orion.type, names the tree refuses,
# persistence across a remount, and a clean image at the end.
. "$(dirname "$0")/lib.sh"

D=$MNT/db
# same FILE TEXT: FILE reads exactly TEXT.
same() {
	[ "$(cat "$1")" = "$2" ] || fail "$1 reads '$(cat "$1")', want '$2'"
}
# ty FILE: FILE's type, from the user.orion.type xattr.
ty() {
	getfattr --absolute-names --only-values -n user.orion.type "$1"
}
# size FILE N: stat gives FILE's size as N.
size() {
	[ "$(stat -c %s "$1")" = "$2" ] || fail "size of $1: $(stat -c %s "$1"), want $2"
}

t_mkfs
t_mount
[ -d "$D" ] || fail "the mount does not serve /db"
[ -z "$(ls -A "$D")" ] || fail "a fresh image has keys: $(ls -A "$D")"

echo hello >"$D/greet"
same "$D/greet" hello
size "$D/greet" 6
# a value is data throughout: SEEK_DATA stays put, SEEK_HOLE finds its end
python3 - "$D/greet" <<'PY' || fail "SEEK_DATA/SEEK_HOLE on a /db value"
import errno, os, sys
fd = os.open(sys.argv[1], os.O_RDONLY)
assert os.lseek(fd, 2, os.SEEK_DATA) == 2
assert os.lseek(fd, 0, os.SEEK_HOLE) == 6
try:
    os.lseek(fd, 6, os.SEEK_DATA)
    sys.exit("SEEK_DATA at the end did not fail")
except OSError as e:
    assert e.errno == errno.ENXIO, e
PY
mkdir -p "$D/app/cfg"
[ -d "$D/app/cfg" ] || fail "mkdir -p made no directory"
echo dark >"$D/app/cfg/theme"
printf 'line1\nline2\n' >"$D/app/cfg/motd"
same "$D/app/cfg/theme" dark
[ "$(ls "$D/app/cfg")" = "$(printf 'motd\ntheme')" ] || fail "ls: $(ls "$D/app/cfg")"
ls -l "$D/app/cfg" | grep -q '^-rw-r--r-- .* 5 .* theme$' || fail "ls -l: $(ls -l "$D/app/cfg")"
size "$D/app/cfg/motd" 12
[ "$(find "$D" -type f | sort | sed "s|$D/||" | tr '\n' ' ')" = "app/cfg/motd app/cfg/theme greet " ] ||
	fail "find: $(find "$D" -type f)"
[ "$(find "$D" -type d | sort | sed "s|$D||" | tr '\n' ' ')" = " /app /app/cfg " ] ||
	fail "find -type d: $(find "$D" -type d)"
grep -rq dark "$D" || fail "grep -r found nothing"
[ "$(grep -rl line2 "$D")" = "$D/app/cfg/motd" ] || fail "grep -rl: $(grep -rl line2 "$D")"

# a write then close is one put; appends and truncation as on a file
echo replaced >"$D/greet"
same "$D/greet" replaced
echo more >>"$D/greet"
same "$D/greet" "$(printf 'replaced\nmore')"
: >"$D/greet"
size "$D/greet" 0
[ -z "$(cat "$D/greet")" ] || fail "': >' left $(cat "$D/greet")"
echo replaced >"$D/greet"
truncate -s 3 "$D/greet"
same "$D/greet" rep
echo replaced >"$D/greet"
touch "$D/empty"
[ -f "$D/empty" ] && size "$D/empty" 0 || fail "touch made no empty key"

# an empty directory lives for the mount; rmdir refuses a full one
mkdir -p "$D/e/f/g"
[ -d "$D/e/f/g" ] || fail "mkdir -p e/f/g"
if rmdir "$D/e/f" 2>/dev/null; then fail "rmdir of a non-empty directory"; fi
rmdir "$D/e/f/g" "$D/e/f" "$D/e" || fail "rmdir"
[ ! -e "$D/e" ] || fail "rmdir left e"
# a directory emptied by rm stays, as on a disk, so rm -r works
mkdir "$D/tmp"
echo x >"$D/tmp/x"
rm "$D/tmp/x"
[ -d "$D/tmp" ] || fail "rm of the last key took its directory"
rmdir "$D/tmp"

# mv of a key and of a whole prefix (one atomic rename)
mv "$D/greet" "$D/hello"
[ ! -e "$D/greet" ] && same "$D/hello" replaced || fail "mv of a key"
mv "$D/app" "$D/moved"
[ ! -e "$D/app" ] || fail "mv left the old prefix"
same "$D/moved/cfg/theme" dark
same "$D/moved/cfg/motd" "$(printf 'line1\nline2')"
echo old >"$D/target"
mv "$D/hello" "$D/target"
same "$D/target" replaced
mv "$D/target" "$D/hello"
mkdir "$D/full" && echo 1 >"$D/full/k"
if mv -T "$D/moved" "$D/full" 2>/dev/null; then fail "mv onto a non-empty directory"; fi
rm -r "$D/full"
cp -r "$D/moved" "$D/copy"
same "$D/copy/cfg/motd" "$(printf 'line1\nline2')"
# and mv out of the tree: copy and unlink
mv "$D/copy/cfg/theme" "$T/theme.out"
[ "$(cat "$T/theme.out")" = dark ] && [ ! -e "$D/copy/cfg/theme" ] || fail "mv out of /db"

# tar out, and back in under another prefix
tar -C "$D" -cf "$T/out.tar" moved
tar -tf "$T/out.tar" | grep -q '^moved/cfg/theme$' || fail "tar -t: $(tar -tf "$T/out.tar")"
mkdir -p "$D/restored"
tar -C "$D/restored" -xf "$T/out.tar" || fail "tar -x into /db"
same "$D/restored/moved/cfg/theme" dark
# and a tree from the disk in, then out again unchanged
mkdir -p "$T/src/a/b"
printf 'bin\001\377ary' >"$T/src/a/b/blob"
echo text >"$T/src/a/t"
tar -C "$T/src" -cf "$T/in.tar" a
tar -C "$D" -xf "$T/in.tar" || fail "tar -x"
mkdir "$T/back"
tar -C "$D" -cf - a | tar -C "$T/back" -xf - || fail "tar round trip"
cmp "$T/src/a/b/blob" "$T/back/a/b/blob" || fail "binary value changed in a round trip"
[ "$(ty "$D/a/b/blob")" = blob ] || fail "bytes not UTF-8 are a blob"

# rsync in and out (temporary name, then rename over the key), and
# cp -a keeps a value's type
mkdir "$D/rs"
rsync -a "$T/src/" "$D/rs/" || fail "rsync into /db"
rsync -a "$D/rs/" "$T/rsback/" || fail "rsync out of /db"
diff -r "$T/src" "$T/rsback" || fail "rsync round trip changed something"
echo changed >"$T/src/a/t"
rsync -a "$T/src/" "$D/rs/" && same "$D/rs/a/t" changed || fail "rsync update"
rm -r "$D/rs"

# typed values: the type in user.orion.type, JSON text stores a typed value
setfattr -n user.orion.type -v list "$D/hello"
printf '[1, "two", true]' >"$D/hello"
same "$D/hello" '[1,"two",true]'
[ "$(ty "$D/hello")" = list ] || fail "type xattr"
# an error of the put reaches close(2): cat reports it
if printf '[1,' | cat >"$D/hello" 2>"$T/err"; then fail "bad JSON accepted"; fi
grep -q 'Invalid argument' "$T/err" || fail "bad JSON: $(cat "$T/err")"
same "$D/hello" '[1,"two",true]'
echo 41 >"$D/n"
setfattr -n user.orion.type -v int "$D/n"
[ "$(ty "$D/n")" = int ] || fail "int conversion"
echo 42 >"$D/n"
same "$D/n" 42
if echo forty | cat >"$D/n" 2>/dev/null; then fail "text stored into an int"; fi
# fsync stores too, and reports the put's error
if echo forty | dd of="$D/n" conv=fsync status=none 2>"$T/err"; then fail "fsync accepted text for an int"; fi
grep -q 'Invalid argument' "$T/err" || fail "fsync: $(cat "$T/err")"
echo 7 | dd of="$D/n7" conv=fsync status=none || fail "fsync of a good value"
same "$D/n7" 7
same "$D/n" 42
cp -a "$D/n" "$D/n2"
[ "$(ty "$D/n2")" = int ] && same "$D/n2" 42 || fail "cp -a lost the type"
if setfattr -n user.orion.type -v nosuch "$D/n" 2>/dev/null; then fail "unknown type accepted"; fi
if setfattr -n user.other -v 1 "$D/n" 2>/dev/null; then fail "other xattr accepted"; fi

# tar --xattrs out of one prefix and into another: tar makes each file
# with mknod(2) before it sets user.orion.type and writes the value, so
# the values come back with their types
mkdir -p "$D/typed/sub"
for kv in n:int:-12 f:float:2.5 yes:bool:true l:list:'[1,"a",null]' \
	m:map:'{"k":{"x":[]}}' s:string:word sub/z:null:null; do
	k=${kv%%:*} rest=${kv#*:}
	printf '%s' "${rest#*:}" >"$D/typed/$k"
	setfattr -n user.orion.type -v "${rest%%:*}" "$D/typed/$k"
done
: >"$D/typed/empty"
printf 'bin\001\377' >"$D/typed/sub/blob"
tar --xattrs -C "$D" -cf "$T/typed.tar" typed || fail "tar --xattrs -c of /db"
mkdir -p "$D/untarred"
tar --xattrs -C "$D/untarred" -xf "$T/typed.tar" || fail "tar --xattrs -x into /db"
for k in n f yes l m s empty sub/z sub/blob; do
	cmp "$D/typed/$k" "$D/untarred/typed/$k" || fail "tar --xattrs changed $k"
	[ "$(ty "$D/untarred/typed/$k")" = "$(ty "$D/typed/$k")" ] ||
		fail "tar --xattrs: $k is $(ty "$D/untarred/typed/$k"), want $(ty "$D/typed/$k")"
done
[ "$(ty "$D/untarred/typed/n")" = int ] && [ "$(ty "$D/untarred/typed/sub/blob")" = blob ] ||
	fail "tar --xattrs: types lost"
# mknod makes a regular file (an empty value); fifos and devices stay refused
mknod "$D/untarred/made" p 2>"$T/err" && fail "mknod of a fifo in /db accepted"
grep -q 'Operation not permitted' "$T/err" || fail "fifo in /db: $(cat "$T/err")"
python3 -c 'import os, sys; os.mknod(sys.argv[1], 0o100644)' "$D/untarred/made" ||
	fail "mknod of a regular file in /db"
[ -f "$D/untarred/made" ] && size "$D/untarred/made" 0 && [ "$(ty "$D/untarred/made")" = string ] ||
	fail "mknod made no empty value"
rm -r "$D/typed" "$D/untarred"

# names the tree cannot show are refused, clearly
long=$(printf '%0250d' 0)
mkdir -p "$D/$long/$long" || fail "a 501-byte prefix refused"
if (echo x >"$D/$long/$long/$long") 2>"$T/err"; then fail "a key over 511 bytes accepted"; fi
grep -q 'File name too long' "$T/err" || fail "long key: $(cat "$T/err")"
if mkdir "$D/$long/$long/$long" 2>"$T/err"; then fail "a prefix over 511 bytes accepted"; fi
grep -q 'File name too long' "$T/err" || fail "long prefix: $(cat "$T/err")"
rm -r "$D/$long"

rm "$D/copy/cfg/motd"
[ ! -e "$D/copy/cfg/motd" ] || fail "rm"
rm -r "$D/copy"
[ ! -e "$D/copy" ] || fail "rm -r"

t_umount
t_mount
same "$D/moved/cfg/theme" dark
same "$D/hello" '[1,"two",true]'
same "$D/n" 42
[ "$(ty "$D/n")" = int ] || fail "type after remount"
cmp "$T/src/a/b/blob" "$D/a/b/blob" || fail "blob after remount"
t_umount
t_fsck
echo "db_tree: ok"
