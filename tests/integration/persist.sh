#!/bin/sh
# persist.sh: a tree holding every kind of object and metadata survives an
# unmount and a new mount exactly (names, types, modes, owners, sizes,
# ns times, xattrs, link counts, inode numbers, contents), and a plain copy
# of the unmounted image is a full backup that mounts elsewhere.
. "$(dirname "$0")/lib.sh"
M=$(cd "$(dirname "$0")/../posix" && pwd)/manifest.py

# build_tree DIR: one of everything.
build_tree() {
	R=$1
	mkdir -p "$R/d1/d2/d3" "$R/empty" "$R/many"
	: >"$R/zero"
	head -c 1 /dev/urandom >"$R/one"
	for n in 4095 4096 4097 65536 1048579; do
		head -c "$n" /dev/urandom >"$R/b$n"
	done
	head -c 20971520 /dev/urandom >"$R/d1/big"
	truncate -s 100M "$R/sparse"
	printf tail >>"$R/sparse"
	printf 'hole at start' | dd of="$R/sparse2" bs=1 seek=5000000 status=none
	i=0
	while [ $i -lt 500 ]; do echo "file $i" >"$R/many/f$i"; i=$((i + 1)); done
	ln "$R/one" "$R/d1/hard1"
	ln "$R/one" "$R/d1/d2/hard2"
	ln -s one "$R/sym"
	ln -s /nonexistent/target "$R/dangling"
	ln -s d1/d2 "$R/dirlink"
	mkfifo -m 640 "$R/fifo"
	mknod -m 600 "$R/chr" c 1 3
	mknod -m 660 "$R/blk" b 8 1
	python3 -c 'import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$R/sock"
	long=$(printf '%0255d' 0 | tr 0 L)
	echo long >"$R/$long"
	echo unicode >"$R/été-文字"
	printf 'x' >"$R/new
line"
	chmod 4755 "$R/b4096"
	chmod 2710 "$R/d1/d2"
	chmod 1777 "$R/empty"
	chmod 0 "$R/b4097"
	chmod 640 "$R/b65536"
	chown 1000:1000 "$R/one"
	chown 65534:100 "$R/d1"
	chown 4000000000:4000000001 "$R/b4095"
	chown -h 123:456 "$R/sym"
	setfattr -n user.a -v hello "$R/one"
	setfattr -n user.bin -v 0x00ff0001 "$R/d1"
	setfattr -n user.empty "$R/b4095"
	setfattr -n user.big -v "0x$(head -c 5000 /dev/urandom | od -An -tx1 -v | tr -d ' \n')" "$R/d1/big"
	setfattr -n trusted.t -v root-only "$R/b1048579"
	python3 "$M" times "$R"
}

t_mkfs
t_mount
build_tree "$MNT/tree"
python3 "$M" list "$MNT/tree" >"$T/m1"
[ "$(wc -l <"$T/m1")" -gt 500 ] || fail "manifest too short"

t_remount
python3 "$M" list "$MNT/tree" >"$T/m2"
diff "$T/m1" "$T/m2" || fail "tree changed across unmount+mount"

# the unmounted image file is a complete backup
t_umount
cp "$IMG" "$T/backup.fs"
mkdir "$T/mnt2"
t_mount "$T/backup.fs" "$T/mnt2"
python3 "$M" list "$T/mnt2/tree" >"$T/m3"
diff "$T/m1" "$T/m3" || fail "backup copy differs from the original"
t_umount "$T/mnt2"
t_fsck "$T/backup.fs"
t_fsck
echo "persist: $(wc -l <"$T/m1") entries identical after remount and in a copied image"
