#!/bin/sh
# tools_tar.sh: tar c/x round trips with xattrs through the mount: an
# archive written into the mount, extracted there, compared with the
# source (contents, metadata, xattrs); archives of the same tree made on
# the host and in the mount (--sort=name) are byte-identical; persistence
# after unmount + mount.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/../posix/lib.sh"

SRC=$T/src
mkdir -p "$SRC"
cp -a /usr/include/linux "$SRC/linux"
gen_tree "$SRC/gen"
TAR="tar --xattrs --xattrs-include=user.* --sort=name --numeric-owner --pax-option=delete=atime,delete=ctime"
t_mkfs
t_mount

# same_tree A B WHAT: contents, metadata and xattrs of A and B agree.
same_tree() {
	diff -r --no-dereference "$1" "$2" >"$T/diff" 2>&1 ||
		{ head -20 "$T/diff" >&2; fail "$3: contents differ"; }
	meta_list "$1" >"$T/meta.a"
	meta_list "$2" >"$T/meta.b"
	diff "$T/meta.a" "$T/meta.b" | head -20 >&2
	cmp -s "$T/meta.a" "$T/meta.b" || fail "$3: metadata differs"
	xattr_list "$1" >"$T/xa.a"
	xattr_list "$2" >"$T/xa.b"
	diff "$T/xa.a" "$T/xa.b" >&2 || fail "$3: xattrs differ"
	[ -s "$T/xa.a" ] || fail "$3: no xattrs compared"
}

$TAR -cf "$MNT/src.tar" -C "$SRC" .
$TAR -cf "$T/host.tar" -C "$SRC" .
cmp "$MNT/src.tar" "$T/host.tar" || fail "archive written into the mount differs"
mkdir "$MNT/x"
$TAR -xpf "$MNT/src.tar" -C "$MNT/x"
same_tree "$SRC" "$MNT/x" "tar x in the mount"
$TAR -cf "$T/again.tar" -C "$MNT/x" .
cmp "$T/again.tar" "$T/host.tar" || fail "archive of the extracted tree differs"
mkdir "$T/out"
$TAR -cf - -C "$MNT/x" . | $TAR -xpf - -C "$T/out"
same_tree "$SRC" "$T/out" "tar out of the mount"

t_remount
same_tree "$SRC" "$MNT/x" "after remount"
cmp "$MNT/src.tar" "$T/host.tar" || fail "archive changed after remount"
$TAR -tvf "$MNT/src.tar" >/dev/null || fail "tar t of the archive"
t_umount
t_fsck
echo "tools_tar: round trips of $(find "$SRC" | wc -l) entries identical"
