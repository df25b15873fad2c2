#!/bin/sh
# mount_reserved.sh: /db, /ctl, /proc and /snapshots belong to the runtime.
# Without a provider they do not exist and cannot be made (EPERM); with
# one (here the test provider, ORION_FUSE_SELFTEST) its tree is served,
# cannot be removed, renamed into or changed but through its files, and a
# transaction file answers on the same fd (also through orion-ctl).
. "$(dirname "$0")/lib.sh"

CTL="$(dirname "$0")/../../mount-helpers/orion-ctl"
# eperm CMD...: CMD fails with "Operation not permitted".
eperm() {
	if "$@" 2>"$T/err"; then fail "allowed: $*"; fi
	grep -q "Operation not permitted" "$T/err" || fail "$*: $(cat "$T/err")"
}

t_mkfs
t_mount
echo f >"$MNT/f"
mkdir "$MNT/sub"
# each name is either served by a provider of this build or absent;
# either way nobody makes, removes or renames it at the root
free=""
for n in db ctl proc snapshots; do
	if [ -e "$MNT/$n" ]; then
		[ -d "$MNT/$n" ] || fail "/$n is served but no directory"
		eperm rmdir "$MNT/$n"
		eperm mv "$MNT/$n" "$MNT/moved"
	else
		free="$free $n"
		eperm mkdir "$MNT/$n"
		eperm touch "$MNT/$n"
		eperm ln -s x "$MNT/$n"
		eperm mknod "$MNT/$n" p
		eperm mv "$MNT/f" "$MNT/$n"
		eperm ln "$MNT/f" "$MNT/$n"
	fi
done
mkdir "$MNT/sub/db" # only the root's names are reserved
listed=$(ls "$MNT" | grep -v -x -e db -e ctl -e proc -e snapshots | tr '\n' ' ')
[ "$listed" = "f sub " ] || fail "root listing: $listed"
for n in $free; do
	ls "$MNT" | grep -q -x "$n" && fail "/$n listed without a provider"
done
t_umount

# the test provider takes the first free reserved name
S=$(echo $free | cut -d' ' -f1)
[ -n "$S" ] || { echo "mount_reserved: every reserved name is served; provider checks skipped"; t_fsck; exit 0; }
ORION_FUSE_SELFTEST=$S t_mount
ls "$MNT" | grep -q -x "$S" || fail "provider root not listed: $(ls "$MNT")"
[ "$(ls "$MNT/$S")" = "$(printf 'echo\ninfo')" ] || fail "provider listing: $(ls "$MNT/$S")"
ino=$(stat -c %i "$MNT/$S")
awk -v i="$ino" "BEGIN { exit !(i + 0 >= 2 ^ 63) }" || fail "synthetic inode number $ino without the top bit"
grep -q "^state running$" "$MNT/$S/info" || fail "status file: $(cat "$MNT/$S/info")"
[ "$(stat -c %s "$MNT/$S/info")" = 0 ] || fail "generated file has a size"
exec 3<>"$MNT/$S/echo"
echo "upper Hello" >&3
read -r reply <&3
exec 3>&-
[ "$reply" = HELLO ] || fail "transaction reply: $reply"
[ "$("$CTL" "$MNT/$S/echo" lower "A B'C")" = "'a b''c'" ] || fail "orion-ctl reply"
if "$CTL" "$MNT/$S/echo" frob x 2>"$T/err"; then fail "orion-ctl: bad command succeeded"; fi
grep -q 'error EINVAL unknown command "frob x"' "$T/err" || fail "orion-ctl error text: $(cat "$T/err")"
eperm rmdir "$MNT/$S"
eperm rm "$MNT/$S/info"
eperm mkdir "$MNT/$S/x"
eperm mv "$MNT/f" "$MNT/$S/f"    # EXDEV, then the copy is refused
[ -f "$MNT/f" ] || fail "failed move lost the file"
t_umount
t_fsck
echo "mount_reserved: ok"
