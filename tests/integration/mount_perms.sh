#!/bin/sh
# mount_perms.sh: with allow_other, other users get in and the kernel
# enforces modes and owners (default_permissions); without it they are
# kept out entirely.  Users: root and nobody (via setpriv).
. "$(dirname "$0")/lib.sh"

NOBODY=$(id -u nobody)
NOGRP=$(id -g nobody)
# denied CMD: CMD as nobody fails with "Permission denied" or EPERM.
denied() {
	if t_as_nobody "$1" 2>"$T/err"; then fail "nobody was allowed: $1"; fi
	grep -q "Permission denied\|Operation not permitted" "$T/err" || fail "$1: $(cat "$T/err")"
}
allowed() {
	t_as_nobody "$1" 2>"$T/err" || fail "nobody was refused: $1: $(cat "$T/err")"
}

t_mkfs
chmod 755 "$T"  # nobody must reach the mountpoint
t_mount "$IMG" "$MNT" allow_other
chmod 755 "$MNT"
echo public >"$MNT/pub"; chmod 644 "$MNT/pub"
echo secret >"$MNT/priv"; chmod 600 "$MNT/priv"
mkdir "$MNT/rootdir"; chmod 755 "$MNT/rootdir"
mkdir "$MNT/box"; chown nobody "$MNT/box"; chmod 700 "$MNT/box"
mkdir "$MNT/sticky"; chmod 1777 "$MNT/sticky"
echo mine >"$MNT/sticky/rootfile"; chmod 666 "$MNT/sticky/rootfile"

allowed "cat '$MNT/pub' >/dev/null"
denied "cat '$MNT/priv'"
denied "echo x >>'$MNT/pub'"
denied "touch '$MNT/rootdir/new'"
denied "rm '$MNT/pub'"
denied "chmod 777 '$MNT/pub'"
denied "chown nobody '$MNT/pub'"
denied "mkdir '$MNT/nope'"
allowed "echo n >'$MNT/box/f' && mkdir '$MNT/box/sub' && ls '$MNT/box' >/dev/null"
[ "$(stat -c %u:%g "$MNT/box/f")" = "$NOBODY:$NOGRP" ] || fail "new file not owned by its creator"
allowed "chmod 600 '$MNT/box/f'"
denied "rm '$MNT/sticky/rootfile'"
allowed "echo n >'$MNT/sticky/nf' && rm '$MNT/sticky/nf'"
denied "ls '$MNT/box/../box/../box' >/dev/null && cat '$MNT/priv'"
# root can still do anything
cat "$MNT/box/f" >/dev/null
t_umount

# without allow_other even a world-readable file is out of reach
t_mount
if t_as_nobody "cat '$MNT/pub'" 2>/dev/null; then fail "nobody got in without allow_other"; fi
t_umount
t_fsck
echo "mount_perms: ok"
