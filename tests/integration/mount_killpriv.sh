#!/bin/sh
# mount_killpriv.sh: when the kernel offers FUSE_HANDLE_KILLPRIV_V2, the
# daemon takes it (libfuse 3.14 cannot: fuse_server.c's wire hooks add it
# to the INIT reply), so the kernel asks for security.capability once per
# file instead of before every write(2).  Counted in the daemon's request
# log (-d): 80 writes through one descriptor.  (A set-user-ID file is
# still asked about at every write, as on any file system.)
. "$(dirname "$0")/lib.sh"

t_mkfs
t_mount_logged "$T/requests"

# the kernel's INIT flags, as libfuse logs them (the first flags= line)
kflags=$(sed -n 's/^flags=0x\([0-9a-f]*\)$/\1/p' "$T/requests" | head -n 1)
[ -n "$kflags" ] || fail "no INIT flags in the request log"
if [ $((0x$kflags & 0x10000000)) -eq 0 ]; then
	t_umount
	echo "mount_killpriv: skipped: this kernel does not offer HANDLE_KILLPRIV_V2 (flags 0x$kflags)"
	exit 0
fi

python3 - "$MNT/f" <<'PY' || fail "writes failed"
import os, sys
fd = os.open(sys.argv[1], os.O_WRONLY | os.O_CREAT, 0o644)
for _ in range(80):
    os.write(fd, b"x")
os.close(fd)
PY
t_umount
writes=$(grep -c "opcode: WRITE" "$T/requests")
asks=$(grep -c "opcode: GETXATTR" "$T/requests" || true)
[ "$writes" -ge 80 ] || fail "only $writes WRITE requests for 80 writes"
# without the flag: one GETXATTR per write(2), 80
[ "$asks" -le 2 ] || fail "$asks GETXATTR requests for $writes writes: KILLPRIV_V2 not in effect"
t_fsck
echo "mount_killpriv: $writes writes, $asks capability lookups"
