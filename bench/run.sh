#!/bin/sh
# run.sh: every benchmark, each printing our figure beside its anchor
# measured in the same run.  BENCH_QUICK=1 runs small sizes (smoke test).
# BENCH_ONLY=fs|ofs|db|lang runs one suite.
set -u
cd "$(dirname "$0")/.." || exit 2
TOP=$(pwd)
rc=0
for suite in fs ofs db lang; do
	[ -n "${BENCH_ONLY:-}" ] && [ "$BENCH_ONLY" != "$suite" ] && continue
	if [ -x "bench/$suite/run.sh" ]; then
		echo "=== bench/$suite"
		"bench/$suite/run.sh" "$TOP/bin" || rc=1
	fi
	if [ "$suite" = db ] && [ -x bench/db/mount.sh ]; then
		echo "=== bench/db/mount.sh (/db/KEY against a regular file)"
		bench/db/mount.sh "$TOP/bin" || rc=1
	fi
done
exit $rc
