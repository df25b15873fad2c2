#!/bin/sh
# mount_refuse.sh: what mount.orionfs must refuse, each with a clear
# message, a non-zero exit and the file untouched: a second mount of a
# mounted image, files that are no image (random bytes, empty, text, a
# truncated image), a missing image, bad usage.
. "$(dirname "$0")/lib.sh"

M="$ORION_BIN/mount.orionfs"

# refuse WANT_STATUS WANT_TEXT FILE [DIR]: mounting FILE fails with that
# status and message, leaves FILE unchanged and mounts nothing.
refuse() {
	_want=$1 _text=$2 _f=$3 _d=${4:-$MNT}
	_sum=$( { sha256sum <"$_f"; } 2>/dev/null || echo none)
	_MOUNTS="$_MOUNTS $_d"
	set +e
	"$M" "$_f" "$_d" >"$T/out" 2>&1
	_rc=$?
	set -e
	[ "$_rc" -eq "$_want" ] || { cat "$T/out"; fail "$_f: exit $_rc, want $_want"; }
	grep -q "^mount.orionfs: .*$_text" "$T/out" || { cat "$T/out"; fail "$_f: no '$_text' message"; }
	[ "$( { sha256sum <"$_f"; } 2>/dev/null || echo none)" = "$_sum" ] || fail "$_f was modified"
	grep -qs " $_d fuse" /proc/mounts && fail "$_f got mounted"
	[ -z "$(pgrep -f "mount.orionfs $_f $_d" || true)" ] || fail "$_f left a daemon"
	return 0
}

t_mkfs
# files that are no image
head -c 1048576 /dev/urandom >"$T/random.fs"
: >"$T/empty.fs"
printf 'just some text\nnot an image at all\n' >"$T/text.fs"
refuse 32 "not an orion image" "$T/random.fs"
refuse 32 "not an orion image" "$T/empty.fs"
refuse 32 "not an orion image" "$T/text.fs"
refuse 32 "No such file" "$T/missing.fs"
refuse 32 "not an orion image" "$T"
# a truncated image: put data in, then cut it short
t_mount
head -c 2000000 /dev/urandom >"$MNT/f"
t_umount
sz=$(stat -c %s "$IMG")
cp "$IMG" "$T/trunc.fs"
truncate -s $((sz / 3)) "$T/trunc.fs"
refuse 32 "not an orion image\|inconsistent" "$T/trunc.fs"
head -c 4096 "$IMG" >"$T/head.fs"
refuse 32 "not an orion image\|inconsistent" "$T/head.fs"

# a second mount of a mounted image
t_mount
mkdir "$T/mnt2"
refuse 32 "already mounted" "$IMG" "$T/mnt2"
[ -f "$MNT/f" ] || fail "first mount disturbed by the second"
t_umount

# bad mountpoints and usage
refuse 32 "Not a directory" "$IMG" "$T/text.fs"
refuse 32 "No such file" "$IMG" "$T/nodir"
set +e
"$M" "$IMG" >"$T/out" 2>&1; rc1=$?
"$M" "$IMG" "$MNT" -o bogus_option >"$T/out2" 2>&1; rc2=$?
"$M" --help >"$T/help" 2>&1; rc3=$?
"$M" --version >/dev/null 2>&1; rc4=$?
set -e
[ "$rc1" -eq 1 ] || fail "missing DIR: exit $rc1"
[ "$rc2" -eq 1 ] && grep -q "bogus_option: unknown mount option" "$T/out2" || fail "bad -o: exit $rc2"
[ "$rc3" -eq 0 ] && grep -q "^usage: mount.orionfs IMAGE DIR" "$T/help" || fail "--help"
[ "$rc4" -eq 0 ] || fail "--version"
grep -qs " $MNT fuse" /proc/mounts && fail "bad usage mounted something"
t_fsck
echo "mount_refuse: ok"
