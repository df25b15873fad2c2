#!/bin/sh
# tools_find_rm.sh: find over a tree of 10,000 files gives the same answers
# in the mount as on the host; rm -rf removes it all and gives the space
# back; still gone after unmount + mount.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/../posix/lib.sh"
private_disk 4g # df must not see other writers on the machine
SRC=$T/src
mkdir -p "$SRC"
python3 - "$SRC" <<'PY'
import os, sys
root = sys.argv[1]
for a in range(25):
    for b in range(20):
        d = os.path.join(root, "a%02d" % a, "b%02d" % b)
        os.makedirs(d)
        for c in range(20):
            with open(os.path.join(d, "f%02d" % c), "wb") as f:
                f.write(os.urandom((a * 373 + b * 111 + c * 1001) % 9000))
        os.symlink("f00", os.path.join(d, "link"))
PY
t_mkfs
t_mount
df_free() { df -P -B1 "$MNT" | awk 'NR == 2 { print $4 }'; }
sync
free0=$(df_free)
root0=$(ls -A "$MNT")   # what the filesystem itself shows at its root
# tar, not cp -a: tools_cp.sh is the test of cp
mkdir "$MNT/tree"
tar --format=posix -C "$SRC" -cf - . | tar -C "$MNT/tree" -xpf -

# same_find ARGS...: find gives the same sorted answer on both trees.
same_find() {
	(cd "$SRC" && find . "$@" | sort) >"$T/f.a"
	(cd "$MNT/tree" && find . "$@" | sort) >"$T/f.b"
	cmp -s "$T/f.a" "$T/f.b" || { diff "$T/f.a" "$T/f.b" | head >&2; fail "find $*"; }
	[ -s "$T/f.a" ] || fail "find $*: no answers compared"
}
same_find
same_find -type f
same_find -type l
same_find -name 'f1*'
same_find -size +4k
same_find -empty
same_find -newer "$SRC/a03/b04/f05" -type f
same_find -type f -links 1 -perm -644
[ "$(find "$MNT/tree" -type f | wc -l)" -eq 10000 ] || fail "not 10,000 files"
(cd "$MNT/tree" && find . -type f -exec cat {} + >/dev/null) || fail "find -exec cat"
(cd "$MNT/tree" && find . -type f -print0 | sort -z | xargs -0 cat | cksum) >"$T/c.b"
(cd "$SRC" && find . -type f -print0 | sort -z | xargs -0 cat | cksum) >"$T/c.a"
cmp -s "$T/c.a" "$T/c.b" || fail "find -exec cat gives other bytes in the mount"

sync
free1=$(df_free)
[ "$free1" -lt "$free0" ] || fail "df shows no space used by the tree"
rm -rf "$MNT/tree"
[ ! -e "$MNT/tree" ] || fail "rm -rf left the tree"
[ "$(ls -A "$MNT")" = "$root0" ] || fail "root after rm -rf: $(ls -A "$MNT" | tr '\n' ' ')"
# freed space returns once the kernel has dropped the inodes
for _ in $(seq 1 50); do
	[ "$(df_free)" -ge $((free0 - 1048576)) ] && break
	sleep 0.1
done
[ "$(df_free)" -ge $((free0 - 1048576)) ] ||
	fail "space not returned after rm -rf: before $free0, with tree $free1, now $(df_free)"
t_remount
[ "$(ls -A "$MNT")" = "$root0" ] || fail "root after remount: $(ls -A "$MNT" | tr '\n' ' ')"
t_umount
t_fsck
echo "tools_find_rm: find agrees on 10,000 files; rm -rf leaves nothing"
