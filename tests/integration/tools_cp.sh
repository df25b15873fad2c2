#!/bin/sh
# tools_cp.sh: cp -a of a source tree (/usr/include/linux and a generated
# tree with hard links, symlinks, xattrs, modes and ns times) into the
# mount, then diff -r and a metadata comparison; cp --preserve=all of
# single files both ways; all of it again after unmount + mount.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/../posix/lib.sh"

SRC=$T/src
mkdir -p "$SRC"
cp -a /usr/include/linux "$SRC/linux"
gen_tree "$SRC/gen"
t_mkfs
t_mount

# same_tree A B WHAT: contents, metadata and xattrs of A and B agree.
same_tree() {
	diff -r --no-dereference "$1" "$2" >"$T/diff" 2>&1 ||
		{ head -20 "$T/diff" >&2; fail "$3: contents differ"; }
	meta_list "$1" >"$T/meta.a"
	meta_list "$2" >"$T/meta.b"
	diff "$T/meta.a" "$T/meta.b" >&2 || fail "$3: metadata differs"
	xattr_list "$1" >"$T/xa.a"
	xattr_list "$2" >"$T/xa.b"
	diff "$T/xa.a" "$T/xa.b" >&2 || fail "$3: xattrs differ"
	[ -s "$T/xa.a" ] || fail "$3: no xattrs compared"
}

cp -a "$SRC/." "$MNT/copy"
same_tree "$SRC" "$MNT/copy" "cp -a into the mount"
# hard links stayed links
[ "$(stat -c %i "$MNT/copy/gen/dir1/sub1/f1.dat")" = "$(stat -c %i "$MNT/copy/gen/dir1/sub1/hard-f1")" ] ||
	fail "cp -a broke a hard link"

# cp --preserve=all, single files, into and out of the mount
cp --preserve=all "$SRC/gen/large.bin" "$MNT/large.bin"
mkdir "$T/back"
cp --preserve=all "$MNT/large.bin" "$T/back/large.bin"
for f in "$MNT/large.bin" "$T/back/large.bin"; do
	[ "$(stat -c '%a %u %g %s %y' "$f")" = "$(stat -c '%a %u %g %s %y' "$SRC/gen/large.bin")" ] ||
		fail "cp --preserve=all lost metadata of $f"
	cmp "$f" "$SRC/gen/large.bin" || fail "cp --preserve=all changed $f"
	[ "$(getfattr --only-values -n user.big "$f" | od -An -tx1 | tr -d ' \n')" = \
	  "$(getfattr --only-values -n user.big "$SRC/gen/large.bin" | od -An -tx1 | tr -d ' \n')" ] ||
		fail "cp --preserve=all lost the xattr of $f"
done

# and back out with cp -a
cp -a "$MNT/copy" "$T/out"
same_tree "$SRC" "$T/out" "cp -a out of the mount"

t_remount
same_tree "$SRC" "$MNT/copy" "after remount"
cmp "$MNT/large.bin" "$SRC/gen/large.bin" || fail "large.bin changed after remount"
t_umount
t_fsck
echo "tools_cp: $(find "$SRC" | wc -l) entries copied and compared"
