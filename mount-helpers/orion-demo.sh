#!/bin/sh
# orion-demo.sh: the "main job" of `make run`.  Creates ./orion.fs if it is
# missing, mounts it on ${ORION_MNT:-/mnt/orion} (clearing a stale
# mountpoint left by a dead daemon, leaving a live mount of this image as
# it is), shows it working and prints what to try next.  Idempotent.
# A source-tree demo: `make install` does not install it.
set -eu
P=orion-demo

usage() {
	cat <<EOT
usage: $0 [-h | --help]
The demo that "make run" runs, as root, once the programs are built:
creates the image with mkfs.orionfs if it is missing, mounts it with
mount.orionfs (a live mount of this image is left as it is, a stale mount
point left by a dead daemon is cleared first), writes and reads files,
OrionDB keys (also through mount-helpers/orion-ctl) and runs an OrionLang
program in it, and prints what to try next.  The image stays mounted.
Environment (a relative path is taken from the top of the source tree):
  ORION_MNT    the mount point; default /mnt/orion (created if missing)
  ORION_IMAGE  the image; default orion.fs at the top of the source tree
  ORION_BIN    the directory of the programs; default bin/ of the tree
Exit status: 0 done, 1 a check failed, 2 bad arguments, other: the status
of the command that failed.  Manual: docs/orion-demo.1 in the source tree.
EOT
}
for _a; do
	case $_a in
	-h | --help) ;;
	*) echo "$P: unknown argument: $_a (it takes only -h or --help)" >&2; exit 2 ;;
	esac
done
[ $# -eq 0 ] || { usage; exit 0; }

cd "$(dirname "$0")/.."
TOP=$PWD
BIN=${ORION_BIN:-$TOP/bin}
IMG=${ORION_IMAGE:-$TOP/orion.fs}
MNT=${ORION_MNT:-/mnt/orion}
case $BIN in /*) ;; *) BIN=$TOP/$BIN ;; esac

die() { echo "$P: $*" >&2; exit 1; }
# sub STR FROM TO: STR with each FROM replaced by TO, in $_s
sub() {
	_r=$1 _s=
	while :; do
		case $_r in
		*"$2"*) _s=$_s${_r%%"$2"*}$3; _r=${_r#*"$2"} ;;
		*) _s=$_s$_r; return ;;
		esac
	done
}
# q PATH: PATH as one shell word, for the hints printed at the end
q() {
	case $1 in
	*[!A-Za-z0-9_./:,+=@%-]* | '') sub "$1" "'" "'\\''"; printf "'%s'" "$_s" ;;
	*) printf '%s' "$1" ;;
	esac
}
# mount_at: is $MNT a mount point?  Sets m_type and m_dev from the mount
# on top (findmnt reads the kernel's table, so a stale one answers too)
mount_at() {
	m_type=$(findmnt -n -o FSTYPE --mountpoint "$MNT" | tail -n 1)
	m_dev=$(findmnt -n -o SOURCE --mountpoint "$MNT" | tail -n 1)
	[ -n "$m_type" ]
}

[ "$(id -u)" -eq 0 ] || die "run me as root (mounting needs it)"
for b in mkfs.orionfs mount.orionfs; do
	[ -x "$BIN/$b" ] || die "$BIN/$b: missing; run make first"
done
[ -e /dev/fuse ] || modprobe fuse 2>/dev/null || true
[ -e /dev/fuse ] || die "/dev/fuse: missing; this kernel has no FUSE"

if [ ! -e "$IMG" ]; then
	echo "== creating $IMG"
	"$BIN/mkfs.orionfs" "$IMG"
fi
# the mount table names both by their real paths; a stale mount point
# cannot be resolved itself (stat fails), so resolve its parent
IMG=$(readlink -f "$IMG")
case $MNT in /*) ;; *) MNT=$TOP/$MNT ;; esac
while :; do case $MNT in */) MNT=${MNT%/} ;; *) break ;; esac; done
MNT=${MNT:-/}
if [ -d "$MNT" ]; then
	MNT=$(cd -P -- "$MNT" && pwd -P)
elif _p=$(cd -P -- "$(dirname -- "$MNT")" 2>/dev/null && pwd -P); then
	MNT=${_p%/}/$(basename -- "$MNT")
fi
# a missing mount point is made; one that cannot be made is an error,
# unless it is listed as mounted (a stale mount point: stat fails)
if ! _err=$(mkdir -p -- "$MNT" 2>&1) && ! mount_at; then
	die "$MNT: cannot create the mount point: ${_err##*: }"
fi

# state of $MNT: "stale" (dead daemon), "ours" (this image), "other"
# (something else mounted there) or "free"
state() {
	if ! mount_at; then echo free; return; fi
	if ! stat -f "$MNT" >/dev/null 2>&1; then echo stale; return; fi
	if [ "$m_type" = fuse.orionfs ] && [ "$m_dev" = "$IMG" ]; then
		echo ours
	else
		echo other
	fi
}

case $(state) in
stale)
	echo "== $MNT: stale mountpoint (its daemon died); clearing it"
	fusermount3 -u "$MNT" 2>/dev/null || umount -l "$MNT"
	;;
other) die "$MNT: something else is mounted there; set ORION_MNT=DIR" ;;
esac
if [ "$(state)" = ours ]; then
	echo "== $IMG is already mounted on $MNT"
else
	echo "== mounting $IMG on $MNT"
	"$BIN/mount.orionfs" "$IMG" "$MNT"
fi

echo "== writing and reading a file"
date -u "+hello from Orion, %Y-%m-%d %H:%M:%S UTC" >"$MNT/hello.txt"
cat "$MNT/hello.txt"
echo "== making a directory"
mkdir -p "$MNT/demo/nested"
cp "$MNT/hello.txt" "$MNT/demo/nested/copy.txt"
echo "== ls -la $MNT"
ls -la "$MNT"
echo "== df -h $MNT"
df -h "$MNT"
if [ -d "$MNT/db" ]; then
	echo "== OrionDB: key demo/greeting is the file $MNT/db/demo/greeting"
	mkdir -p "$MNT/db/demo"
	echo "hello, database" >"$MNT/db/demo/greeting"
	cat "$MNT/db/demo/greeting"
	echo "== OrionDB: a batch through the control file /ctl/db (all or nothing)"
	"$TOP/mount-helpers/orion-ctl" -m "$MNT" db put demo/visits 1
	ls -l "$MNT/db/demo"
fi
if [ -x "$BIN/orion-lang" ]; then
	echo "== OrionLang: counting the words of $MNT/hello.txt"
	"$BIN/orion-lang" -e '
let words = {}
for w in string.split(string.trim(fs.read(proc.args[0])), " ") {
  words[w] = (words[w] or 0) + 1
}
print(json.encode(words))
print(format("{} distinct words", len(words)))' "$MNT/hello.txt"
fi

m=$(q "$MNT") i=$(q "$IMG") b=$(q "$BIN")
cat <<EOT

Orion is mounted on $MNT (image $IMG).  Try:
  ls -la $m; echo hi >$m/note; cat $m/note
  cp -a /usr/share/doc/bash $m/ && du -sh $m/bash
  cd $m && git init demo-repo         # a git repository inside the image
  man -l $(q "$TOP/docs/mount.orionfs.8")   # mount options, durability, signals
  $b/fsck.orionfs -n $i             # after unmounting: check the image
  $b/orion-lang                       # the OrionLang REPL (docs/lang.md)
EOT
[ -d "$MNT/db" ] && cat <<EOT
  mkdir -p $m/db/app; echo dark >$m/db/app/theme   # OrionDB key app/theme
EOT
cat <<EOT
Unmount:  umount $m   (or: fusermount3 -u $m)
Remount:  $b/mount.orionfs $i $m
Run me again any time: make run
EOT
