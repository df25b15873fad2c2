# lib.sh: shared helpers for the black-box tests in tests/integration/.
# Source it from a test script. Each test gets a private temp dir ($T), an
# image ($IMG) and a mountpoint ($MNT); whatever it mounts is unmounted on
# exit, pass or fail. Programs come from $ORION_BIN (default: bin/).
set -eu
ORION_BIN=${ORION_BIN:-$(cd "$(dirname "$0")/../.." && pwd)/bin}
T=$(mktemp -d /tmp/orion-test.XXXXXX)
IMG=$T/image.fs
MNT=$T/mnt
mkdir -p "$MNT"
_MOUNTS=""

# t_cleanup: unmount everything this test mounted and remove $T.
t_cleanup() {
	for m in $_MOUNTS; do
		if mountpoint -q "$m" 2>/dev/null || grep -qs " $m " /proc/mounts; then
			fusermount3 -u "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true
		fi
	done
	# wait for daemons of this test to exit so the image is released
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		pgrep -f "mount.orionfs.*$T" >/dev/null 2>&1 || break
		sleep 0.2
	done
	pkill -9 -f "mount.orionfs.*$T" 2>/dev/null || true
	rm -rf "$T"
}
trap t_cleanup EXIT
# sh runs no EXIT trap when a signal kills it: the run's timeout must
# still unmount
trap 'exit 1' INT TERM HUP

# fail MSG: print MSG and exit non-zero.
fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# t_mkfs [IMAGE]: create a fresh image.
t_mkfs() {
	"$ORION_BIN/mkfs.orionfs" -f "${1:-$IMG}" >/dev/null
}

# t_mount [IMAGE [DIR [OPTS]]]: mount and wait until it answers.
t_mount() {
	_img=${1:-$IMG} _dir=${2:-$MNT}
	_MOUNTS="$_MOUNTS $_dir"
	if [ -n "${3:-}" ]; then
		"$ORION_BIN/mount.orionfs" "$_img" "$_dir" -o "$3"
	else
		"$ORION_BIN/mount.orionfs" "$_img" "$_dir"
	fi
	t_wait_mount "$_dir"
}

# t_mount_logged LOG: mount $IMG on $MNT in the foreground with the
# request log (-d) going to LOG, and wait until it answers.
t_mount_logged() {
	_MOUNTS="$_MOUNTS $MNT"
	"$ORION_BIN/mount.orionfs" "$IMG" "$MNT" -d 2>"$1" &
	t_wait_mount
}

# t_wait_mount [DIR]: wait up to 5 s until DIR is a FUSE mount.
t_wait_mount() {
	for _ in $(seq 1 50); do
		grep -qs " ${1:-$MNT} fuse" /proc/mounts && return 0
		sleep 0.1
	done
	fail "the mount on ${1:-$MNT} did not come up"
}

# t_umount [DIR]: unmount and wait for the daemon to release the image.
t_umount() {
	_dir=${1:-$MNT}
	fusermount3 -u "$_dir"
	for _ in $(seq 1 100); do
		pgrep -f "mount.orionfs .*$_dir" >/dev/null 2>&1 || return 0
		sleep 0.1
	done
	fail "daemon for $_dir did not exit after unmount"
}

# t_kill9 [DIR]: kill the daemon serving DIR with SIGKILL and wait until
# it is gone (the mountpoint is then stale).
t_kill9() {
	_pid=$(pgrep -f "mount.orionfs .*${1:-$MNT}") || fail "no daemon for ${1:-$MNT}"
	kill -9 "$_pid"
	for _ in $(seq 1 50); do
		kill -0 "$_pid" 2>/dev/null || return 0
		sleep 0.1
	done
	fail "daemon $_pid outlived SIGKILL"
}

# t_as_nobody CMD: run the shell command CMD as nobody:nogroup, with no
# supplementary groups.
t_as_nobody() {
	setpriv --reuid="$(id -u nobody)" --regid="$(id -g nobody)" --clear-groups sh -c "$1"
}

# t_fsck [IMAGE]: the image must be clean.
t_fsck() {
	"$ORION_BIN/fsck.orionfs" -n "${1:-$IMG}" >"$T/fsck.out" 2>&1 ||
		{ cat "$T/fsck.out" >&2; fail "fsck found problems in ${1:-$IMG}"; }
}

# t_remount: unmount, check the image (t_fsck), and mount it again.
t_remount() {
	t_umount
	t_fsck
	t_mount
}
