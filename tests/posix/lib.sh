# tests/posix/lib.sh: sourced by the scripts that run the programs of
# tests/posix (posix-battery, fsync-writer, twin-writer, twin-tree, deny-calls)
# against live mounts.
#
# posix_tool NAME: print the path of program NAME.  $ORION_TESTBIN/NAME if
# that is set (the Makefile's $(O)/tests/posix), else a fresh build of the
# sources into $T/posix-bin (a second or two), so a script never runs a
# stale copy.  The programs are made runnable by any user (the battery
# also runs as nobody).
posix_tool() {
	if [ -n "${ORION_TESTBIN:-}" ] && [ -x "$ORION_TESTBIN/$1" ]; then
		echo "$ORION_TESTBIN/$1"
		return 0
	fi
	_src=$(cd "$(dirname "$0")/../.." && pwd)
	_out=$T/posix-bin
	mkdir -p "$_out"
	chmod 711 "$T" "$_out"
	if [ ! -x "$_out/$1" ]; then
		_libs=
		case $1 in
		posix-battery)
			_files="main.c util.c file.c dir.c meta.c perm.c" ;;
		fsync-writer)
			_files="fsync_writer.c util.c" ;;
		twin-writer)
			_files="twin_writer.c util.c" ;;
		twin-tree)
			_files="twin_tree.c util.c" ;;
		deny-calls)
			_files="deny_calls.c" _libs=-lseccomp ;;
		*)
			echo "posix_tool: unknown program $1" >&2
			return 1 ;;
		esac
		(cd "$_src/tests/posix" && ${CC:-cc} -std=c17 -O2 -D_GNU_SOURCE \
			-D_FILE_OFFSET_BITS=64 -I"$_src" -o "$_out/$1" $_files $_libs) >&2 ||
			return 1
	fi
	echo "$_out/$1"
}

# gen_tree DIR [WIDTH]: a source tree for the tool tests: WIDTH (default 4)
# directories of WIDTH subdirectories of files of assorted sizes, with
# hard links, symlinks (also dangling), user xattrs, assorted modes and
# ns timestamps, an empty dir and odd names.
gen_tree() {
	_d=$1 _w=${2:-4}
	mkdir -p "$_d/empty"
	_i=0
	while [ $_i -lt "$_w" ]; do
		_j=0
		while [ $_j -lt "$_w" ]; do
			_s="$_d/dir$_i/sub$_j"
			mkdir -p "$_s"
			_k=0
			while [ $_k -lt 8 ]; do
				head -c $(((_i * 131 + _j * 17 + _k * 997) % 20000)) /dev/urandom >"$_s/f$_k.dat"
				_k=$((_k + 1))
			done
			printf 'text %s %s\n' $_i $_j >"$_s/readme.txt"
			setfattr -n user.origin -v "dir$_i/sub$_j" "$_s/readme.txt"
			ln "$_s/f1.dat" "$_s/hard-f1"
			ln -s readme.txt "$_s/link"
			chmod 600 "$_s/f2.dat"
			chmod 755 "$_s/f3.dat"
			touch -d "2019-0$((_i % 9 + 1))-1$_j 12:34:56.$_i$_j$_k""12345" "$_s/f4.dat"
			_j=$((_j + 1))
		done
		_i=$((_i + 1))
	done
	head -c 3000000 /dev/urandom >"$_d/large.bin"
	setfattr -n user.big -v "0x$(head -c 3000 /dev/urandom | od -An -tx1 -v | tr -d ' \n')" "$_d/large.bin"
	setfattr -n user.dir -v yes "$_d/dir0"
	ln -s /nowhere "$_d/dangling"
	echo odd >"$_d/name with spaces"
	echo utf >"$_d/été"
	chmod 1777 "$_d/empty"
	touch -d '2001-01-01 00:00:00.5' "$_d/empty"
}

# meta_list DIR: sorted metadata of everything under DIR, one line each
# (dirs without size, which filesystems report differently).
meta_list() {
	(cd "$1" && find . ! -type d -print0 | sort -z |
		xargs -0 stat -c '%n %F %a %u %g %s %h %Y %N' &&
		find . -type d -print0 | sort -z | xargs -0 stat -c '%n %F %a %u %g %Y')
}

# xattr_list DIR: user xattrs of everything under DIR, in name order.
xattr_list() {
	(cd "$1" && find . -print0 | sort -z |
		xargs -0 getfattr -h -d -m '^user\.' --absolute-names 2>/dev/null) || true
}

# private_disk [SIZE]: put $IMG on a tmpfs of this test's own, so that
# statfs of the mount (which reflects the disk under the image) cannot see
# the writes of whatever else runs on the machine.  Replaces the EXIT trap
# with one that unmounts the FUSE mounts first, then the tmpfs.
private_disk() {
	mkdir "$T/disk"
	mount -t tmpfs -o "size=${1:-16g},mode=0755" orion-test "$T/disk"
	IMG=$T/disk/image.fs
	trap private_disk_cleanup EXIT
}
private_disk_cleanup() {
	for _m in $_MOUNTS; do
		if grep -qs " $_m fuse" /proc/mounts; then
			fusermount3 -u "$_m" 2>/dev/null || umount -l "$_m" 2>/dev/null || true
		fi
	done
	for _ in $(seq 1 50); do
		pgrep -f "mount.orionfs.*$T" >/dev/null 2>&1 || break
		sleep 0.1
	done
	umount "$T/disk" 2>/dev/null || umount -l "$T/disk" 2>/dev/null || true
	t_cleanup
}
