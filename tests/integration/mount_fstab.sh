#!/bin/sh
# mount_fstab.sh: once installed as /sbin/mount.orionfs (where mount(8)
# looks for helpers; /usr/local/sbin is not searched), "mount -t orionfs"
# and an fstab line work, with options, and umount(8) unmounts.  The
# symlink is removed afterwards unless it was there before.
. "$(dirname "$0")/lib.sh"

H=/sbin/mount.orionfs
if [ -e "$H" ] || [ -L "$H" ]; then
	mine=0
else
	mine=1
	ln -s "$ORION_BIN/mount.orionfs" "$H"
	trap 'rm -f "$H"; t_cleanup' EXIT
fi

t_mkfs
_MOUNTS="$_MOUNTS $MNT"

mount -t orionfs "$IMG" "$MNT" || fail "mount -t orionfs failed"
grep -qs " $MNT fuse.orionfs rw," /proc/mounts || fail "mount -t orionfs: not in /proc/mounts"
echo via-mount >"$MNT/f"
umount "$MNT" || fail "umount failed"
for _ in $(seq 1 100); do
	pgrep -f "mount.orionfs .*$MNT" >/dev/null || break
	sleep 0.1
done

# an fstab line, with the generic options mount(8) and fstab carry
cat >"$T/fstab" <<EOT
# test fstab
$IMG $MNT orionfs defaults,noauto,nofail,_netdev,x-systemd.automount,noatime,ro 0 0
EOT
mount -T "$T/fstab" "$MNT" || fail "mount from fstab failed"
grep -qs " $MNT fuse.orionfs ro,.*noatime" /proc/mounts || fail "fstab options not applied: $(grep " $MNT " /proc/mounts)"
[ "$(cat "$MNT/f")" = via-mount ] || fail "fstab mount does not serve the image"
umount "$MNT"
for _ in $(seq 1 100); do
	pgrep -f "mount.orionfs .*$MNT" >/dev/null || break
	sleep 0.1
done
# mount -t with -o
mount -t orionfs -o rw,nosuid,nodev "$IMG" "$MNT" || fail "mount -t orionfs -o failed"
grep -qs " $MNT fuse.orionfs rw,nosuid,nodev" /proc/mounts || fail "-o not applied"
umount "$MNT"
for _ in $(seq 1 100); do
	pgrep -f "mount.orionfs .*$MNT" >/dev/null || break
	sleep 0.1
done
t_fsck
[ "$mine" = 1 ] && rm -f "$H"
echo "mount_fstab: ok"
