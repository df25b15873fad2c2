#!/bin/sh
# run.sh SECONDS FUZZER...: run each libFuzzer binary for SECONDS on its
# corpus (tests/fuzz/corpus_NAME/, copied so the tree stays clean).
set -u
secs=$1; shift
[ $# -gt 0 ] || { echo "fuzz: no fuzzers built"; exit 1; }
here=$(cd "$(dirname "$0")" && pwd)
n=0 bad=0
for f in "$@"; do
	name=$(basename "$f"); name=${name#fuzz_}
	work=$(mktemp -d)
	[ -d "$here/corpus_$name" ] && cp -r "$here/corpus_$name/." "$work/"
	echo "fuzz: $f for ${secs}s"
	if "$f" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 "$work" >"$work.log" 2>&1; then
		n=$((n + 1)); tail -n 6 "$work.log"
	else
		bad=$((bad + 1)); tail -n 60 "$work.log"
	fi
	rm -rf "$work" "$work.log"
done
echo "fuzz: $n passed, $bad failed"
[ "$bad" -eq 0 ]
