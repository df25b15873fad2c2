#!/bin/sh
# tools_rsync.sh: rsync -aXH of a tree with xattrs (set by setfattr), hard
# links and symlinks into the mount; then rsync -aXHc --dry-run finds
# nothing to transfer, both ways and after unmount + mount; a changed
# source file is found (so the comparison can fail).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/../posix/lib.sh"

SRC=$T/src
mkdir -p "$SRC"
cp -a /usr/include/linux "$SRC/linux"
gen_tree "$SRC/gen"
setfattr -n user.note -v "set by setfattr" "$SRC/linux/types.h"
setfattr -n user.bin -v 0x0001fffe "$SRC/linux"
t_mkfs
t_mount

# nothing_to_do A B WHAT: a checksum dry run from A to B lists nothing.
nothing_to_do() {
	rsync -aXHc --dry-run --itemize-changes "$1/" "$2/" >"$T/dry" ||
		fail "$3: rsync dry run failed"
	[ ! -s "$T/dry" ] || { head -20 "$T/dry" >&2; fail "$3: rsync would transfer something"; }
}

rsync -aXH "$SRC/" "$MNT/dst/"
nothing_to_do "$SRC" "$MNT/dst" "host to mount"
nothing_to_do "$MNT/dst" "$SRC" "mount to host"
[ "$(getfattr --only-values -n user.note "$MNT/dst/linux/types.h")" = "set by setfattr" ] ||
	fail "xattr not copied"
rsync -aXH "$MNT/dst/" "$T/back/"
nothing_to_do "$SRC" "$T/back" "mount back to host"

t_remount
nothing_to_do "$SRC" "$MNT/dst" "after remount"
echo "changed" >>"$SRC/gen/dir1/sub1/f5.dat"
touch -r "$MNT/dst/gen/dir1/sub1/f5.dat" "$SRC/gen/dir1/sub1/f5.dat"
rsync -aXHc --dry-run --itemize-changes "$SRC/" "$MNT/dst/" >"$T/dry"
grep -q 'gen/dir1/sub1/f5.dat' "$T/dry" || fail "rsync -c missed a changed file"
rsync -aXHc "$SRC/" "$MNT/dst/"
nothing_to_do "$SRC" "$MNT/dst" "after an update"
t_umount
t_fsck
echo "tools_rsync: $(find "$SRC" | wc -l) entries in sync across remount"
