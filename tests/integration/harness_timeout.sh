# harness_timeout.sh: a test that run.sh's timeout kills still unmounts
# what it mounted, its tmpfs included, and removes its directory: sh runs
# no EXIT trap on a signal, so lib.sh turns INT, TERM and HUP into an exit.
. "$(dirname "$0")/lib.sh"
HERE=$(cd "$(dirname "$0")" && pwd)

# leftovers DIR: unmount whatever is still mounted under DIR (deepest
# first), stop its daemon and remove DIR; prints the mounts it found.
leftovers() {
	for m in $(grep -s " $1/" /proc/mounts | awk '{print $2}' | sort -r); do
		echo "$m"
		fusermount3 -u "$m" 2>/dev/null || umount -l "$m"
	done
	pkill -9 -f "mount.orionfs.*$1" 2>/dev/null || true
	rm -rf "$1"
}

cat >"$T/inner.sh" <<INNER
. "$HERE/lib.sh"
. "$HERE/../posix/lib.sh"
private_disk 64m
t_mkfs
t_mount "\$IMG" "\$MNT"
echo "\$T" >"$T/inner.T"
sleep 60
INNER
timeout -k 10 8 sh "$T/inner.sh" && fail "the sleeping test was not stopped"
[ -s "$T/inner.T" ] || fail "the inner test never mounted"
inner=$(cat "$T/inner.T")
left=$(leftovers "$inner")
[ -z "$left" ] || fail "a test stopped by its timeout left mounted: $left"
echo "ok: a test stopped by its timeout left nothing mounted"
