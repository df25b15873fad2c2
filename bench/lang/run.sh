#!/bin/sh
# run.sh [ORION_LANG_BIN | BIN_DIR]: OrionLang benchmarks against lua5.4 and
# python3.
#
# Every benchmark NAME exists as NAME.ol, NAME.lua and NAME.py implementing
# the same algorithm; each prints a checksum line, and the three lines must
# agree. Each program runs BENCH_RUNS times (default 3) and the best wall
# time is kept. A row whose OrionLang program fails, times out or prints a
# different checksum shows FAIL and the run goes on.
#
# Each program takes an optional SCALE argument dividing its sizes
# (BENCH_QUICK=1 uses 20). Targets: OrionLang faster than python3 on every
# row, and the geometric mean of orion/lua at or under 1.5.
here=$(cd "$(dirname "$0")" && pwd)
orion=${1:-$here/../../bin/orion-lang}
case $orion in /*) ;; *) orion=$(pwd)/$orion ;; esac
[ -d "$orion" ] && orion=$orion/orion-lang
# BENCH_QUICK=1: a smoke test (sizes divided by 20, one run each).
scale=1
if [ -n "${BENCH_QUICK:-}" ] && [ "${BENCH_QUICK}" != 0 ]; then
	scale=20
	: "${BENCH_RUNS:=1}"
fi
runs=${BENCH_RUNS:-3}
limit=${BENCH_TIMEOUT:-300}
benches=${BENCHES:-"fib loops strings map sort closures jsondoc"}
lua=${LUA:-lua5.4}
# the real interpreter, not a version-manager shim (whose start-up would be
# counted as python's time)
py=${PYTHON:-$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null || echo python3)}
cd "$here" || exit 2
tmp=$(mktemp -d "${TMPDIR:-/tmp}/orion-lang-bench.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM

command -v "$lua" >/dev/null 2>&1 || { echo "bench/lang: $lua not found" >&2; exit 2; }
command -v "$py" >/dev/null 2>&1 || { echo "bench/lang: $py not found" >&2; exit 2; }
[ -x "$orion" ] || echo "bench/lang: $orion not found; OrionLang rows will FAIL" >&2

now() { date +%s.%N; }

# best LANG FILE: runs FILE $runs times; prints the best time in seconds, or
# FAIL (non-zero exit, timeout, or output differing between runs). The
# program's output is left in $tmp/LANG.out.
best() {
	b=
	i=0
	while [ "$i" -lt "$runs" ]; do
		i=$((i + 1))
		t0=$(now)
		case $1 in
		orion) timeout -k 5 "$limit" "$orion" "$2" "$scale" >"$tmp/$1.cur" 2>"$tmp/$1.err" ;;
		lua) timeout -k 5 "$limit" "$lua" "$2" "$scale" >"$tmp/$1.cur" 2>"$tmp/$1.err" ;;
		python) timeout -k 5 "$limit" "$py" "$2" "$scale" >"$tmp/$1.cur" 2>"$tmp/$1.err" ;;
		esac
		rc=$?
		t1=$(now)
		if [ "$rc" -ne 0 ]; then echo FAIL; return; fi
		if [ "$i" -gt 1 ] && ! cmp -s "$tmp/$1.cur" "$tmp/$1.out"; then echo FAIL; return; fi
		mv "$tmp/$1.cur" "$tmp/$1.out"
		b=$(awk -v a="$t0" -v z="$t1" -v b="$b" 'BEGIN { t = z - a; if (b == "" || t < b) b = t; printf "%.3f", b }')
	done
	echo "$b"
}

norm() { tr -s ' \t' '  ' <"$1" | sed 's/ *$//'; }

printf '%-10s %9s %9s %9s %10s %12s\n' benchmark "orion s" "lua5.4 s" "python3 s" orion/lua "beats python"
printf '%-10s %9s %9s %9s %10s %12s\n' ---------- --------- --------- --------- ---------- ------------
ratios='' allfast=yes failed=0 notes=''
for name in $benches; do
	tl=$(best lua "$name.lua")
	tp=$(best python "$name.py")
	if [ -x "$orion" ]; then to=$(best orion "$name.ol"); else to=FAIL; fi
	why=
	if [ "$tl" = FAIL ] || [ "$tp" = FAIL ]; then
		why="anchor failed"
	elif [ "$(norm "$tmp/lua.out")" != "$(norm "$tmp/python.out")" ]; then
		why="lua and python checksums differ"
	fi
	if [ -z "$why" ] && [ "$to" != FAIL ] && [ "$(norm "$tmp/orion.out")" != "$(norm "$tmp/lua.out")" ]; then
		to=FAIL
		why="orion checksum $(norm "$tmp/orion.out" | head -c 80) != $(norm "$tmp/lua.out")"
	elif [ -z "$why" ] && [ "$to" = FAIL ]; then
		if [ -x "$orion" ]; then
			why="orion: $(head -n 1 "$tmp/orion.err" 2>/dev/null | head -c 100)"
		else
			why="orion: $orion missing"
		fi
	fi
	if [ "$to" = FAIL ]; then
		failed=$((failed + 1)); allfast=no
		printf '%-10s %9s %9s %9s %10s %12s\n' "$name" FAIL "$tl" "$tp" - -
		notes="$notes
  $name: $why"
		continue
	fi
	if [ -n "$why" ]; then
		printf '%-10s %9s %9s %9s %10s %12s\n' "$name" "$to" "$tl" "$tp" - -
		notes="$notes
  $name: $why"
		continue
	fi
	r=$(awk -v o="$to" -v l="$tl" 'BEGIN { if (l < 0.001) l = 0.001; printf "%.2f", o / l }')
	fast=$(awk -v o="$to" -v p="$tp" 'BEGIN { print (o < p) ? "yes" : "no" }')
	[ "$fast" = yes ] || allfast=no
	ratios="$ratios $r"
	printf '%-10s %9s %9s %9s %9sx %12s\n' "$name" "$to" "$tl" "$tp" "$r" "$fast"
done
echo
[ "$scale" = 1 ] || echo "quick run: sizes divided by $scale, $runs run(s) each; not a measurement."
echo "checksums: each row's three programs print the same checksum (rows marked FAIL excepted)."
echo "note: python3's json module is C-accelerated; lua5.4 uses a pure-Lua JSON codec (jsondoc.lua)."
if [ -n "$notes" ]; then echo "failures:$notes"; fi
if [ -n "$ratios" ]; then
	g=$(echo "$ratios" | awk '{ s = 0; for (i = 1; i <= NF; i++) s += log($i); printf "%.2f", exp(s / NF) }')
	gm=$(awk -v g="$g" 'BEGIN { print (g <= 1.5) ? "met" : "missed" }')
	echo "geometric mean orion/lua5.4: ${g}x over $(echo "$ratios" | wc -w) rows (target <= 1.5x: $gm)"
else
	echo "geometric mean orion/lua5.4: n/a (no OrionLang row succeeded)"
fi
echo "faster than python3 on every row: $allfast"
[ "$failed" -eq 0 ]
