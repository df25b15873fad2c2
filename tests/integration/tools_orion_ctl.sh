#!/bin/sh
# tools_orion_ctl.sh: mount-helpers/orion-ctl against /ctl/db of a fresh
# mount: a put lands in /db (a value with blanks, quotes and trailing
# newlines too), a failing command exits 1 with its error line, and a file
# that is no control file (an ordinary file, a look-alike ctl or proc
# directory, a user's ctl/ or proc/ below the root, a missing file) is refused with exit 2 and left as it was; --help exits 0.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

CTL="$(cd "$(dirname "$0")/../.." && pwd)/mount-helpers/orion-ctl"
t_mkfs
t_mount

# a put lands: read it back through the /db tree
out=$(sh "$CTL" -m "$MNT" db put app/theme dark) || fail "put: status $?"
[ "$out" = "ok 1" ] || fail "put reply: $out"
[ "$(cat "$MNT/db/app/theme")" = dark ] || fail "value: $(cat "$MNT/db/app/theme")"
# by path too, and a value kept byte for byte (blanks, a quote, newlines)
v="it's a
b

"
printf '%s' "$v" >"$T/want"
sh "$CTL" "$MNT/ctl/db" put app/motd "$v" >/dev/null || fail "put by path"
cmp "$T/want" "$MNT/db/app/motd" || fail "value with newlines: $(od -c "$MNT/db/app/motd")"

# a bad verb: exit 1, the control file's error line on stderr
st=0
sh "$CTL" -m "$MNT" db frob x >"$T/out" 2>"$T/err" || st=$?
[ "$st" = 1 ] || fail "bad verb: status $st"
grep -q 'error EINVAL unknown command "frob x"' "$T/err" || fail "bad verb: $(cat "$T/err")"
[ ! -s "$T/out" ] || fail "bad verb printed: $(cat "$T/out")"

# refuse ARGS...: orion-ctl ARGS exits 2 with a message
refuse() {
	st=0
	sh "$CTL" "$@" >"$T/out" 2>"$T/err" || st=$?
	[ "$st" = 2 ] || fail "orion-ctl $*: status $st"
	grep -q '^orion-ctl: ' "$T/err" || fail "orion-ctl $*: message: $(cat "$T/err")"
}

# an ordinary file, outside /ctl or in a look-alike ctl directory, is
# refused and not written
printf 'precious\ncontents\n' >"$T/plain"
cp "$T/plain" "$T/plain.orig"
refuse "$T/plain" put a b
grep -q 'not a control file' "$T/err" || fail "plain file: $(cat "$T/err")"
cmp "$T/plain" "$T/plain.orig" || fail "orion-ctl changed an ordinary file"
mkdir -p "$T/fake/ctl"
cp "$T/plain" "$T/fake/ctl/db"
refuse -m "$T/fake" db put a b
cmp "$T/fake/ctl/db" "$T/plain.orig" || fail "orion-ctl changed a look-alike ctl/db"
mkdir -p "$T/fake/proc/capsules/1"
cp "$T/plain" "$T/fake/proc/capsules/1/ctl"
refuse "$T/fake/proc/capsules/1/ctl" kill
cmp "$T/fake/proc/capsules/1/ctl" "$T/plain.orig" || fail "orion-ctl changed a look-alike proc file"
echo f >"$MNT/f"
refuse "$MNT/f" put a b
[ "$(cat "$MNT/f")" = f ] || fail "orion-ctl changed a file of the mount"
mkdir -p "$MNT/sub/proc" "$MNT/sub/ctl"
echo f >"$MNT/sub/proc/x"
echo f >"$MNT/sub/ctl/db"
refuse "$MNT/sub/proc/x" put a b
refuse -m "$MNT/sub" db put a b
[ "$(cat "$MNT/sub/proc/x" "$MNT/sub/ctl/db")" = "$(printf 'f\nf')" ] ||
	fail "orion-ctl changed a user's proc/ or ctl/ file below the root"

# a missing control file
refuse -m "$MNT" nope put a b
grep -q 'no such control file' "$T/err" || fail "missing file: $(cat "$T/err")"
[ ! -e "$MNT/db/a" ] || fail "a refused command was applied"

# usage
sh "$CTL" --help >"$T/out" || fail "--help: status $?"
grep -q '^usage: orion-ctl' "$T/out" || fail "--help: $(cat "$T/out")"
if grep -q -e ' run ' -e snapshot "$T/out"; then fail "--help shows control files this build lacks"; fi
st=0
sh "$CTL" db >/dev/null 2>"$T/err" || st=$? # FILE but no COMMAND
[ "$st" = 2 ] || fail "one operand: status $st"
grep -q '^usage: orion-ctl' "$T/err" || fail "one operand: $(cat "$T/err")"

t_umount
t_fsck
echo "tools_orion_ctl: ok"
