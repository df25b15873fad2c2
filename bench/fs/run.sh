#!/bin/sh
# bench/fs/run.sh [BINDIR]: orionfs against fuse2fs (an ext4 image served
# through FUSE with -o fakeroot), the same workloads in the same run, one
# table: workload, orionfs, fuse2fs, ratio (>1: orionfs better), target,
# met.  Needs root (drop_caches, mounts), fuse2fs and mkfs.ext4.
#   BENCH_QUICK=1   small sizes, for a smoke test (seconds, not minutes)
#   BENCH_DIR       where images and data go (default /var/tmp)
#   FSBENCH         a built bench/fs/fsbench (else compiled here with cc)
# Figures: MB/s and ops/s are rates (ratio orionfs/fuse2fs); the tree
# workloads are seconds (ratio fuse2fs/orionfs).  Warm reads are the best
# of three runs (on both filesystems).  "cold" runs after
# sync + drop_caches; the tree workloads include a final syncfs, so the
# kernel's writeback cache cannot hide the work.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
BIN=${1:-$HERE/../../bin}
if [ "$(id -u)" != 0 ]; then
	echo "bench/fs: needs root (drop_caches and mounts)" >&2
	exit 1
fi
for p in fuse2fs mkfs.ext4 fusermount3 "$BIN/mkfs.orionfs" "$BIN/mount.orionfs"; do
	command -v "$p" >/dev/null 2>&1 || { echo "bench/fs: $p not found" >&2; exit 1; }
done

if [ "${BENCH_QUICK:-0}" = 1 ]; then
	SEQ_MB=128 NFILES=1000 RR_COLD=300 RR_WARM=20000 RW=1024 TARSRC=/usr/include/linux
else
	SEQ_MB=1024 NFILES=10000 RR_COLD=3000 RR_WARM=100000 RW=8192 TARSRC=/usr/include
fi
BT=$(mktemp -d "${BENCH_DIR:-/var/tmp}/orion-bench.XXXXXX") || exit 1
MNT=$BT/m
mkdir "$MNT"

# cleanup: unmount what we mounted, remove the scratch directory.
cleanup() {
	if grep -qs " $MNT " /proc/mounts; then
		fusermount3 -u "$MNT" 2>/dev/null || umount -l "$MNT" 2>/dev/null
	fi
	wait_daemon
	rm -rf "$BT"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# wait_daemon: wait for the daemon serving $BT to exit.
wait_daemon() {
	for _ in $(seq 1 100); do
		pgrep -f "(mount.orionfs|fuse2fs) .*$BT" >/dev/null 2>&1 || return 0
		sleep 0.1
	done
}

# wait_mount: wait until $MNT is a FUSE mount.
wait_mount() {
	for _ in $(seq 1 100); do
		grep -qs " $MNT fuse" /proc/mounts && return 0
		sleep 0.1
	done
	echo "bench/fs: mount did not come up" >&2
	exit 1
}

drop() {
	sync
	echo 3 >/proc/sys/vm/drop_caches
}
now() { date +%s.%N; }
# since T0: seconds elapsed since T0.
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.6f", b - a }'; }
# max A B: the larger of two figures.
max() { awk -v a="$1" -v b="$2" 'BEGIN { print (a + 0 > b + 0) ? a : b }'; }
# rate AMOUNT SECONDS
rate() { awk -v a="$1" -v s="$2" 'BEGIN { printf "%.1f", a / s }'; }

FSB=${FSBENCH:-}
if [ -z "$FSB" ]; then
	FSB=$BT/fsbench
	${CC:-cc} -std=c17 -O2 -D_GNU_SOURCE -o "$FSB" "$HERE/fsbench.c" || exit 1
fi
head -c "${SEQ_MB}M" /dev/urandom >"$BT/src.bin"
tar -C "$(dirname "$TARSRC")" -cf "$BT/tree.tar" "$(basename "$TARSRC")"
sync # neither file system may pay for writing back the sources

# The host disk itself, as a ceiling: the same data written to a new file
# with fsync, beside the images.
t0=$(now)
dd if="$BT/src.bin" of="$BT/raw.bin" bs=1M conv=fsync status=none || exit 1
DISK=$(rate "$SEQ_MB" "$(since "$t0")")
rm -f "$BT/raw.bin"
sync

# workloads NAME: run every workload on $MNT; figures go to $BT/res.NAME.
workloads() {
	R=$BT/res.$1
	: >"$R"
	cat "$BT/src.bin" >/dev/null
	sync # start with nothing of anyone else's waiting to be written back
	t0=$(now)
	dd if="$BT/src.bin" of="$MNT/seq" bs=1M conv=fsync status=none || return 1
	echo "seqwrite $(rate "$SEQ_MB" "$(since "$t0")")" >>"$R"
	drop
	t0=$(now)
	dd if="$MNT/seq" of=/dev/null bs=1M status=none || return 1
	echo "seqread_cold $(rate "$SEQ_MB" "$(since "$t0")")" >>"$R"
	best=0
	for _ in 1 2 3; do # warm figures: best of three, the machine is shared
		t0=$(now)
		dd if="$MNT/seq" of=/dev/null bs=1M status=none || return 1
		best=$(max "$best" "$(rate "$SEQ_MB" "$(since "$t0")")")
	done
	echo "seqread_warm $best" >>"$R"
	drop
	echo "randread_cold $("$FSB" randread "$MNT/seq" "$RR_COLD" 1)" >>"$R"
	cat "$MNT/seq" >/dev/null
	best=0
	for seed in 2 3 4; do
		best=$(max "$best" "$("$FSB" randread "$MNT/seq" "$RR_WARM" "$seed")")
	done
	echo "randread_warm $best" >>"$R"
	echo "randwrite $("$FSB" randwrite "$MNT/seq" "$RW" 3)" >>"$R"
	rm -f "$MNT/seq"
	mkdir "$MNT/small"
	for phase in create stat read delete; do
		echo "$phase $("$FSB" "$phase" "$MNT/small" "$NFILES")" >>"$R"
	done
	rmdir "$MNT/small"
	mkdir "$MNT/tree"
	cat "$BT/tree.tar" >/dev/null
	t0=$(now)
	tar -xf "$BT/tree.tar" -C "$MNT/tree" && sync -f "$MNT" || return 1
	echo "untar $(since "$t0")" >>"$R"
	drop
	t0=$(now)
	find "$MNT/tree" -type f -exec cat {} + >/dev/null || return 1
	echo "findcat $(since "$t0")" >>"$R"
	t0=$(now)
	rm -rf "$MNT/tree" && sync -f "$MNT" || return 1
	echo "rmrf $(since "$t0")" >>"$R"
}

echo "bench/fs: orionfs vs fuse2fs; seq ${SEQ_MB} MiB, $NFILES small files, tar of $TARSRC"
"$BIN/mkfs.orionfs" -f "$BT/orion.fs" >/dev/null || exit 1
"$BIN/mount.orionfs" "$BT/orion.fs" "$MNT" || exit 1
wait_mount
workloads orionfs || { echo "bench/fs: a workload failed on orionfs" >&2; exit 1; }
fusermount3 -u "$MNT"
wait_daemon

truncate -s 8G "$BT/ext4.img"
mkfs.ext4 -q -F "$BT/ext4.img" || exit 1
fuse2fs "$BT/ext4.img" "$MNT" -o fakeroot >/dev/null || exit 1
wait_mount
workloads fuse2fs || { echo "bench/fs: a workload failed on fuse2fs" >&2; exit 1; }
fusermount3 -u "$MNT"
wait_daemon

# row KEY LABEL UNIT KIND TARGET: one line of the table; KIND is rate
# (higher is better) or time (lower is better).
row() {
	o=$(awk -v k="$1" '$1 == k { print $2 }' "$BT/res.orionfs")
	f=$(awk -v k="$1" '$1 == k { print $2 }' "$BT/res.fuse2fs")
	awk -v l="$2" -v u="$3" -v kind="$4" -v t="$5" -v o="$o" -v f="$f" 'BEGIN {
		r = (kind == "rate") ? o / f : f / o
		tt = ">=" t "x"
		m = (r >= t) ? "met" : "NOT MET"
		if (kind == "time") { o = sprintf("%.3f", o); f = sprintf("%.3f", f) }
		printf "%-24s %12s %12s %-5s %7.2f %7s  %s\n", l, o, f, u, r, tt, m
	}'
}
printf "%-24s %12s %12s %-5s %7s %7s  %s\n" workload orionfs fuse2fs unit ratio target met
row seqwrite "seq write (fsync)" MB/s rate 3
printf "%-24s %12s %12s %-5s   (the host disk: a plain file, same data, fsync)\n" \
	"  host disk" "$DISK" "$DISK" MB/s
row seqread_cold "seq read cold" MB/s rate 1
row seqread_warm "seq read warm" MB/s rate 1
row randread_cold "4K rand read cold" op/s rate 1
row randread_warm "4K rand read warm" op/s rate 1
row randwrite "4K rand write+fsync/32" op/s rate 1
row create "small create" op/s rate 2
row stat "small stat" op/s rate 2
row read "small read" op/s rate 1
row delete "small delete" op/s rate 2
row untar "untar" s time 2
row findcat "find+cat (cold)" s time 1
row rmrf "rm -rf" s time 1
