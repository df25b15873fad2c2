#!/bin/sh
# mount.sh [BIN]: the cost of reading /db/KEY through a mount against
# reading a regular file of the same size in the same mount: N rounds
# (default 10000, BENCH_QUICK=1: 2000) of open + read + close each, for
# values of 100 bytes and 64 KiB.  Prints the medians, p99s and ratios.
# BIN holds mkfs.orionfs and mount.orionfs (default: bin/).
set -eu
cd "$(dirname "$0")/../.."
BIN=${1:-$(pwd)/bin}
O=${O:-build/gcc}
N=${BENCH_N:-10000}
[ "${BENCH_QUICK:-0}" = 1 ] && N=2000
make --no-print-directory -j2 "$O/bench/db/mount-read" >/dev/null
W=$(mktemp -d "${TMPDIR:-/tmp}/orion-dbmount.XXXXXX")
cleanup() {
	if grep -qs " $W/mnt " /proc/mounts; then
		fusermount3 -u "$W/mnt" 2>/dev/null || umount -l "$W/mnt" 2>/dev/null || true
		for _ in 1 2 3 4 5 6 7 8 9 10; do
			pgrep -f "mount.orionfs .*$W" >/dev/null 2>&1 || break
			sleep 0.2
		done
	fi
	rm -rf "$W"
}
trap cleanup EXIT
mkdir "$W/mnt"
"$BIN/mkfs.orionfs" -f "$W/image" >/dev/null
"$BIN/mount.orionfs" "$W/image" "$W/mnt"
M=$W/mnt
echo "reading /db/KEY against a regular file of the same size, $N rounds of open+read+close"
printf '%-10s %12s %12s %12s %12s %8s\n' size file_med_us db_med_us file_p99_us db_p99_us ratio
for size in 100 65536; do
	head -c "$size" /dev/zero | tr '\0' v >"$M/file$size"
	mkdir -p "$M/db/bench"
	cp "$M/file$size" "$M/db/bench/key$size"
	cmp -s "$M/file$size" "$M/db/bench/key$size"
	"$O/bench/db/mount-read" "$N" "$M/file$size" "$M/db/bench/key$size" >"$W/out"
	set -- $(tr '\n' ' ' <"$W/out")
	# FILE BYTES MEDIAN P99, twice: the regular file, then the key
	[ "$2" = "$size" ] && [ "$6" = "$size" ] || { echo "mount.sh: read $2 and $6 bytes, want $size" >&2; exit 1; }
	printf '%-10s %12s %12s %12s %12s %7.2fx\n' "$size" "$3" "$7" "$4" "$8" \
		"$(echo "$7 / $3" | bc -l)"
done
