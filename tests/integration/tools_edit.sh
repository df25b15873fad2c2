#!/bin/sh
# tools_edit.sh: editors save files inside the mount: vim (swap file,
# fsync, backupcopy=no and =yes; in Ex mode it writes in place) and
# sed -i / perl -i (temp file + rename).  Contents, modes, xattrs and inode
# behaviour are checked, and everything again after unmount + mount.
. "$(dirname "$0")/lib.sh"
t_mkfs
t_mount
D=$MNT/edit
mkdir "$D"
seq 1 2000 | sed 's/^/line /' >"$D/rename.txt"
cp "$D/rename.txt" "$D/inplace.txt"
cp "$D/rename.txt" "$D/sed.txt"
chmod 640 "$D/rename.txt" "$D/inplace.txt"
setfattr -n user.tag -v keep "$D/inplace.txt"
ino_inplace=$(stat -c %i "$D/inplace.txt")
ino_sed=$(stat -c %i "$D/sed.txt")

# vimedit FILE BACKUPCOPY: replace "line 1000" and save with :wq.
vimedit() {
	HOME=$T vim -Es -u NONE -i NONE -N \
		-c "set writebackup backupcopy=$2 backupdir=$D directory=$D swapfile fsync" \
		-c '%s/^line 1000$/line one thousand/' -c 'wq' "$1" </dev/null ||
		fail "vim on $1 failed"
}
vimedit "$D/rename.txt" no
vimedit "$D/inplace.txt" yes
for f in rename inplace; do
	grep -qx 'line one thousand' "$D/$f.txt" || fail "vim edit of $f.txt lost"
	[ "$(wc -l <"$D/$f.txt")" -eq 2000 ] || fail "$f.txt has the wrong length"
	[ "$(stat -c %a "$D/$f.txt")" = 640 ] || fail "vim changed the mode of $f.txt"
done
[ "$(stat -c %i "$D/inplace.txt")" = "$ino_inplace" ] || fail "backupcopy=yes replaced the inode"
[ "$(getfattr --only-values -n user.tag "$D/inplace.txt")" = keep ] || fail "xattr lost in place"
[ -z "$(find "$D" -name '*.sw?')" ] || fail "vim left a swap file"

sed -i 's/^line 5$/line five/' "$D/sed.txt"
perl -i -pe 's/^line 6$/line six/' "$D/sed.txt"
grep -qx 'line five' "$D/sed.txt" && grep -qx 'line six' "$D/sed.txt" || fail "sed/perl -i"
[ "$(stat -c %i "$D/sed.txt")" != "$ino_sed" ] || fail "sed -i did not replace the file"
[ "$(ls -A "$D" | wc -l)" -eq 3 ] || fail "temporary files left: $(ls "$D" | tr '\n' ' ')"
sha256sum "$D"/* >"$T/sums"

t_remount
sha256sum -c --quiet "$T/sums" || fail "edited files changed after remount"
t_umount
t_fsck
echo "tools_edit: vim (both save modes), sed -i and perl -i"
