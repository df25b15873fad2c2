#!/bin/sh
# mount_readers.sh: reads that wait for the disk, from several readers at
# once, are served on the daemon's reader threads while its loop goes on
# (docs/ARCHITECTURE.md, "reader threads").  Every block of a file holds a
# pattern of its own index, so each read checks where its bytes came
# from.
#  - Readers at random offsets on a cold cache, while a writer appends
#    with fsync to another file and a third file is rewritten and read
#    back: every byte read is the one written.
#  - Threads that write a block (no fsync) and read it back at once with
#    the cold block after it, in one O_DIRECT read: the loop serves that
#    read, since reader threads see the last commit, not the open batch.
#  - SIGTERM to the daemon while such readers run: it exits cleanly (the
#    readers see errors, no hang), and the image is clean.
# The image lives in $T: on a host file system that cannot tell a read
# that would wait (tmpfs), the reads are all served by the loop, and the
# test still checks them.
. "$(dirname "$0")/lib.sh"

BLOCKS=16384 # 64 MiB of 4 KiB blocks
READERS=6

# pattern: the verifying reader and writer, in Python.
cat >"$T/pat.py" <<'PY'
import hashlib, mmap, os, random, sys, threading

def block(i, gen=0):
    """The 4 KiB written at block i (of generation gen)."""
    return hashlib.sha256(b"%d/%d" % (gen, i)).digest() * 128

def write(path, n, gen=0):
    with open(path, "wb") as f:
        for i in range(n):
            f.write(block(i, gen))
        f.flush()
        os.fsync(f.fileno())

def read(path, n, count, seed):
    """count reads of 1-3 blocks at random block offsets, each checked."""
    rnd = random.Random(seed)
    fd = os.open(path, os.O_RDONLY)
    for _ in range(count):
        i = rnd.randrange(n - 3)
        k = rnd.randint(1, 3)
        data = os.pread(fd, 4096 * k, 4096 * i)
        want = b"".join(block(i + j) for j in range(k))
        if data != want[:len(data)]:
            bad = next(b for b in range(len(data)) if data[b] != want[b])
            sys.exit("block %d of %s is wrong" % (i + bad // 4096, path))
        if len(data) != len(want): # the mount went: an error after a part
            sys.exit("short read of %s: %d bytes of %d" % (path, len(data), len(want)))
    os.close(fd)

def rewrite(path, n, rounds):
    """Rewrite path with a new generation, and read each back at once."""
    for gen in range(1, rounds + 1):
        write(path, n, gen)
        fd = os.open(path, os.O_RDONLY)
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        for i in range(n):
            if os.pread(fd, 4096, 4096 * i) != block(i, gen):
                sys.exit("rewrite %d: block %d is wrong" % (gen, i))
        os.close(fd)

def mixed(path, n, nthreads, rounds):
    """Threads each write blocks of their own, no fsync (so the daemon's
    batch holds them), and read each back at once with the cold block
    after it through O_DIRECT, so that one read asks for both."""
    wfd = os.open(path, os.O_WRONLY)
    rfd = os.open(path, os.O_RDONLY | os.O_DIRECT)
    span = (n - 2) // nthreads
    bad = []
    def run(t):
        buf = mmap.mmap(-1, 8192) # page-aligned, as O_DIRECT wants
        rnd = random.Random(t)
        gen = {}
        for r, i in enumerate(rnd.sample(range(t * span, (t + 1) * span - 1), rounds)):
            gen[i] = 100 + r
            os.pwrite(wfd, block(i, gen[i]), 4096 * i)
            if os.preadv(rfd, [buf], 4096 * i) != 8192:
                bad.append("short read at block %d" % i)
            for j in (i, i + 1):
                if buf[4096 * (j - i):4096 * (j - i + 1)] != block(j, gen.get(j, 0)):
                    bad.append("block %d read back wrong" % j)
    ts = [threading.Thread(target=run, args=(t,)) for t in range(nthreads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    if bad:
        sys.exit("; ".join(bad[:5]))

def append(path, count):
    with open(path, "ab") as f:
        for i in range(count):
            f.write(block(i, 7))
            f.flush()
            os.fsync(f.fileno())

cmd = sys.argv[1]
if cmd == "write":
    write(sys.argv[2], int(sys.argv[3]))
elif cmd == "read":
    read(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]))
elif cmd == "rewrite":
    rewrite(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
elif cmd == "mixed":
    mixed(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]))
elif cmd == "append":
    append(sys.argv[2], int(sys.argv[3]))
PY

# cold: every cache dropped (the image's pages on the host too)
cold() {
	sync
	echo 3 >/proc/sys/vm/drop_caches
}

# readers COUNT: start READERS verifying readers of $MNT/a in the
# background; their pids in $pids
readers() {
	pids=
	for k in $(seq 1 $READERS); do
		python3 "$T/pat.py" read "$MNT/a" $BLOCKS "$1" "$k" 2>"$T/reader.$k" &
		pids="$pids $!"
	done
}

t_mkfs
t_mount
python3 "$T/pat.py" write "$MNT/a" $BLOCKS || fail "writing a"
python3 "$T/pat.py" write "$MNT/m" 4096 || fail "writing m"
t_remount
cold
readers 1500
python3 "$T/pat.py" append "$MNT/b" 200 || fail "the appending writer failed"
python3 "$T/pat.py" rewrite "$MNT/c" 256 4 || fail "rewriting c failed"
for p in $pids; do
	wait "$p" || { cat "$T"/reader.*; fail "a reader read wrong bytes or failed"; }
done

# reads that span a block the open batch holds and a cold one, while
# others wait: served by the loop, which sees the batch (a reader thread
# would read the block as last committed)
t_remount
cold
python3 "$T/pat.py" mixed "$MNT/m" 4096 4 300 || fail "a block written was read back wrong"

# the daemon stopped while readers wait for the disk
t_remount
cold
readers 100000
sleep 0.5
pid=$(pgrep -f "mount.orionfs .*$MNT") || fail "no daemon"
kill -TERM "$pid"
for _ in $(seq 1 100); do
	kill -0 "$pid" 2>/dev/null || break
	sleep 0.1
done
kill -0 "$pid" 2>/dev/null && fail "the daemon did not exit on SIGTERM while reads waited"
for p in $pids; do wait "$p" 2>/dev/null || true; done
grep -h "is wrong" "$T"/reader.* && fail "a reader read wrong bytes before the stop"
grep -qs " $MNT " /proc/mounts && fail "SIGTERM left the mount behind"
t_fsck
t_mount
python3 "$T/pat.py" read "$MNT/a" $BLOCKS 500 99 || fail "a is wrong after the stop"
t_umount
t_fsck
echo "readers: parallel cold reads checked; a stop while they waited was clean"
