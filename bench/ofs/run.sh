#!/bin/sh
# run.sh: build and run the storage-layer benchmark (OrionFS without FUSE
# against plain syscalls on the host file system, same disk, same run).
# BENCH_QUICK=1 uses a 32 MiB file instead of 256 MiB.  Scratch files go
# to a temporary directory under BENCH_DIR (default: the build directory).
set -eu
cd "$(dirname "$0")/../.."
O=${O:-build/gcc}
make --no-print-directory -j2 "$O/bench/ofs/ofs-bench" >/dev/null
mkdir -p "${BENCH_DIR:=$O/bench/ofs}"
d=$(cd "$(mktemp -d "$BENCH_DIR/run.XXXXXX")" && pwd) # absolute: the bench chdirs
trap 'rm -rf "$d"' EXIT
"$O/bench/ofs/ofs-bench" "$d" "$([ -n "${BENCH_QUICK:-}" ] && echo 32 || echo 256)"
