#!/bin/sh
# mount_ro.sh: -o ro serves the tree but refuses every change with EROFS
# and leaves the image file untouched.
. "$(dirname "$0")/lib.sh"

t_mkfs
t_mount
mkdir "$MNT/d"
echo data >"$MNT/d/f"
t_umount
sum=$(sha256sum <"$IMG")

t_mount "$IMG" "$MNT" ro
grep -qs " $MNT fuse.orionfs ro," /proc/mounts || fail "not mounted read-only"
[ "$(cat "$MNT/d/f")" = data ] || fail "read-only mount does not read"
# expect_erofs CMD...: CMD fails with "Read-only file system"
expect_erofs() {
	if "$@" 2>"$T/err"; then fail "ro mount allowed: $*"; fi
	grep -q "Read-only file system" "$T/err" || fail "$*: $(cat "$T/err")"
}
expect_erofs sh -c "echo x >'$MNT/new'"
expect_erofs sh -c "echo x >>'$MNT/d/f'"
expect_erofs mkdir "$MNT/e"
expect_erofs rm "$MNT/d/f"
expect_erofs mv "$MNT/d/f" "$MNT/d/g"
expect_erofs chmod 600 "$MNT/d/f"
expect_erofs touch "$MNT/d/f"
expect_erofs ln -s x "$MNT/l"
expect_erofs setfattr -n user.x -v 1 "$MNT/d/f"
t_umount
[ "$(sha256sum <"$IMG")" = "$sum" ] || fail "read-only mount changed the image"
t_fsck
echo "mount_ro: ok"
