#!/bin/sh
# mount_posix.sh: what the FUSE server itself must get right on top of the
# storage layer, with and without the write-back cache: mmap, O_APPEND,
# O_TRUNC, O_EXCL, renameat2 flags, set-gid directories, utimens NOW/OMIT, truncate,
# fallocate, locks kept by the kernel, and a listing that survives
# deletions while it is read (cookies, not indexes).
. "$(dirname "$0")/lib.sh"

t_mkfs
# both ways of writing: straight to the daemon (default) and through the
# kernel's write-back cache
for opts in rw writeback_cache; do
t_mount "$IMG" "$MNT" "$opts"
cd "$MNT"

OPTS=$opts python3 - <<'PY' || fail "python checks ($opts)"
import ctypes, errno, fcntl, mmap, os, stat, sys

def check(cond, what):
    if not cond:
        print("FAIL:", what, file=sys.stderr)
        sys.exit(1)

# mmap shared and writable, then read back through read(2)
with open("m", "wb") as f:
    f.write(b"\0" * 20000)
fd = os.open("m", os.O_RDWR)
mm = mmap.mmap(fd, 20000, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
mm[5000:5005] = b"hello"
mm.flush()
mm.close()
os.close(fd)
check(open("m", "rb").read()[5000:5005] == b"hello", "mmap write")

# O_APPEND from two descriptors
a = os.open("ap", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
b = os.open("ap", os.O_WRONLY | os.O_APPEND)
os.write(a, b"one\n"); os.write(b, b"two\n"); os.write(a, b"three\n")
os.close(a); os.close(b)
check(open("ap", "rb").read() == b"one\ntwo\nthree\n", "O_APPEND")

# O_TRUNC on a write-only open, then a partial page write
with open("tr", "wb") as f:
    f.write(b"x" * 10000)
fd = os.open("tr", os.O_WRONLY | os.O_TRUNC)
check(os.fstat(fd).st_size == 0, "O_TRUNC size")
os.pwrite(fd, b"ab", 100)
os.close(fd)
d = open("tr", "rb").read()
check(d == b"\0" * 100 + b"ab", "O_TRUNC content %r" % d[:8])

# O_EXCL
try:
    os.open("tr", os.O_WRONLY | os.O_CREAT | os.O_EXCL)
    check(False, "O_EXCL on an existing file")
except FileExistsError:
    pass

# renameat2 NOREPLACE and EXCHANGE
libc = ctypes.CDLL(None, use_errno=True)
def rename2(a, b, flags):
    r = libc.renameat2(-100, a.encode(), -100, b.encode(), flags)
    return 0 if r == 0 else ctypes.get_errno()
open("ra", "w").write("A"); open("rb", "w").write("B")
check(rename2("ra", "rb", 1) == errno.EEXIST, "RENAME_NOREPLACE")
check(rename2("ra", "rb", 2) == 0, "RENAME_EXCHANGE")
check(open("ra").read() == "B" and open("rb").read() == "A", "exchange content")
check(rename2("ra", "rc", 1) == 0 and not os.path.exists("ra"), "NOREPLACE to a free name")

# set-gid directory: group and bit passed on
os.mkdir("sg"); os.chown("sg", 0, 4242); os.chmod("sg", 0o2775)
open("sg/f", "w").close(); os.mkdir("sg/d")
check(os.stat("sg/f").st_gid == 4242, "set-gid group on a file")
check(os.stat("sg/d").st_gid == 4242 and os.stat("sg/d").st_mode & stat.S_ISGID, "set-gid dir")

# utimens: explicit, NOW and OMIT
open("t", "w").close()
os.utime("t", ns=(1000000000123456789, 2000000000987654321))
st = os.stat("t")
check((st.st_atime_ns, st.st_mtime_ns) == (1000000000123456789, 2000000000987654321), "utimens ns")
UTIME_NOW, UTIME_OMIT = (1 << 30) - 1, (1 << 30) - 2
class ts(ctypes.Structure):
    _fields_ = [("s", ctypes.c_long), ("ns", ctypes.c_long)]
arr = (ts * 2)(ts(0, UTIME_OMIT), ts(0, UTIME_NOW))
check(libc.utimensat(-100, b"t", arr, 0) == 0, "utimensat")
st2 = os.stat("t")
check(st2.st_atime_ns == 1000000000123456789, "UTIME_OMIT kept atime")
check(st2.st_mtime_ns > 2000000000987654321 - 10**18 and st2.st_mtime_ns != 2000000000987654321, "UTIME_NOW")

# truncate up and down, fallocate
with open("tu", "wb") as f:
    f.write(b"y" * 5000)
os.truncate("tu", 100000)
d = open("tu", "rb").read()
check(len(d) == 100000 and d[:5000] == b"y" * 5000 and d[5000:] == b"\0" * 95000, "truncate up")
os.truncate("tu", 10)
check(open("tu", "rb").read() == b"y" * 10, "truncate down")
fd = os.open("fa", os.O_RDWR | os.O_CREAT, 0o644)
os.posix_fallocate(fd, 0, 1 << 20)
check(os.fstat(fd).st_size == 1 << 20, "fallocate size")
os.close(fd)

# SEEK_DATA/SEEK_HOLE: real holes (64 KiB blocks), but under the
# write-back cache only once no handle that may write the file is open:
# until then data may sit in the kernel's cache, and we decline
M = 1 << 20
def holes(fd, what):
    check(os.lseek(fd, 0, os.SEEK_DATA) == M, "SEEK_DATA over a leading hole " + what)
    check(os.lseek(fd, M, os.SEEK_HOLE) == M + 65536, "SEEK_HOLE after the data block " + what)
    check(os.lseek(fd, 0, os.SEEK_HOLE) == 0, "SEEK_HOLE at a hole " + what)
    try:
        os.lseek(fd, 2 * M, os.SEEK_DATA)
        check(False, "SEEK_DATA at the end of the file " + what)
    except OSError as e:
        check(e.errno == errno.ENXIO, "SEEK_DATA at the end: ENXIO " + what)
def declined(fd, what):
    for whence in (os.SEEK_DATA, os.SEEK_HOLE):
        try:
            os.lseek(fd, 0, whence)
            check(False, "lseek answered while a writer may hold dirty pages " + what)
        except OSError as e:
            check(e.errno == errno.EOPNOTSUPP, "lseek declined with EOPNOTSUPP " + what)
wb = os.environ["OPTS"] == "writeback_cache"
fd = os.open("sp", os.O_RDWR | os.O_CREAT, 0o644)
os.pwrite(fd, b"d" * 4096, M)
os.ftruncate(fd, 2 * M)
os.fsync(fd)
if wb:
    declined(fd, "(writer open)")
else:
    holes(fd, "(writer open)")
# data written into the leading hole stays in the kernel's cache under the
# write-back cache: a reader must not be told it is a hole
ro = os.open("sp", os.O_RDONLY)
os.pwrite(fd, b"x" * 4096, 0)
if wb:
    declined(ro, "(reader beside a writer)")
else:
    check(os.lseek(ro, 0, os.SEEK_DATA) == 0, "SEEK_DATA sees the write into the hole")
os.close(fd)
if wb:  # closed: written back, the holes are ours to tell again
    check(os.lseek(ro, 0, os.SEEK_DATA) == 0, "SEEK_DATA sees the write after close")
    check(os.lseek(ro, 4096, os.SEEK_HOLE) == 65536, "SEEK_HOLE after close")
    check(os.lseek(ro, 65536, os.SEEK_DATA) == M, "SEEK_DATA over the hole after close")
os.close(ro)

# locks stay in the kernel, but they work
fd1 = os.open("lk", os.O_RDWR | os.O_CREAT, 0o644)
fd2 = os.open("lk", os.O_RDWR)
fcntl.flock(fd1, fcntl.LOCK_EX)
try:
    fcntl.flock(fd2, fcntl.LOCK_EX | fcntl.LOCK_NB)
    check(False, "flock not exclusive")
except BlockingIOError:
    pass
fcntl.flock(fd1, fcntl.LOCK_UN)
fcntl.lockf(fd1, fcntl.LOCK_EX)
os.close(fd1); os.close(fd2)

# fsync and fdatasync answer
fd = os.open("m", os.O_RDWR)
os.fsync(fd); os.fdatasync(fd); os.close(fd)

# a listing read in pieces while entries are deleted never repeats one
os.mkdir("big")
for i in range(3000):
    open("big/f%04d" % i, "w").close()
seen = set()
with os.scandir("big") as it:
    for n, e in enumerate(it):
        check(e.name not in seen, "entry listed twice: " + e.name)
        seen.add(e.name)
        if n % 2 == 0:
            os.unlink("big/" + e.name)
left = os.listdir("big")
check(len(seen) + 0 >= len(left), "listing")
for e in left:
    os.unlink("big/" + e)
os.rmdir("big")
PY
cd /
for f in "$MNT"/*; do
	case ${f##*/} in db | ctl | proc | snapshots) ;; *) rm -rf "$f" ;; esac
done
t_umount
t_fsck
done

# nodiratime: a listing leaves a directory's stale atime; a read still
# moves a file's (the battery's atime checks hold without the option)
t_mount "$IMG" "$MNT" nodiratime
mkdir "$MNT/nd"
echo x >"$MNT/nd/f"
touch -a -d 2001-01-01 "$MNT/nd" "$MNT/nd/f"
old=$(date -d 2001-01-01 +%s)
ls "$MNT/nd" >/dev/null
cat "$MNT/nd/f" >/dev/null
[ "$(stat -c %X "$MNT/nd")" = "$old" ] || fail "nodiratime: a listing moved a directory's atime"
[ "$(stat -c %X "$MNT/nd/f")" -gt "$old" ] || fail "nodiratime: a read left a file's stale atime"
t_umount
t_fsck

# noatime: no read moves an atime: not of a file read from the image
# (its cached pages dropped first, so that the read reaches the daemon),
# nor a listing or a readlink; after a remount too.  touch still sets it.
t_mount "$IMG" "$MNT" noatime
mkdir "$MNT/na"
head -c 300000 /dev/urandom >"$MNT/na/f"
ln -s f "$MNT/na/l"
touch -h -a -d 2001-01-01 "$MNT/na" "$MNT/na/f" "$MNT/na/l"
cat "$MNT/na/f" >/dev/null
dd if="$MNT/na/f" iflag=nocache count=0 status=none # drops its cached pages
cat "$MNT/na/f" >/dev/null
ls "$MNT/na" >/dev/null
readlink "$MNT/na/l" >/dev/null
t_umount
t_mount "$IMG" "$MNT" noatime
for p in na na/f na/l; do
	[ "$(stat -c %X "$MNT/$p")" = "$old" ] || fail "noatime: reading $p moved its atime"
done
touch -a -d 2002-02-02 "$MNT/na/f"
[ "$(stat -c %X "$MNT/na/f")" = "$(date -d 2002-02-02 +%s)" ] || fail "noatime: touch -a did not set the atime"
t_umount
t_fsck
echo "mount_posix: ok"
