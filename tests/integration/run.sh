#!/bin/sh
# run.sh [PATTERN]: run every tests/integration/*.sh (but lib.sh) with a
# timeout; prints one line per test and a closing "N passed, N failed".
cd "$(dirname "$0")" || exit 2
pass=0 failn=0 failed=""
for t in ${1:-*}.sh; do
	[ "$t" = lib.sh ] || [ "$t" = run.sh ] && continue
	[ -f "$t" ] || continue
	start=$(date +%s)
	log=$(mktemp "/tmp/orion-it-$t.XXXXXX")
	if timeout -k 10 "${ORION_TEST_TIMEOUT:-300}" sh "$t" >"$log" 2>&1; then
		pass=$((pass + 1)); echo "ok   $t ($(($(date +%s) - start))s)"
	else
		failn=$((failn + 1)); failed="$failed $t"
		echo "FAIL $t ($(($(date +%s) - start))s)"
		grep -E 'FAIL|[Ee]rror|Sanitizer|runtime error' "$log" | head -n 20 | sed 's/^/  ! /'
		tail -n 30 "$log" | sed 's/^/    /'
	fi
	rm -f "$log"
done
echo "integration: $pass passed, $failn failed"
[ "$failn" -eq 0 ]
