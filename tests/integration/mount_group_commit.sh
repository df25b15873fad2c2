#!/bin/sh
# mount_group_commit.sh: the daemon's group commit.  Writes to the tree,
# to /db (served on the loop thread) and to /ctl/db (served on a thread
# of its own) interleave without waiting on each other's batch; a batch
# is committed once the mount falls idle, so a SIGKILL after a moment of
# quiet loses nothing, fsync'd or not; and the image is clean after it.
. "$(dirname "$0")/lib.sh"

t_mkfs
t_mount
# each step leaves a batch of tree writes open when the provider write
# comes: the provider must not wait for it (a /db write on the loop
# thread would otherwise wait for itself)
i=0
while [ $i -lt 40 ]; do
	echo "tree $i" >"$MNT/f$i"
	echo "db $i" >"$MNT/db/k$i"
	echo "put c$i v$i" >"$MNT/ctl/db" || fail "/ctl/db put $i"
	i=$((i + 1))
done
mkdir "$MNT/dir"
mv "$MNT/f0" "$MNT/dir/moved"
sleep 1 # quiet: longer than the idle time and the batch age together
t_kill9
fusermount3 -u "$MNT"
t_fsck
t_mount
i=1
while [ $i -lt 40 ]; do
	[ "$(cat "$MNT/f$i")" = "tree $i" ] || fail "tree write $i lost after a quiet second and SIGKILL"
	[ "$(cat "$MNT/db/k$i")" = "db $i" ] || fail "/db write $i lost"
	[ "$(cat "$MNT/db/c$i")" = "v$i" ] || fail "/ctl/db put $i lost"
	i=$((i + 1))
done
[ "$(cat "$MNT/dir/moved")" = "tree 0" ] && [ ! -e "$MNT/f0" ] || fail "rename lost"
t_umount
t_fsck
echo "mount_group_commit: ok"
