#!/bin/sh
# mount_twin.sh: random writes, truncations, punched holes, allocations,
# writes through shared mappings and copies within a file, made on the
# mount and on a twin file on the host's file system alike
# (twin-writer): the mount's file matches its twin through the kernel's
# cache, and again after a remount, when every byte comes back from the
# image; fsck stays clean.  Each round writes a new file and rewrites the
# last round's.  Then twin-tree makes random namespace calls (create,
# mkdir, symlink, link, unlink, rmdir, the three renames, chmod,
# truncate, setting and removing user xattrs, lchown, utimensat, mknod)
# in a directory of the mount and in a twin directory: each must end as
# it does on the host (its errno too), and the trees must match, node
# for node (owners, device numbers and modification times too), through
# the cache and after a remount; calls are made as root and as two
# other users.  Then two writers and two trees at once: interleaved
# requests (and group commits) must keep each its own.  Last, a writer
# and a tree on a mount with the kernel's write-back cache.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/../posix/lib.sh"

W=$(posix_tool twin-writer) || fail "cannot build twin-writer"
TREE=$(posix_tool twin-tree) || fail "cannot build twin-tree"
ROUNDS=${TWIN_ROUNDS:-4}
CALLS=${TWIN_CALLS:-1000}
SEED=${TWIN_SEED:-0} # added to each round's seed

t_mkfs
t_mount
for r in $(seq 1 "$ROUNDS"); do
	"$W" "$MNT/f$r" "$T/twin$r" "$((SEED + r))" "$CALLS" || fail "round $r: twin-writer failed"
	if [ "$r" -gt 1 ]; then
		"$W" "$MNT/f$((r - 1))" "$T/twin$((r - 1))" "$((SEED + r + 100))" "$CALLS" ||
			fail "round $r: rewriting f$((r - 1)) failed"
	fi
	cmp "$MNT/f$r" "$T/twin$r" || fail "round $r: f$r differs from its twin through the cache"
	t_remount
	for f in $(seq 1 "$r"); do
		cmp "$MNT/f$f" "$T/twin$f" || fail "round $r: f$f differs from its twin after a remount"
	done
done
mkdir "$MNT/tree" "$T/tree"
for r in $(seq 1 "$ROUNDS"); do
	"$TREE" "$MNT/tree" "$T/tree" "$((SEED + r))" "$CALLS" || fail "round $r: the tree parted from its twin"
	t_remount
	"$TREE" "$MNT/tree" "$T/tree" 0 0 || fail "round $r: the tree differs from its twin after a remount"
done
pids=""
for i in 1 2; do
	mkdir "$MNT/p$i" "$T/p$i"
	"$W" "$MNT/w$i" "$T/w$i" "$((SEED + 50 + i))" "$CALLS" & pids="$pids $!"
	"$TREE" "$MNT/p$i" "$T/p$i" "$((SEED + 60 + i))" "$CALLS" & pids="$pids $!"
done
for p in $pids; do wait "$p" || fail "a writer or tree at once parted from its twin"; done
t_remount
for i in 1 2; do
	cmp "$MNT/w$i" "$T/w$i" || fail "w$i differs from its twin after a remount"
	"$TREE" "$MNT/p$i" "$T/p$i" 0 0 || fail "p$i differs from its twin after a remount"
done
t_umount
t_fsck
# and once more with the kernel's write-back cache, which sends other
# requests for the same calls (times and privileges kept by the kernel)
t_mount "$IMG" "$MNT" writeback_cache
mkdir "$MNT/wb" "$T/wb"
"$W" "$MNT/wbf" "$T/wbf" "$((SEED + 70))" "$CALLS" || fail "write-back: twin-writer failed"
"$TREE" "$MNT/wb" "$T/wb" "$((SEED + 71))" "$CALLS" || fail "write-back: the tree parted from its twin"
t_remount
cmp "$MNT/wbf" "$T/wbf" || fail "write-back: wbf differs from its twin after a remount"
"$TREE" "$MNT/wb" "$T/wb" 0 0 || fail "write-back: the tree differs from its twin after a remount"
t_umount
t_fsck
echo "mount_twin: $ROUNDS rounds of $CALLS calls, then 4 at once, then with the write-back cache: every file and tree as its twin"
