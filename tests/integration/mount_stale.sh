#!/bin/sh
# mount_stale.sh: after the daemon dies (kill -9) the mountpoint is stale
# ("Transport endpoint is not connected"); mounting there again is
# refused with an explanation that names the command that clears it, and
# after that command the image mounts again, fsck-clean.
. "$(dirname "$0")/lib.sh"

t_mkfs
t_mount
echo kept >"$MNT/f"
sync "$MNT/f"
t_kill9
stat "$MNT" >/dev/null 2>"$T/stat.err" && fail "mountpoint not stale after kill -9"
grep -q "not connected" "$T/stat.err" || fail "unexpected: $(cat "$T/stat.err")"

set +e
_MOUNTS="$_MOUNTS $MNT" # should it wrongly mount over the stale one
"$ORION_BIN/mount.orionfs" "$IMG" "$MNT" >"$T/out" 2>&1
rc=$?
set -e
cat "$T/out"
[ "$rc" -eq 32 ] || fail "stale mountpoint: exit $rc, want 32"
grep -q "^mount.orionfs: $MNT: cannot mount here: transport endpoint is not connected" "$T/out" ||
	fail "stale mountpoint not explained"
grep -q "fusermount3 -u '$MNT'" "$T/out" || fail "no command to clear it"

fusermount3 -u "$MNT"
t_fsck
t_mount
[ "$(cat "$MNT/f")" = kept ] || fail "synced data lost after kill -9"
t_umount
t_fsck
echo "mount_stale: ok"
