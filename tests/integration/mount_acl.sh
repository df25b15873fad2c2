#!/bin/sh
# mount_acl.sh: POSIX ACLs on a mount with allow_other: the kernel lets
# a named user in or keeps it out as the ACL says, chmod moves the mask,
# a directory's default ACL passes on (in place of the umask, which
# applies without one), a default ACL on a file is refused, cp and rsync
# carry ACLs in and out, and everything survives a remount.
. "$(dirname "$0")/lib.sh"

# acls_of DIR: getfacl of each node of the copied tree under DIR, in a
# fixed order (readdir's differs from one file system to the next).
acls_of() {
	(cd "$1" && for p in . a in in/b; do getfacl -p "$p"; done)
}
# acl_is PATH WANT: getfacl's entries for PATH (comments dropped) are WANT.
acl_is() {
	got=$(getfacl -cpE "$1" 2>&1 | grep -v '^$' | tr '\n' ' ')
	[ "$got" = "$2" ] || fail "ACL of $1: got '$got', want '$2'"
}

t_mkfs
chmod 755 "$T"
t_mount "$IMG" "$MNT" allow_other
chmod 755 "$MNT"

# an access ACL lets nobody read a 0600 file; chmod's group bits become
# the mask, which then shuts nobody out again; removing it all does too
echo secret >"$MNT/f"; chmod 600 "$MNT/f"
t_as_nobody "cat '$MNT/f'" 2>/dev/null && fail "nobody read a 0600 file"
setfacl -m u:nobody:r "$MNT/f"
acl_is "$MNT/f" "user::rw- user:nobody:r-- group::--- mask::r-- other::--- "
[ "$(t_as_nobody "cat '$MNT/f'")" = secret ] || fail "the ACL did not let nobody read"
[ "$(stat -c %a "$MNT/f")" = 640 ] || fail "mode does not show the mask: $(stat -c %a "$MNT/f")"
chmod 600 "$MNT/f"
acl_is "$MNT/f" "user::rw- user:nobody:r-- group::--- mask::--- other::--- "
t_as_nobody "cat '$MNT/f'" 2>/dev/null && fail "nobody read past a --- mask"
chmod 640 "$MNT/f"
setfacl -x u:nobody "$MNT/f"
t_as_nobody "cat '$MNT/f'" 2>/dev/null && fail "nobody read after its entry went"
setfacl -m u:nobody:r "$MNT/f"
setfacl -b "$MNT/f"
acl_is "$MNT/f" "user::rw- group::--- other::--- "
t_as_nobody "cat '$MNT/f'" 2>/dev/null && fail "nobody read after setfacl -b"

# a default ACL passes on, and the umask then plays no part
mkdir "$MNT/d"; chmod 755 "$MNT/d"
setfacl -d -m u:nobody:rwx "$MNT/d"
(umask 077 && echo x >"$MNT/d/file" && mkdir "$MNT/d/sub")
acl_is "$MNT/d/file" "user::rw- user:nobody:rwx group::r-x mask::rw- other::r-- "
t_as_nobody "echo more >>'$MNT/d/file'" || fail "nobody could not write by the inherited ACL"
acl_is "$MNT/d/sub" "user::rwx user:nobody:rwx group::r-x mask::rwx other::r-x default:user::rwx default:user:nobody:rwx default:group::r-x default:mask::rwx default:other::r-x "
t_as_nobody "touch '$MNT/d/sub/bynobody'" || fail "nobody could not create in the inherited dir"
[ "$(stat -c %U "$MNT/d/sub/bynobody")" = nobody ] || fail "new file not nobody's"
# without one the umask applies
(umask 027 && touch "$MNT/plain" && mkdir "$MNT/plaindir")
[ "$(stat -c %a "$MNT/plain")" = 640 ] || fail "umask 027 file: $(stat -c %a "$MNT/plain")"
[ "$(stat -c %a "$MNT/plaindir")" = 750 ] || fail "umask 027 dir: $(stat -c %a "$MNT/plaindir")"
# a default ACL only on directories
# (setfattr, not setfacl, which refuses by itself: u::rwx g::r-x o::r-x)
DACL=0x0200000001000700ffffffff04000500ffffffff20000500ffffffff
setfattr -n system.posix_acl_default -v $DACL "$MNT/plaindir" || fail "setfattr of a default ACL"
if setfattr -n system.posix_acl_default -v $DACL "$MNT/plain" 2>"$T/err"; then fail "a file took a default ACL"; fi
grep -q "Permission denied\|Operation not permitted" "$T/err" || fail "default ACL on a file: $(cat "$T/err")"
# only the owner may set an ACL
if t_as_nobody "setfacl -m u:nobody:rw '$MNT/plain'" 2>/dev/null; then fail "nobody set root's ACL"; fi
# setting one drops set-group-ID when the setter is outside the group
# (and lacks CAP_FSETID), as chmod would; root keeps it
echo s >"$MNT/sg"; chown nobody:root "$MNT/sg"; chmod 2770 "$MNT/sg"
t_as_nobody "setfacl -m u:daemon:r '$MNT/sg'" || fail "the owner could not set an ACL"
[ "$(stat -c %a "$MNT/sg")" = 770 ] || fail "set-group-ID kept: $(stat -c %a "$MNT/sg")"
chmod 2770 "$MNT/sg"; setfacl -m u:daemon:rw "$MNT/sg"
[ "$(stat -c %a "$MNT/sg")" = 2770 ] || fail "root's ACL dropped set-group-ID: $(stat -c %a "$MNT/sg")"
setfattr -n user.plain -v 1 "$MNT/sg"
[ "$(getfattr --only-values -n user.plain "$MNT/sg")" = 1 ] || fail "user xattr after SETXATTR_EXT"

# cp -a and rsync -aAX carry ACLs in and out
SRC=$T/src
mkdir -p "$SRC/tree/in"
echo a >"$SRC/tree/a"; echo b >"$SRC/tree/in/b"
setfacl -m u:nobody:rw,g:nogroup:r "$SRC/tree/a"
setfacl -d -m u:nobody:rx "$SRC/tree/in"
acls_of "$SRC/tree" >"$T/want"
cp -a "$SRC/tree" "$MNT/cp"
acls_of "$MNT/cp" >"$T/got"
diff "$T/want" "$T/got" || fail "cp -a lost ACLs"
rsync -aAX "$SRC/tree/" "$MNT/rs/"
rsync -aAX "$MNT/rs/" "$T/back/"
acls_of "$T/back" >"$T/got"
diff "$T/want" "$T/got" || fail "rsync -aAX in and out lost ACLs"

# all of it after a remount
t_umount
t_fsck
t_mount "$IMG" "$MNT" allow_other
acl_is "$MNT/d/sub" "user::rwx user:nobody:rwx group::r-x mask::rwx other::r-x default:user::rwx default:user:nobody:rwx default:group::r-x default:mask::rwx default:other::r-x "
t_as_nobody "cat '$MNT/d/file'" >/dev/null || fail "inherited ACL lost on remount"
acls_of "$MNT/cp" >"$T/got"
diff "$T/want" "$T/got" || fail "ACLs changed across the remount"
t_umount
t_fsck
echo "mount_acl: ok"
