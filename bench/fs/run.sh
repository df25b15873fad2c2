#!/bin/sh
# bench/fs/run.sh [BINDIR]: orionfs against fuse2fs (an ext4 image served
# through FUSE with -o fakeroot), the same workloads in the same run, one
# table: workload, orionfs, fuse2fs, ratio (>1: orionfs better), target,
# met.  Needs root (drop_caches, mounts), fuse2fs, mkfs.ext4 and a loop
# device (the kernel's ext4 makes the big directory on the ext4 image).
#   BENCH_QUICK=1   small sizes, for a smoke test (seconds, not minutes)
#   BENCH_DIR       where images and data go (default /var/tmp)
#   FSBENCH         a built bench/fs/fsbench (else compiled here with cc)
# Figures: MB/s and ops/s are rates (ratio orionfs/fuse2fs); the tree
# workloads are seconds (ratio fuse2fs/orionfs).  Both file systems are
# mounted at once and each workload runs on one and then on the other, so
# the shared machine's drift falls on both alike.  Who goes first matters:
# the host disk is slower for whoever follows a big write (a seq write
# measured 200 MB/s after the other's, 300-440 before it), and of two
# files read into an empty page cache the one read second reads faster
# from it (by 3-7%, either way round).  So every workload runs ROUNDS
# times (default 4, an even count), the two taking turns at going first,
# and the table shows each one's median (the mean of the middle two), the
# rounds below it.  Seq write starts from fresh images every round; every
# round of warm reads empties the page cache and refills it in that
# round's order.  "cold" runs on a fresh mount, after sync +
# drop_caches (pages a daemon maps survive drop_caches, as would caches
# of its own); the tree workloads include a final syncfs, so the kernel's
# writeback cache cannot hide the work.
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
	NBIG=2000 NLOOK=200
	ROUNDS=${ROUNDS:-1}
else
	SEQ_MB=1024 NFILES=10000 RR_COLD=3000 RR_WARM=100000 RW=8192 TARSRC=/usr/include
	NBIG=100000 NLOOK=1000
	ROUNDS=${ROUNDS:-4}
fi
BT=$(mktemp -d "${BENCH_DIR:-/var/tmp}/orion-bench.XXXXXX") || exit 1

# unmount DIR: unmount DIR if it is mounted.
unmount() {
	if grep -qs " $1 " /proc/mounts; then
		fusermount3 -u "$1" 2>/dev/null || umount -l "$1" 2>/dev/null
	fi
}

# cleanup: unmount what we mounted, remove the scratch directory.
cleanup() {
	for d in "$BT/loop" "$BT/m.orionfs" "$BT/m.fuse2fs"; do unmount "$d"; done
	wait_daemon
	rm -rf "$BT"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# wait_daemon: wait for the daemons serving $BT to exit.
wait_daemon() {
	for fs in orionfs fuse2fs; do settle "$fs"; done
}

# wait_mount DIR: wait until DIR is a FUSE mount.
wait_mount() {
	for _ in $(seq 1 100); do
		grep -qs " $1 fuse" /proc/mounts && return 0
		sleep 0.1
	done
	echo "bench/fs: mount on $1 did not come up" >&2
	exit 1
}

drop() {
	sync
	echo 3 >/proc/sys/vm/drop_caches
}
now() { date +%s.%N; }
# since T0: seconds elapsed since T0.
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.6f", b - a }'; }
# rate AMOUNT SECONDS
rate() { awk -v a="$1" -v s="$2" 'BEGIN { printf "%.1f", a / s }'; }
# ddrate IN OUT [DD-ARG]: copy SEQ_MB MiB from IN to OUT with dd; prints MB/s.
ddrate() {
	t0=$(now)
	dd if="$1" of="$2" bs=1M ${3:+"$3"} status=none || return 1
	rate "$SEQ_MB" "$(since "$t0")"
}

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
DISK=$(ddrate "$BT/src.bin" "$BT/raw.bin" conv=fsync) || exit 1
rm -f "$BT/raw.bin"
sync

# Both file systems are mounted side by side and every workload runs on
# one, then at once on the other, so that drift of the shared machine (the
# host disk's state, other load) falls on both alike.
FSES="orionfs fuse2fs"
mnt() { echo "$BT/m.$1"; }
# put FS KEY VALUE: record a figure; fails when there is none (the
# workload failed).
put() { [ -n "$3" ] && echo "$2 $3" >>"$BT/res.$1"; }

# seqwrite FS: 1 GiB of random data, then fsync, from a clean page cache.
seqwrite() {
	cat "$BT/src.bin" >/dev/null
	sync # start with nothing of anyone else's waiting to be written back
	put "$1" seqwrite "$(ddrate "$BT/src.bin" "$(mnt "$1")/seq" conv=fsync)"
}

# mount_fs FS: mount FS's image.
mount_fs() {
	case $1 in
	orionfs) "$BIN/mount.orionfs" "$BT/orion.fs" "$(mnt orionfs)" || exit 1 ;;
	fuse2fs) fuse2fs "$BT/ext4.img" "$(mnt fuse2fs)" -o fakeroot >/dev/null || exit 1 ;;
	esac
	wait_mount "$(mnt "$1")"
}

# settle FS: wait for the daemon that served FS to exit.
settle() {
	for _ in $(seq 1 100); do
		pgrep -f "(mount.orionfs|fuse2fs) .*$BT/m.$1" >/dev/null 2>&1 || return 0
		sleep 0.1
	done
}

# cold FS: FS mounted afresh, then every cache dropped.
cold() {
	unmount "$(mnt "$1")"
	settle "$1"
	mount_fs "$1"
	drop
}

# seqread_cold FS: the file read back after dropping every cache.
seqread_cold() {
	cold "$1"
	put "$1" seqread_cold "$(ddrate "$(mnt "$1")/seq" /dev/null)"
}

# seqread_warm FS: one read of the cached file.
seqread_warm() { put "$1" seqread_warm "$(ddrate "$(mnt "$1")/seq" /dev/null)"; }

# randread_cold FS ROUND: 4 KiB random reads after dropping every cache
# (other offsets every round).
randread_cold() {
	cold "$1"
	put "$1" randread_cold "$("$FSB" randread "$(mnt "$1")/seq" "$RR_COLD" $(($2 + 10)))"
}

# randread_cold4 FS ROUND: four such readers at once, each on its own
# offsets, after dropping every cache: their rates summed (none if one
# failed).
randread_cold4() {
	cold "$1"
	for k in 1 2 3 4; do
		"$FSB" randread "$(mnt "$1")/seq" "$RR_COLD" $(($2 * 10 + k + 30)) >"$BT/rr4.$k" &
	done
	wait
	put "$1" randread_cold4 "$(cat "$BT"/rr4.[1-4] | awk 'NF { s += $1; n++ } END { if (n == 4) print s }')"
}

# randread_warm FS ROUND: 4 KiB random reads of the cached file.
randread_warm() {
	put "$1" randread_warm "$("$FSB" randread "$(mnt "$1")/seq" "$RR_WARM" "$(($2 + 1))")"
}

# randwrite FS ROUND: 4 KiB random writes, fsync every 32 (other
# offsets every round).
randwrite() {
	sync
	put "$1" randwrite "$("$FSB" randwrite "$(mnt "$1")/seq" "$RW" $(($2 + 2)))"
}

# small FS ROUND PHASE: create, stat, read or delete of NFILES small files.
small() {
	d=$(mnt "$1")/small$2
	[ "$3" = create ] && { mkdir "$d" || return 1; }
	put "$1" "$3" "$("$FSB" "$3" "$d" "$NFILES")" || return 1
	[ "$3" != delete ] || rmdir "$d"
}

# untar, findcat, rmrf FS ROUND: the tree workloads; each ends with a
# syncfs, so the kernel's writeback cache cannot hide the work.
untar() {
	mkdir "$(mnt "$1")/tree$2" || return 1
	cat "$BT/tree.tar" >/dev/null
	sync
	t0=$(now)
	tar -xf "$BT/tree.tar" -C "$(mnt "$1")/tree$2" && sync -f "$(mnt "$1")" || return 1
	put "$1" untar "$(since "$t0")"
}
findcat() {
	cold "$1"
	t0=$(now)
	find "$(mnt "$1")/tree$2" -type f -exec cat {} + >/dev/null || return 1
	put "$1" findcat "$(since "$t0")"
}
rmrf() {
	t0=$(now)
	rm -rf "$(mnt "$1")/tree$2" && sync -f "$(mnt "$1")" || return 1
	put "$1" rmrf "$(since "$t0")"
}

# bigdir_make: a directory of NBIG files on each file system, orionfs's
# made through its mount, the ext4 image's by the kernel's ext4 through a
# loop device (libext2fs, under fuse2fs, scans a directory from its start
# for every name it adds: made through fuse2fs, it takes many minutes).
# Fails, leaving both mounted, when no loop device can be had.
bigdir_make() {
	mkdir "$(mnt orionfs)/big" && "$FSB" create "$(mnt orionfs)/big" "$NBIG" >/dev/null ||
		{ echo "bench/fs: making the big directory failed on orionfs" >&2; exit 1; }
	unmount "$(mnt fuse2fs)"
	settle fuse2fs
	if ! { mkdir -p "$BT/loop" && mount -o loop "$BT/ext4.img" "$BT/loop"; }; then
		mount_fs fuse2fs
		return 1
	fi
	mkdir "$BT/loop/big" && "$FSB" create "$BT/loop/big" "$NBIG" >/dev/null
	rc=$?
	umount "$BT/loop" && [ "$rc" = 0 ] && mount_fs fuse2fs ||
		{ echo "bench/fs: making the big directory failed on ext4" >&2; exit 1; }
}

# bigdir_list FS ROUND: every name in the big directory (ls -f), cold,
# then again, warm.
bigdir_list() {
	cold "$1"
	for k in bigdir_list bigdir_list_warm; do
		t0=$(now)
		n=$(ls -f "$(mnt "$1")/big" | wc -l)
		[ "$n" = $((NBIG + 2)) ] && put "$1" "$k" "$(since "$t0")" || return 1
	done
}

# bigdir_lookup FS ROUND: stat of NLOOK of its names, at random, cold.
bigdir_lookup() {
	cold "$1"
	put "$1" bigdir_lookup "$("$FSB" lookup "$(mnt "$1")/big" "$NBIG" "$NLOOK" $(($2 + 20)))"
}

# order ROUND: the two file systems in ROUND's order: orionfs first in odd
# rounds, fuse2fs first in even ones.
order() { if [ $(($1 % 2)) = 1 ]; then echo "$FSES"; else echo "fuse2fs orionfs"; fi; }

# turns WORKLOAD ROUND [ARG]: run WORKLOAD FS ROUND [ARG] on both file
# systems in ROUND's order.
turns() {
	w=$1 r=$2
	shift 2
	for fs in $(order "$r"); do
		"$w" "$fs" "$r" "$@" || { echo "bench/fs: $w $* failed on $fs" >&2; exit 1; }
	done
}

# rounds WORKLOAD [ARG]: turns WORKLOAD, ROUNDS times.
rounds() {
	w=$1
	shift
	for r in $(seq 1 "$ROUNDS"); do turns "$w" "$r" "$@"; done
}

# warm WORKLOAD: ROUNDS rounds of turns, each on a page cache emptied and
# refilled with both files in the round's order (read twice, so that the
# timed read finds them on the active list, as later reads would).
warm() {
	for r in $(seq 1 "$ROUNDS"); do
		drop
		for pass in 1 2; do
			for fs in $(order "$r"); do cat "$(mnt "$fs")/seq" >/dev/null; done
		done
		turns "$1" "$r"
	done
}

echo "bench/fs: orionfs vs fuse2fs; seq ${SEQ_MB} MiB, $NFILES small files, tar of $TARSRC, a directory of $NBIG files"
for fs in $FSES; do mkdir "$(mnt "$fs")" && : >"$BT/res.$fs"; done

# fresh: both file systems on new, empty images.
fresh() {
	for fs in $FSES; do unmount "$(mnt "$fs")"; done
	wait_daemon
	rm -f "$BT/orion.fs" "$BT/ext4.img"
	"$BIN/mkfs.orionfs" -f "$BT/orion.fs" >/dev/null || exit 1
	truncate -s 8G "$BT/ext4.img"
	mkfs.ext4 -q -F "$BT/ext4.img" || exit 1
	for fs in $FSES; do mount_fs "$fs"; done
	sync
}

# seq write takes turns on fresh images; the reads use the last round's
for r in $(seq 1 "$ROUNDS"); do
	fresh
	turns seqwrite "$r"
done
rounds seqread_cold
warm seqread_warm
rounds randread_cold
rounds randread_cold4
warm randread_warm
rounds randwrite
for fs in $FSES; do rm -f "$(mnt "$fs")/seq"; done
for r in $(seq 1 "$ROUNDS"); do
	for phase in create stat read delete; do turns small "$r" "$phase"; done
done
for r in $(seq 1 "$ROUNDS"); do
	turns untar "$r"
	turns findcat "$r"
	turns rmrf "$r"
done
BIG=1
if bigdir_make; then
	rounds bigdir_list
	rounds bigdir_lookup
else
	BIG=
	echo "bench/fs: no loop device for the ext4 image: the big directory rows are left out" >&2
fi
for fs in $FSES; do unmount "$(mnt "$fs")"; done

# median KEY FILE: the figure the table shows for KEY: the median of its
# rounds (of an even count, the mean of the middle two).
median() {
	awk -v k="$1" '$1 == k { print $2 }' "$2" | sort -g |
		awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
# rounds_of KEY FILE: every figure recorded for KEY, in order.
rounds_of() { awk -v k="$1" '$1 == k { printf "%s%s", s, $2; s = " " }' "$2"; }

# row KEY LABEL UNIT KIND TARGET: one line of the table; KIND is rate
# (higher is better) or time (lower is better).
row() {
	o=$(median "$1" "$BT/res.orionfs")
	f=$(median "$1" "$BT/res.fuse2fs")
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
row randread_cold4 "4K rand read cold x4" op/s rate 1
row randread_warm "4K rand read warm" op/s rate 1
row randwrite "4K rand write+fsync/32" op/s rate 1
row create "small create" op/s rate 2
row stat "small stat" op/s rate 2
row read "small read" op/s rate 1
row delete "small delete" op/s rate 2
row untar "untar" s time 2
row findcat "find+cat (cold)" s time 1
row rmrf "rm -rf" s time 1
if [ -n "$BIG" ]; then
	row bigdir_list "big dir list (cold)" s time 1
	row bigdir_list_warm "big dir list (warm)" s time 1
	row bigdir_lookup "big dir lookup (cold)" op/s rate 1
fi
echo "rounds (orionfs | fuse2fs), the median above:"
for k in seqwrite seqread_cold seqread_warm randread_cold randread_cold4 randread_warm randwrite create stat read delete untar findcat rmrf \
	bigdir_list bigdir_list_warm bigdir_lookup; do
	o=$(rounds_of "$k" "$BT/res.orionfs")
	[ -z "$o" ] || printf "  %-16s %s | %s\n" "$k" "$o" "$(rounds_of "$k" "$BT/res.fuse2fs")"
done
