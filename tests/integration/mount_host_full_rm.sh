#!/bin/sh
# mount_host_full_rm.sh: truncating, punching out or removing a big file
# is how a full disk gets room again, and each must work.  Freeing 1 GiB
# makes LMDB write a free-list record of 2 MiB, more than the reserve
# ofs_room holds back; in one commit that record failed on the full host
# disk and broke the mount (EIO for every later write).  Big files are
# now freed in commits of a bounded size (ofs_data_shed, punch), each
# finding room in what the one before freed.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/../posix/lib.sh"
private_disk 1536m

# fill NAME: write NAME until the disk is full; it must end in ENOSPC.
fill() {
	if dd if=/dev/urandom of="$MNT/$1" bs=1M count=2048 iflag=fullblock conv=fsync \
		2>"$T/err"; then
		fail "$1: 2 GiB fitted on a 1.5 GiB disk"
	fi
	grep -q "No space left" "$T/err" || fail "$1: $(cat "$T/err")"
	[ "$(stat -c %s "$MNT/$1")" -gt $((512 << 20)) ] || fail "$1: ENOSPC came early"
}

# roomy: within 10 s the mount has 900 MiB free again (the daemon frees
# an unlinked file once the kernel forgets it).
roomy() {
	for _ in $(seq 1 100); do
		[ "$(df -k --output=avail "$MNT" | tail -1)" -gt $((900 << 10)) ] && return 0
		sleep 0.1
	done
	fail "$1 left no room: $(df -k --output=avail "$MNT" | tail -1) KiB available"
}

t_mkfs
t_mount
echo keep >"$MNT/keep"
head -c 4M /dev/urandom >"$MNT/mid"
fill big
head -c 1M "$MNT/big" >"$T/head"
truncate -s 1M "$MNT/big" || fail "truncate on a full disk"
roomy truncate
cmp "$MNT/big" "$T/head" || fail "truncate lost the first MiB"
fill big2
size2=$(stat -c %s "$MNT/big2")
fallocate -p -o 0 -l "$size2" "$MNT/big2" || fail "punching out big2 on a full disk"
roomy "punching out big2"
[ "$(stat -c %s "$MNT/big2")" = "$size2" ] || fail "punching changed the size of big2"
cmp -n 1048576 "$MNT/big2" /dev/zero || fail "big2 is not zeros after the punch"
fill big3
# a small file's room is usable at once: LMDB hands out a commit's pages
# only from the commit after next, so the deletion commits once more
avail=$(df -k --output=avail "$MNT" | tail -1)
rm "$MNT/mid"
for _ in $(seq 1 100); do
	[ "$(df -k --output=avail "$MNT" | tail -1)" -gt $((avail + 2048)) ] && break
	sleep 0.1
done
dd if=/dev/urandom of="$MNT/again" bs=1M count=1 conv=fsync 2>"$T/err" ||
	fail "1 MiB where a 4 MiB file was: $(cat "$T/err")"
rm "$MNT/big3" || fail "rm on a full disk"
roomy rm
dd if=/dev/urandom of="$MNT/after" bs=1M count=512 iflag=fullblock conv=fsync 2>"$T/err" ||
	fail "512 MiB where big3 was: $(cat "$T/err")"
t_remount
[ "$(stat -c %s "$MNT/after")" = $((512 << 20)) ] || fail "after: $(stat -c %s "$MNT/after") bytes"
cmp "$MNT/big" "$T/head" || fail "big changed across remount"
[ "$(cat "$MNT/keep")" = keep ] || fail "keep lost"
t_umount
t_fsck
echo "mount_host_full_rm: 1 GiB truncated, punched out, removed on a full disk; clean"
