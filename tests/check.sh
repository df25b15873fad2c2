#!/bin/sh
# check.sh: the whole test suite, as `make check` runs it.
#  1. -Werror builds with gcc (bin/) and clang (build/clang/)
#  2. unit tests (Check), OrionLang golden tests, integration tests on real
#     FUSE mounts, short fuzzing runs
#  3. the unit, golden and integration tests again under ASan+UBSan
# Prints one line per stage and closes with "check: N passed, N failed".
set -u
cd "$(dirname "$0")/.." || exit 2
TOP=$(pwd)
J=${J:-2}
FUZZ_SECONDS=${FUZZ_SECONDS:-20}
pass=0 fail=0 failed=""

# stage NAME CMD...: run one stage, log its output, count it.
stage() {
	name=$1; shift
	log=$TOP/build/check-$name.log
	mkdir -p "$TOP/build"
	start=$(date +%s)
	echo "== $name"
	if "$@" >"$log" 2>&1; then
		pass=$((pass + 1))
		echo "ok   $name ($(($(date +%s) - start))s): $(grep -E '([0-9]+ passed|Checks:)' "$log" | tr '\n' ' ' | cut -c1-300)"
	else
		fail=$((fail + 1)); failed="$failed $name"
		echo "FAIL $name ($(($(date +%s) - start))s); last lines of $log:"
		tail -n 60 "$log" | sed 's/^/    /'
	fi
}

# build VARIANT-ARGS...: build programs and unit tests.
build() {
	make -j"$J" "$@" programs && make -j"$J" "$@" unit-build posix-tools
}

# golden DIR: OrionLang golden tests with the orion-lang in DIR.
golden() {
	[ -x tests/lang/run.sh ] || { echo "no golden tests"; return 1; }
	tests/lang/run.sh "$1/orion-lang"
}

stage build-gcc build CC=gcc
stage build-clang build CC=clang BIN=build/clang/bin
stage unit make -j"$J" CC=gcc unit
stage lang-golden golden "$TOP/bin"
stage integration env ORION_BIN="$TOP/bin" ORION_TESTBIN="$TOP/build/gcc/tests/posix" \
	sh tests/integration/run.sh
stage fuzz make -j"$J" fuzz FUZZ_SECONDS="$FUZZ_SECONDS"
stage build-san build CC=clang SAN=1 BIN=build/san/bin
stage unit-san env ASAN_OPTIONS=detect_leaks=1 make -j"$J" CC=clang SAN=1 BIN=build/san/bin unit
stage lang-golden-san golden "$TOP/build/san/bin"
stage integration-san env ORION_BIN="$TOP/build/san/bin" ORION_TEST_TIMEOUT=600 \
	ORION_TESTBIN="$TOP/build/clang-san/tests/posix" \
	ASAN_OPTIONS=detect_leaks=0 sh tests/integration/run.sh

echo "check: $pass passed, $fail failed"
[ "$fail" -eq 0 ] || { echo "failed stages:$failed"; exit 1; }
