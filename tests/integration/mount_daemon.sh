#!/bin/sh
# mount_daemon.sh: mount.orionfs daemonises (the caller gets its prompt
# back, the daemon serves), stays in front with -f, and SIGTERM to the
# daemon unmounts cleanly with the image synced and closed, busy or not.
. "$(dirname "$0")/lib.sh"

# dpid DIR: the daemon serving DIR (started by this test).
dpid() { pgrep -f "mount.orionfs .*$1" || true; }

# gone DIR: wait until DIR is no mountpoint and its daemon has exited.
gone() {
	for _ in $(seq 1 100); do
		if ! grep -qs " $1 fuse" /proc/mounts && [ -z "$(dpid "$1")" ]; then
			return 0
		fi
		sleep 0.1
	done
	fail "$1 still mounted or served"
}

t_mkfs

# 1. daemon: the helper returns 0 at once, a detached daemon serves
t_mount
pid=$(dpid "$MNT")
[ -n "$pid" ] || fail "no daemon after mount"
[ "$(ps -o sid= -p "$pid" | tr -d ' ')" = "$pid" ] || fail "daemon is not a session leader"
grep -qs " $MNT fuse.orionfs " /proc/mounts || fail "mount type is not fuse.orionfs"
echo hello >"$MNT/a"
[ "$(cat "$MNT/a")" = hello ] || fail "daemon does not serve"
t_umount
gone "$MNT"
t_fsck

# 2. SIGTERM to the daemon unmounts and keeps every committed byte
t_mount
head -c 300000 /dev/urandom >"$T/ref"
cp "$T/ref" "$MNT/big"
mkdir "$MNT/d"
pid=$(dpid "$MNT")
kill -TERM "$pid"
gone "$MNT"
t_fsck
t_mount
cmp "$T/ref" "$MNT/big" || fail "data lost across SIGTERM"
[ -d "$MNT/d" ] || fail "directory lost across SIGTERM"
t_umount
gone "$MNT"

# 2b. ... a busy one too, with requests arriving back to back (the
# handler flags the end wherever the loop is, which sees it before its
# next wait: on this machine the loop still finds gaps to sleep in, so
# this checks the outcome only)
t_mount
pid=$(dpid "$MNT")
loads=""
for _ in 1 2 3; do
	python3 -c "
import os, sys
while True:
    try:
        os.close(os.open(sys.argv[1], os.O_RDONLY))  # an OPEN and a RELEASE each
    except OSError:
        break" "$MNT/big" 2>/dev/null &
	loads="$loads $!"
done
sleep 1
kill -TERM "$pid"
gone "$MNT"
kill $loads 2>/dev/null || true
wait $loads 2>/dev/null || true
t_fsck

# 2c. ... and an idle one, each stop signal: with no batch open it
# sleeps in a blocking read that SA_RESTART would restart after the
# handler, so the handler must take it out of the read (a daemon left
# asleep fails gone)
for sig in TERM INT HUP; do
	t_mount
	cmp "$T/ref" "$MNT/big" || fail "daemon does not serve"
	sleep 0.5 # the batch is long committed: the loop sleeps in its read
	# a request it reads there and defers to a thread (a /ctl open, read
	# and release) is answered through the descriptor it came by
	timeout -s KILL 10 cat "$MNT/ctl/db" >/dev/null || fail "a deferred request got no answer"
	pid=$(dpid "$MNT")
	kill -"$sig" "$pid"
	gone "$MNT"
done
t_fsck

# 3. -f: stays in the foreground; exits 0 when unmounted
_MOUNTS="$_MOUNTS $MNT"
"$ORION_BIN/mount.orionfs" "$IMG" "$MNT" -f &
fpid=$!
t_wait_mount
[ "$(dpid "$MNT")" = "$fpid" ] || fail "-f forked a daemon"
cat "$MNT/big" | cmp - "$T/ref" || fail "-f does not serve"
fusermount3 -u "$MNT"
wait "$fpid" || fail "-f exited with status $? after unmount"
gone "$MNT"

# 4. -f with SIGTERM, even when started with SIGTERM ignored
(trap '' TERM; exec "$ORION_BIN/mount.orionfs" "$IMG" "$MNT" -f) &
fpid=$!
t_wait_mount
kill -TERM "$fpid"
wait "$fpid" || fail "-f exited with status $? after SIGTERM"
gone "$MNT"
t_fsck
echo "mount_daemon: ok"
