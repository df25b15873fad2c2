#!/bin/sh
# orion-demo.sh: the "main job" of `make run`.  Creates ./orion.fs if it is
# missing, mounts it on ${ORION_MNT:-/mnt/orion} (clearing a stale
# mountpoint left by a dead daemon, leaving a live mount of this image as
# it is), shows it working and prints what to try next.  Idempotent.
set -eu
cd "$(dirname "$0")/.."
BIN=${ORION_BIN:-$PWD/bin}
IMG=${ORION_IMAGE:-$PWD/orion.fs}
MNT=${ORION_MNT:-/mnt/orion}
P=orion-demo

die() { echo "$P: $*" >&2; exit 1; }
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
mkdir -p "$MNT" 2>/dev/null || true
# /proc/mounts names both by their real paths
IMG=$(readlink -f "$IMG")
[ -d "$MNT" ] && MNT=$(readlink -f "$MNT")

# state of $MNT: "stale" (dead daemon), "ours" (this image), "other"
# (something else mounted there) or "free"
state() {
	if ! stat -f "$MNT" >/dev/null 2>&1; then echo stale; return; fi
	_line=$(awk -v m="$MNT" '$2 == m {print $1, $3}' /proc/mounts | tail -n 1)
	case $_line in
	"") echo free ;;
	"$IMG fuse.orionfs") echo ours ;;
	*) echo other ;;
	esac
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
	"$PWD/mount-helpers/orion-ctl" -m "$MNT" db put demo/visits 1
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

cat <<EOT

Orion is mounted on $MNT (image $IMG).  Try:
  ls -la $MNT; echo hi >$MNT/note; cat $MNT/note
  cp -a /usr/share/doc/bash $MNT/ && du -sh $MNT/bash
  cd $MNT && git init demo-repo         # a git repository inside the image
  man -l docs/mount.orionfs.8           # mount options, durability, signals
  $BIN/fsck.orionfs -n $IMG             # after unmounting: check the image
  $BIN/orion-lang                       # the OrionLang REPL (docs/lang.md)
EOT
[ -d "$MNT/db" ] && cat <<EOT
  mkdir -p $MNT/db/app; echo dark >$MNT/db/app/theme   # OrionDB key app/theme
EOT
cat <<EOT
Unmount:  umount $MNT   (or: fusermount3 -u $MNT)
Remount:  $BIN/mount.orionfs $IMG $MNT
Run me again any time: make run
EOT
