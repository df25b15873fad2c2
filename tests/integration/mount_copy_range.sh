#!/bin/sh
# mount_copy_range.sh: copy_file_range(2) between files of the mount is
# done by the daemon (FUSE_COPY_FILE_RANGE): the bytes are not read out
# and written back through the kernel.  A file copied whole and a copy
# inside one file, checked byte for byte after a remount; the daemon's
# request log (-d) must show the copies and no WRITE for them.
. "$(dirname "$0")/lib.sh"

t_mkfs
head -c 3000017 /dev/urandom >"$T/src"
dd if="$T/src" of="$T/inner" bs=1 skip=17 count=1000 status=none
t_mount_logged "$T/requests"
cp "$T/src" "$MNT/a" || fail "cp in failed"
sync -f "$MNT/a"
from=$(($(wc -l <"$T/requests") + 1))
python3 - "$MNT" <<'PY' || fail "copies failed"
import os, sys
d = sys.argv[1]
def copy(src, dst, n, off_in=0, off_out=0):
    fi = os.open(src, os.O_RDONLY)
    fo = os.open(dst, os.O_WRONLY | os.O_CREAT, 0o644)
    while n:
        k = os.copy_file_range(fi, fo, n, off_in, off_out)
        if k <= 0:
            sys.exit("copy_file_range returned %d with %d left" % (k, n))
        n, off_in, off_out = n - k, off_in + k, off_out + k
    os.close(fi)
    os.close(fo)
copy(d + "/a", d + "/b", 3000017)
copy(d + "/a", d + "/a", 1000, 17, 3000017)  # inside one file, past its end
PY
t_umount
tail -n +"$from" "$T/requests" >"$T/copying"
copies=$(grep -c "opcode: COPY_FILE_RANGE" "$T/copying" || true)
writes=$(grep -c "opcode: WRITE" "$T/copying" || true)
[ "$copies" -ge 2 ] || fail "$copies COPY_FILE_RANGE requests: the kernel copied through read/write"
[ "$writes" -eq 0 ] || fail "$writes WRITE requests while copying"
t_mount
cmp "$T/src" "$MNT/b" || fail "b differs from its source after a remount"
head -c 3000017 "$MNT/a" | cmp - "$T/src" || fail "a's own bytes changed"
tail -c 1000 "$MNT/a" | cmp - "$T/inner" || fail "the copy inside a differs"
t_umount
t_fsck
echo "mount_copy_range: $copies copy requests, no writes"
