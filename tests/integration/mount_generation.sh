#!/bin/sh
# mount_generation.sh: the entries a listing with attributes (READDIRPLUS,
# as `ls -l` asks) hands the kernel carry the generation a lookup of them
# says.  With generation 0 in the listing and 1 in lookups, a lookup the
# kernel makes of a cached entry (a rename's target) took the listed inode
# for a reused number and marked it bad: renaming a directory's child over
# the directory failed with EIO (and then ESTALE), not ENOTEMPTY.  An
# O_EXCL create of a listed name, and a file held open across it, are
# checked too.
. "$(dirname "$0")/lib.sh"

t_mkfs
t_mount
mkdir -p "$MNT/x/c/b" "$MNT/y"
printf 'kept open' >"$MNT/y/f"
t_umount
t_mount
ls -l "$MNT/x" "$MNT/y" >/dev/null # the kernel learns x/c and y/f from the listing
exec 3<"$MNT/y/f"
# rename(2) itself: mv tries RENAME_NOREPLACE first, which fails before
for i in 1 2; do
	err=$(python3 -c 'import os, sys; os.rename(sys.argv[1] + "/b", sys.argv[1])' "$MNT/x/c" 2>&1) &&
		fail "renaming c/b over c worked"
	case $err in
	*"Directory not empty"*) ;;
	*) fail "renaming c/b over c, try $i: $err" ;;
	esac
done
# an O_EXCL create of the listed name looks it up afresh
(set -C; : >"$MNT/y/f") 2>/dev/null && fail "O_EXCL create of an existing name worked"
[ "$(cat <&3)" = "kept open" ] || fail "the file open across the lookups no longer reads"
exec 3<&-
[ -d "$MNT/x/c/b" ] || fail "x/c/b is gone"
t_umount
t_fsck
echo "mount_generation: listed entries keep their generation"
