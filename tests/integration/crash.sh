#!/bin/sh
# crash.sh: crash safety.  Each cycle mounts in the foreground (so we own
# the daemon's pid), starts fsync-writer on a fresh directory, kills the
# daemon with SIGKILL once the writer has made some data durable, cleans up
# the dead mount, and requires fsck to be clean.  The next mount must hold
# every byte that any cycle so far reported as fsync'd.
#   CRASH_CYCLES (8)  number of cycles
#   CRASH_SYNCS (30)  minimum durable steps before the kill (varied per cycle)
#   CRASH_MAX    (0)  stop the writer after this many bytes per cycle (0: never)
#   CRASH_WINDOW (all) after each crash verify only the last N cycles (the
#                     final mount verifies them all)
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/../posix/lib.sh"

W=$(posix_tool fsync-writer) || fail "cannot build fsync-writer"
CYCLES=${CRASH_CYCLES:-8}
SYNCS=${CRASH_SYNCS:-30}
DPID="" WPID=""
_MOUNTS="$_MOUNTS $MNT"

# crash_cleanup: kill what this script started (by pid), then the lib's cleanup.
crash_cleanup() {
	[ -z "$WPID" ] || kill -9 "$WPID" 2>/dev/null || true
	[ -z "$DPID" ] || kill -9 "$DPID" 2>/dev/null || true
	t_cleanup
}
trap crash_cleanup EXIT

# mount_fg: start the daemon in the foreground, in the background; wait.
mount_fg() {
	"$ORION_BIN/mount.orionfs" "$IMG" "$MNT" -f 2>>"$T/daemon.err" &
	DPID=$!
	for _ in $(seq 1 100); do
		grep -qs " $MNT fuse" /proc/mounts && return 0
		kill -0 "$DPID" 2>/dev/null || { cat "$T/daemon.err" >&2; fail "mount died"; }
		sleep 0.05
	done
	fail "mount did not come up"
}

# wait_pid PID WHAT: wait up to 20 s for PID to exit.
wait_pid() {
	for _ in $(seq 1 400); do
		kill -0 "$1" 2>/dev/null || { wait "$1" 2>/dev/null || true; return 0; }
		sleep 0.05
	done
	fail "$2 ($1) did not exit"
}

# verify_upto N [WINDOW]: every cycle before N (the last WINDOW of them)
# kept what it fsync'd.
verify_upto() {
	p=1
	[ -z "${2:-}" ] || [ $(($1 - $2)) -lt 1 ] || p=$(($1 - $2))
	while [ "$p" -lt "$1" ]; do
		"$W" verify "$MNT/c$p" "$T/log.$p" "$p" >>"$T/verify.out" ||
			fail "cycle $1: data fsync'd in cycle $p lost (see above)"
		p=$((p + 1))
	done
}

t_mkfs
c=1
while [ "$c" -le "$CYCLES" ]; do
	mount_fg
	verify_upto "$c" "${CRASH_WINDOW:-}"
	: >"$T/log.$c"
	"$W" write "$MNT/c$c" "$T/log.$c" "$c" "${CRASH_MAX:-0}" 2>"$T/writer.$c.err" &
	WPID=$!
	want=$((SYNCS + (c * 37) % 60))
	for _ in $(seq 1 3000); do
		[ "$(wc -l <"$T/log.$c")" -ge "$want" ] && break
		kill -0 "$WPID" 2>/dev/null || break
		sleep 0.02
	done
	[ "$(wc -l <"$T/log.$c")" -ge "$want" ] ||
		{ cat "$T/writer.$c.err" >&2; fail "cycle $c: writer made no progress"; }
	kill -9 "$DPID"
	wait_pid "$DPID" "killed daemon"
	DPID=""
	wait_pid "$WPID" "writer"
	WPID=""
	fusermount3 -u -z "$MNT" 2>/dev/null || umount -l "$MNT" 2>/dev/null || true
	"$ORION_BIN/fsck.orionfs" -n "$IMG" >"$T/fsck.$c" 2>&1 ||
		{ cat "$T/fsck.$c" >&2; fail "cycle $c: fsck not clean after SIGKILL (exit $?)"; }
	echo "cycle $c: killed after $(wc -l <"$T/log.$c") durable steps; fsck clean"
	c=$((c + 1))
done
mount_fg
verify_upto "$c"
cat "$T/verify.out" | tail -n "$CYCLES"
fusermount3 -u "$MNT"
wait_pid "$DPID" "daemon after unmount"
DPID=""
t_fsck
echo "crash: $CYCLES cycles, no fsync'd byte lost, fsck clean"
