#!/bin/sh
# run.sh: build and run the OrionDB benchmark (OrionDB API against raw LMDB
# and SQLite on the same data).  BENCH_QUICK=1 for 100k keys instead of
# 1M.  Its files go to a temporary directory under BENCH_DIR (default: the
# build directory, so on the same disk as the tree), removed afterwards.
set -eu
cd "$(dirname "$0")/../.."
O=${O:-build/gcc}
make --no-print-directory -j2 "$O/bench/db/db-bench" >/dev/null
mkdir -p "${BENCH_DIR:=$O/bench/db}"
BENCH_DIR=$BENCH_DIR exec "$O/bench/db/db-bench"
