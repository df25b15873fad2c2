#!/bin/sh
# mount_host_full.sh: the disk under the image fills before the image's
# map does.  Writes then fail with ENOSPC up front (ofs_room counts the
# host disk, asking it afresh once less than 1 GiB is spare), never at a
# batch commit: what was acknowledged stays, and the image is clean.  A
# file unlinked while open is left for the next mount to delete; on a
# full disk, where freeing pages takes new pages for LMDB's free list,
# that mount frees it a commit at a time (ofs_data_shed), and the space
# is there to write again.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/../posix/lib.sh"
private_disk 1536m # more than the 1 GiB the room check trusts a while
t_mkfs
t_mount
echo keep >"$MNT/keep"

# 1 GiB held open and unlinked: an orphan until its last close
python3 - "$MNT/held" "$T/held.ready" <<'PY' &
import os, sys, time
fd = os.open(sys.argv[1], os.O_WRONLY | os.O_CREAT, 0o644)
for _ in range(1024):
    os.write(fd, os.urandom(1 << 20))
os.fsync(fd)
os.unlink(sys.argv[1])
open(sys.argv[2], "w").close()
time.sleep(60)
PY
HOLDER=$!
for _ in $(seq 1 600); do [ -e "$T/held.ready" ] && break; sleep 0.1; done
[ -e "$T/held.ready" ] || fail "the held file was not written"

if dd if=/dev/urandom of="$MNT/big" bs=1M count=2048 iflag=fullblock conv=fsync \
	2>"$T/err"; then
	fail "2 GiB more fitted on a 1.5 GiB disk"
fi
grep -q "No space left" "$T/err" || fail "big: $(cat "$T/err")"
size=$(stat -c %s "$MNT/big")
[ "$size" -gt $((64 << 20)) ] || fail "ENOSPC came early: $size bytes written"
if echo more >"$MNT/more" 2>"$T/err"; then :; else
	grep -q "No space left" "$T/err" || fail "a small write after ENOSPC: $(cat "$T/err")"
fi
[ "$(cat "$MNT/keep")" = keep ] || fail "keep lost"

# the daemon dies with the orphan still open; the next mount must come up
t_kill9
kill "$HOLDER" 2>/dev/null || true
wait "$HOLDER" 2>/dev/null || true
fusermount3 -u -z "$MNT" 2>/dev/null || umount -l "$MNT" 2>/dev/null || true
t_fsck
t_mount
[ "$(cat "$MNT/keep")" = keep ] || fail "keep lost after remount"
[ "$(stat -c %s "$MNT/big")" -ge "$size" ] || fail "big shrank: $(stat -c %s "$MNT/big") < $size"
avail=$(df -k --output=avail "$MNT" | tail -1)
[ "$avail" -gt $((900 << 10)) ] || fail "the orphan's 1 GiB was not freed: $avail KiB available"
dd if=/dev/urandom of="$MNT/again" bs=1M count=512 iflag=fullblock conv=fsync 2>"$T/err" ||
	fail "512 MiB where the orphan was: $(cat "$T/err")"
t_umount
t_fsck
echo "mount_host_full: ENOSPC after $((size >> 20)) MiB more; the orphan freed at remount; clean"
