#!/bin/sh
# mount_nested.sh: an orionfs image stored inside an orionfs mount and
# mounted from there.  The inner daemon is LMDB at work on files of the
# outer mount: a shared mapping read while pwrite changes its pages,
# fdatasync at every commit, record locks on the lock file, reads through
# io_uring, fadvise.
#  - The POSIX battery (but its slow checks, which posix.sh runs) passes
#    on the inner mount.
#  - A copied tree comes back byte for byte with its metadata after both
#    are unmounted, checked and mounted again.
#  - After a SIGKILL of both daemons at once under fsync-writer's load on
#    the inner mount, what fsync made durable there is still there.
#  - Neither image ever fails fsck.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/../posix/lib.sh"

B=$(posix_tool posix-battery) || fail "cannot build posix-battery"
W=$(posix_tool fsync-writer) || fail "cannot build fsync-writer"
export ORION_EXPECT_HOLES=1
SRC=/usr/include/linux
[ -d "$SRC" ] || fail "$SRC is missing"
IN=$T/inner
mkdir "$IN"

# the outer image on a private tmpfs, so that the inner mount's statfs
# (the outer's free space, which is the tmpfs's) moves with its writes only
private_disk 4g
t_mkfs
t_mount
INIMG=$MNT/inner.fs
t_mkfs "$INIMG"
t_mount "$INIMG" "$IN"

mkdir "$IN/battery"
"$B" -q "$IN/battery" >"$T/battery.out" 2>&1 || { cat "$T/battery.out"; fail "battery on the nested mount"; }
grep -Eq '^ok punch_hole( |$)' "$T/battery.out" || fail "punch_hole skipped on the nested mount"
[ -z "$(find "$IN/battery" -mindepth 1 | head -1)" ] || fail "the battery left files behind"

cp -a "$SRC" "$IN/tree" || fail "cp -a into the nested mount"
meta_list "$SRC" >"$T/meta.src"
xattr_list "$SRC" >"$T/xattr.src"

# both down, both checked, both up again: the inner image comes back from
# the outer's own storage
t_umount "$IN"
t_umount
t_fsck
t_mount
t_fsck "$INIMG"
t_mount "$INIMG" "$IN"
diff -r --no-dereference "$SRC" "$IN/tree" || fail "the tree differs after remounting both"
meta_list "$IN/tree" >"$T/meta.in"
cmp -s "$T/meta.src" "$T/meta.in" || { diff "$T/meta.src" "$T/meta.in" | head; fail "metadata differs"; }
xattr_list "$IN/tree" >"$T/xattr.in"
cmp -s "$T/xattr.src" "$T/xattr.in" || fail "xattrs differ"

# both daemons killed at once under fsync-writer's load on the inner
# mount: everything the writer was told is durable must be there after
# both come back, which holds only if each fsync on the inner mount
# reached the outer image through the inner LMDB's fdatasync; both images
# must be clean, and the tree copied before must be whole
mkdir "$IN/crash"
"$W" write "$IN/crash" "$T/log" 1 2>"$T/writer.err" &
wpid=$!
sleep 1
kill -0 "$wpid" 2>/dev/null || { cat "$T/writer.err"; fail "the writer ended before the kill"; }
inner=$(pgrep -f "mount.orionfs $INIMG ") || fail "no inner daemon"
outer=$(pgrep -f "mount.orionfs $IMG ") || fail "no outer daemon"
kill -9 "$inner" "$outer"
wait "$wpid" 2>/dev/null || true
for _ in $(seq 1 50); do
	{ kill -0 "$inner" || kill -0 "$outer"; } 2>/dev/null || break # both gone
	sleep 0.1
done
fusermount3 -u "$IN" || fail "unmounting the inner mount after its daemon died"
fusermount3 -u "$MNT" || fail "unmounting the outer mount after its daemon died"
t_fsck
t_mount
t_fsck "$INIMG"
t_mount "$INIMG" "$IN"
"$W" verify "$IN/crash" "$T/log" 1 || fail "the inner mount lost what fsync made durable"
diff -r --no-dereference "$SRC" "$IN/tree" || fail "the tree differs after both daemons were killed"
t_umount "$IN"
t_umount
t_fsck
echo "nested: battery, copy, remount and kill of both daemons passed"
