#!/bin/sh
# mount_unlink_open.sh: an unlinked file that is still open keeps its data
# (readable and writable) until the last close; then the daemon frees it
# when the kernel forgets it, not only the next mount.  Counted in the
# image's tables (docs/orionfs.5) with mdb_stat after unmounting.
. "$(dirname "$0")/lib.sh"

# entries TABLE: records in one table of the (unmounted) image.
entries() {
	mdb_stat -n -s "$1" "$IMG" | awk '/Entries:/ {print $2}'
}

t_mkfs
t_mount
head -c 3000000 /dev/urandom >"$T/ref"
cp "$T/ref" "$MNT/victim"
exec 3<"$MNT/victim"
exec 4>>"$MNT/victim"
rm "$MNT/victim"
[ ! -e "$MNT/victim" ] || fail "name still there after rm"
echo more >&4
cat "$T/ref" >"$T/ref2"; echo more >>"$T/ref2"
cmp - "$T/ref2" <&3 || fail "open file lost its data after unlink"
echo new >"$MNT/victim" # a new file may take the name meanwhile
exec 3<&- 4>&-
# the kernel forgets the inode on its own time; drop_caches asks it now
sync; echo 2 >/proc/sys/vm/drop_caches
[ "$(cat "$MNT/victim")" = new ] || fail "new file under the old name"
t_umount
[ "$(entries orphan)" = 0 ] || fail "the unlinked file was not freed at last close"
[ "$(entries inode)" = 2 ] || fail "inodes left: $(entries inode), want 2 (/ and victim)"
t_fsck

# control: a daemon killed while the file is open leaves it an orphan,
# which the next mount reclaims
t_mount
cp "$T/ref" "$MNT/victim2"
exec 3<"$MNT/victim2"
rm "$MNT/victim2"
sync "$MNT" # the unlink is durable: only then must a crash keep it
t_kill9
exec 3<&-
for _ in $(seq 1 50); do
	fusermount3 -u "$MNT" 2>/dev/null && break
	sleep 0.1
done
[ "$(entries orphan)" = 1 ] || fail "no orphan recorded after kill -9 ($(entries orphan))"
t_mount
t_umount
[ "$(entries orphan)" = 0 ] || fail "the next mount did not reclaim the orphan"
t_fsck
echo "mount_unlink_open: ok"
