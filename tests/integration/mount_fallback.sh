#!/bin/sh
# mount_fallback.sh: the daemon without the kernel features it uses for
# speed, each refused by a seccomp filter (tests/posix/deny-calls), as an
# older kernel or a container's profile refuses them.  Without
# FUSE_DEV_IOC_CLONE the loop waits in poll, with no limit once idle;
# without io_uring the walks ahead of a large file's block map and of a
# large directory's leaves go through posix_fadvise and a window of reads.
# The mount must serve as always: writes committed by the idle timeout, a
# request deferred to a thread answered, a clean stop on SIGTERM and at
# unmount, and the data and the listing read back cold.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/../posix/lib.sh"

D=$(posix_tool deny-calls) || fail "cannot build deny-calls"

# mount_denied WHAT: mount $IMG on $MNT in the foreground with the calls
# WHAT refused; sets pid.
mount_denied() {
	_MOUNTS="$_MOUNTS $MNT"
	"$D" "$1" "$ORION_BIN/mount.orionfs" "$IMG" "$MNT" -f &
	pid=$!
	t_wait_mount
}

# fuse_fds PID: how many descriptors of /dev/fuse PID holds.
fuse_fds() {
	ls -l "/proc/$1/fd" | grep -c ' /dev/fuse$' || true
}

# stopped: wait for $pid to exit; it must exit 0 and leave no mount.
stopped() {
	wait "$pid" || fail "the daemon exited with status $?"
	! grep -qs " $MNT fuse" /proc/mounts || fail "the mount outlived its daemon"
}

t_mkfs
# more block-map leaves than a file's open reads inline (OFS_AHEAD_INLINE:
# 16 leaves, some 120 blocks of 64 KiB each), and more dirent leaves
head -c $((160 << 20)) /dev/urandom >"$T/ref"
NAMES=2500

# 1. Both refused: the loop has no clone, and the last write is
# committed by the poll path's idle timeout alone (nothing else comes to
# commit it before the SIGKILL).
mount_denied clone,uring
[ "$(fuse_fds "$pid")" = 1 ] || fail "the daemon holds a clone it was refused"
cp "$T/ref" "$MNT/big"
mkdir "$MNT/dir"
python3 -c "
import os, sys
for i in range(int(sys.argv[2])):
    open(os.path.join(sys.argv[1], 'name-%05d' % i), 'w').write(str(i))
" "$MNT/dir" "$NAMES"
echo idle >"$MNT/idle"
sleep 1 # far past OFS_FUSE_IDLE_MS: poll's timeout has committed the batch
t_kill9
fusermount3 -u "$MNT" 2>/dev/null || umount -l "$MNT"
wait "$pid" 2>/dev/null || true
t_fsck

# 2. Cold, both refused again: the walks ahead fall back, the data and
# the listing are whole, and SIGTERM to the idle loop (asleep in poll
# with no limit) stops it cleanly.
sync
echo 3 >/proc/sys/vm/drop_caches
mount_denied clone,uring
[ "$(cat "$MNT/idle")" = idle ] || fail "a write the idle commit covered was lost to SIGKILL"
cmp "$T/ref" "$MNT/big" || fail "the large file reads back wrong"
n=$(ls -f "$MNT/dir" | grep -c '^name-') || true
[ "$n" = "$NAMES" ] || fail "the large directory lists $n names, not $NAMES"
[ "$(cat "$MNT/dir/name-01234")" = 1234 ] || fail "a name looked up after the listing reads wrong"
timeout -s KILL 10 cat "$MNT/ctl/db" >/dev/null || fail "a deferred request got no answer"
sleep 0.5
kill -TERM "$pid"
stopped
t_fsck

# 3. Only io_uring refused (the loop has its clone): the walks still fall
# back, and the unmount ends the daemon.
echo 3 >/proc/sys/vm/drop_caches
mount_denied uring
[ "$(fuse_fds "$pid")" = 2 ] || fail "the daemon did not clone its descriptor"
cmp "$T/ref" "$MNT/big" || fail "the large file reads back wrong (ring refused)"
n=$(ls -f "$MNT/dir" | grep -c '^name-') || true
[ "$n" = "$NAMES" ] || fail "the large directory lists $n names, not $NAMES (ring refused)"
fusermount3 -u "$MNT"
stopped
t_fsck
echo "mount_fallback: ok"
