#!/bin/sh
# mount_persist.sh: after umount and a new mount everything is there byte
# for byte with its metadata (modes, owners, nanosecond times, birth
# times, links, xattrs) and the same inode numbers.
. "$(dirname "$0")/lib.sh"

# snapshot DIR OUT: every node's content digest, then its metadata.
# Reading first lets the relatime rule move atimes before they are
# recorded, as on any local filesystem.
snapshot() {
	# the runtime's trees (/db, /ctl ...) are generated: not the user's files
	(cd "$1" && find . \( -path ./db -o -path ./ctl -o -path ./proc -o -path ./snapshots \) \
		-prune -o -print | LC_ALL=C sort >"$T/list" &&
	while IFS= read -r p; do
		if [ -f "$p" ] && [ ! -L "$p" ]; then sha256sum "$p"; fi
	done <"$T/list" &&
	while IFS= read -r p; do
		stat -c '%n %i %f %h %u %g %s %x %y %z %w' "$p"
		if [ -L "$p" ]; then printf 'link %s\n' "$(readlink "$p")"; fi
		getfattr -h -d -m - --absolute-names "$p" 2>/dev/null | grep -v '^#' || true
	done <"$T/list") >"$2"
}

t_mkfs
t_mount
m=$MNT
mkdir -p "$m/a/b/c" "$m/empty"
head -c 5000000 /dev/urandom >"$m/a/big"
printf 'small' >"$m/a/b/small"
: >"$m/zero"
truncate -s 100M "$m/sparse"
printf 'tail' | dd of="$m/sparse" bs=1 seek=50000000 conv=notrunc 2>/dev/null
ln "$m/a/b/small" "$m/hard"
ln -s a/b/small "$m/sym"
ln -s /nonexistent/target "$m/dangling"
mkfifo "$m/fifo"
mknod "$m/null" c 1 3
chmod 4751 "$m/a/b/small"
chmod 1777 "$m/empty"
chown 1234:5678 "$m/a/big"
chown -h 99:98 "$m/sym"
setfattr -n user.color -v blue "$m/a/big"
setfattr -n user.bin -v 0sAAECAwQ= "$m/a"
touch -d '2001-02-03 04:05:06.123456789' "$m/a/b/small"
touch -a -d '1999-12-31 23:59:59.987654321' "$m/a/b/small"
touch -h -d '2010-01-01 00:00:00.5' "$m/sym"
echo appended >>"$m/a/b/small"
touch -d '2002-02-02 02:02:02.020202020' "$m/a/b" "$m/a/b/small"
snapshot "$m" "$T/before"
t_remount
snapshot "$m" "$T/after"
diff "$T/before" "$T/after" || fail "tree changed across remount"
[ "$(stat -c %h "$m/hard")" = 2 ] || fail "hard link count"
[ "$(stat -c %W "$m/a/big")" != 0 ] || fail "no birth time reported"
[ "$(stat -c %s "$m/sparse")" = 104857600 ] || fail "sparse size"
t_umount
t_fsck
echo "mount_persist: ok"
