# mkfs_fsck.sh: mkfs.orionfs and fsck.orionfs as a user meets them:
# refusals, exit codes, messages, and damaged or foreign images, which
# must give a clear error and never a crash or a hang.
. "$(dirname "$0")/lib.sh"
MKFS=$ORION_BIN/mkfs.orionfs
FSCK=$ORION_BIN/fsck.orionfs

# expect_rc WANT CMD...: run CMD (output to $T/out), its status must be WANT.
expect_rc() {
	want=$1; shift
	set +e; "$@" >"$T/out" 2>&1; rc=$?; set -e
	[ "$rc" -eq "$want" ] || { cat "$T/out" >&2; fail "$* exited $rc, expected $want"; }
}

# expect_msg TEXT: the last command's output holds TEXT.
expect_msg() {
	grep -q -- "$1" "$T/out" || { cat "$T/out" >&2; fail "no '$1' in the output"; }
}

expect_rc 0 "$MKFS" --help
expect_msg "usage: mkfs.orionfs"
expect_rc 0 "$FSCK" --help
expect_msg "usage: fsck.orionfs"
expect_rc 2 "$MKFS"
expect_rc 2 "$MKFS" -s 12Q "$IMG"
expect_rc 16 "$FSCK"

# creation, refusal, -f
expect_rc 0 "$MKFS" "$IMG"
expect_rc 1 "$MKFS" "$IMG"
expect_msg "mkfs.orionfs: $IMG: file exists"
expect_rc 0 "$MKFS" -f -s 64M -u 1000 -g 1000 "$IMG"
expect_rc 1 "$MKFS" --encrypt "$T/enc.fs"
expect_msg "not supported"
expect_rc 1 "$MKFS" "$T/no/such/dir/img.fs"
expect_msg "mkfs.orionfs: cannot create"
t_fsck
expect_rc 0 "$FSCK" -v "$IMG"
expect_msg "1 inodes, 0 entries, 0 blocks; 0 problems"

# foreign, empty, missing and truncated files
head -c 100000 /dev/urandom >"$T/junk"
expect_rc 8 "$FSCK" -n "$T/junk"
expect_msg "fsck.orionfs: cannot check $T/junk: not an orion image"
[ ! -e "$T/junk-lock" ] || fail "fsck left a lock file beside a foreign file"
: >"$T/empty"
expect_rc 8 "$FSCK" "$T/empty"
[ ! -s "$T/empty" ] || fail "fsck wrote into an empty file"
expect_rc 8 "$FSCK" "$T/missing"
expect_msg "No such file"
[ ! -e "$T/missing" ] || fail "fsck created the missing image"
expect_rc 8 "$FSCK" "$T"
GOLD=$(cd "$(dirname "$0")/../images" && pwd)/orionfs-v1.img
head -c 40960 "$GOLD" >"$T/cut.fs"
expect_rc 4 "$FSCK" "$T/cut.fs"
expect_msg "inconsistent"

# damaged bytes in every page of a real image: a clear verdict each time
size=$(stat -c %s "$GOLD")
pages=$((size / 4096))
seed=7
p=0
while [ "$p" -lt "$pages" ]; do
	cp "$GOLD" "$T/d.fs"
	rm -f "$T/d.fs-lock"
	for _ in 1 2 3 4; do
		seed=$(((seed * 1103515245 + 12345) % 2147483648))
		off=$((p * 4096 + seed % 4096))
		printf "\\$(printf %03o $((seed / 4096 % 256)))" |
			dd of="$T/d.fs" bs=1 seek="$off" conv=notrunc status=none
	done
	for mode in -n -y; do
		set +e; timeout 30 "$FSCK" $mode "$T/d.fs" >"$T/out" 2>&1; rc=$?; set -e
		case $rc in
		0|1|4|8) ;;
		*) cat "$T/out" >&2; fail "fsck $mode on damaged page $p exited $rc" ;;
		esac
	done
	p=$((p + 1))
done

# a damaged data block is found and left for the user
cp "$GOLD" "$T/d.fs"
rm -f "$T/d.fs-lock"
dd if=/dev/zero of="$T/d.fs" bs=1 count=16 seek=$((size / 2)) conv=notrunc status=none
expect_rc 4 "$FSCK" -y "$T/d.fs"
expect_msg "checksum mismatch"
echo "mkfs_fsck: ok"
