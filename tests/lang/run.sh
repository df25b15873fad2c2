#!/bin/sh
# run.sh [ORION_LANG_BIN] [NAME...]: run the OrionLang golden tests.
#
# Each test is NAME.ol with
#   NAME.out     expected stdout (required; may be empty)
#   NAME.err     expected stderr, exact (optional; stderr is ignored without it)
#   NAME.errhas  lines that must each occur in stderr (optional; for errors
#                whose position is not deterministic, such as the deadline)
#   NAME.status  expected exit status (optional; default 0)
#   NAME.args    interpreter options put before the file name (optional)
#   NAME.argv    script arguments put after the file name (optional)
#   NAME.in      stdin (optional; default /dev/null)
# Tests run from this directory with the bare file name, so the FILE part of
# error messages is stable. Prints "ok NAME" or "FAIL NAME" (with a diff) per
# test and a closing "lang: N passed, N failed"; exits 1 on any failure.
here=$(cd "$(dirname "$0")" && pwd)
bin=${1:-$here/../../bin/orion-lang}
[ $# -gt 0 ] && shift
case $bin in /*) ;; *) bin=$(pwd)/$bin ;; esac
if [ ! -x "$bin" ]; then
	echo "lang: $bin: not found or not executable" >&2
	exit 2
fi
cd "$here" || exit 2
tmp=$(mktemp -d "${TMPDIR:-/tmp}/orion-lang-golden.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM

if [ $# -gt 0 ]; then
	names=$*
else
	names=$(for f in *.ol; do printf '%s\n' "${f%.ol}"; done)
fi

pass=0 fail=0 failed=
for name in $names; do
	[ -f "$name.ol" ] || { echo "FAIL $name (no $name.ol)"; fail=$((fail + 1)); continue; }
	args='' argv='' in=/dev/null want=0
	[ -f "$name.args" ] && args=$(cat "$name.args")
	[ -f "$name.argv" ] && argv=$(cat "$name.argv")
	[ -f "$name.in" ] && in=$name.in
	[ -f "$name.status" ] && want=$(tr -d ' \n' <"$name.status")
	# shellcheck disable=SC2086  # args and argv are word lists on purpose
	timeout -k 5 "${ORION_LANG_TEST_TIMEOUT:-30}" "$bin" $args "$name.ol" $argv \
		<"$in" >"$tmp/out" 2>"$tmp/err"
	got=$?
	bad=
	if ! cmp -s "$name.out" "$tmp/out"; then
		bad="$bad stdout"
	fi
	if [ -f "$name.err" ] && ! cmp -s "$name.err" "$tmp/err"; then
		bad="$bad stderr"
	fi
	if [ -f "$name.errhas" ]; then
		while IFS= read -r line; do
			[ -z "$line" ] && continue
			grep -qF -- "$line" "$tmp/err" || { bad="$bad errhas"; break; }
		done <"$name.errhas"
	fi
	if [ "$got" != "$want" ]; then
		bad="$bad status"
	fi
	if [ -z "$bad" ]; then
		pass=$((pass + 1))
		echo "ok   $name"
	else
		fail=$((fail + 1))
		failed="$failed $name"
		echo "FAIL $name:$bad"
		case $bad in *stdout*)
			diff -u "$name.out" "$tmp/out" | sed -n '3,40p' | sed 's/^/    /' ;;
		esac
		case $bad in *stderr*)
			diff -u "$name.err" "$tmp/err" | sed -n '3,40p' | sed 's/^/    /' ;;
		esac
		case $bad in *errhas*)
			echo "    stderr lacks: $line"
			sed -n '1,10p' "$tmp/err" | sed 's/^/    stderr: /' ;;
		esac
		case $bad in *status*)
			echo "    exit status $got, expected $want"
			[ -f "$name.err" ] || sed -n '1,10p' "$tmp/err" | sed 's/^/    stderr: /' ;;
		esac
	fi
done
echo "lang: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
