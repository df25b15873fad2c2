#!/bin/sh
# db_ctl.sh: batches through /ctl/db: all lines applied or none, the errno
# on the failing write, the reply readable on the same fd, the file's
# owner and mode, and the /db tree seeing each batch at once.
. "$(dirname "$0")/lib.sh"

t_mkfs
t_mount
[ -e "$MNT/ctl/db" ] || fail "the mount does not serve /ctl/db"
[ "$(stat -c '%a %u' "$MNT/ctl/db")" = "600 $(id -u)" ] ||
	fail "/ctl/db mode and owner: $(stat -c '%a %u' "$MNT/ctl/db")"
[ "$(ls "$MNT/ctl")" = db ] || fail "ls /ctl: $(ls "$MNT/ctl")"

# batch TEXT: write TEXT as one batch on a fresh fd; the reply in $reply,
# the write's stderr in $T/err; the write's status is the function's.
batch() {
	exec 3<>"$MNT/ctl/db"
	st=0
	env printf "$1" >&3 2>"$T/err" || st=1 # coreutils: it names the errno
	reply=$(cat <&3)
	exec 3>&-
	return $st
}

batch "put a/1 one\nput a/2 'two words'\n" || fail "batch refused: $(cat "$T/err")"
[ "$reply" = "ok 2" ] || fail "reply: $reply"
[ "$(cat "$MNT/db/a/2")" = "two words" ] || fail "value: $(cat "$MNT/db/a/2")"
[ "$(stat -c %s "$MNT/db/a/2")" = 9 ] || fail "size: $(stat -c %s "$MNT/db/a/2")"

# a value the tree has cached changes at once with a batch
cat "$MNT/db/a/1" >/dev/null
batch "put a/1 'a longer value'\n" || fail "overwrite refused"
[ "$(cat "$MNT/db/a/1")" = "a longer value" ] || fail "stale value: $(cat "$MNT/db/a/1")"
[ "$(stat -c %s "$MNT/db/a/1")" = 14 ] || fail "stale size: $(stat -c %s "$MNT/db/a/1")"

# a cached file that gains keys below it becomes a directory at once
echo v >"$MNT/db/f"
[ -f "$MNT/db/f" ] || fail "f is no file"
batch "put f/x 1\n" || fail "put f/x refused"
[ -d "$MNT/db/f" ] && [ "$(cat "$MNT/db/f/x")" = 1 ] || fail "f did not become a directory"

# failing batches: the errno on the write, the error line, nothing applied
if batch 'put a/3 three\ndel nope\n'; then fail "failing batch accepted"; fi
[ "$reply" = 'error ENOENT no such key "del nope"' ] || fail "reply: $reply"
grep -q 'No such file' "$T/err" || fail "write error: $(cat "$T/err")"
[ ! -e "$MNT/db/a/3" ] || fail "a failing batch applied a line"

if batch 'put a/3 three\nput a/4\n'; then fail "wrong #args accepted"; fi
[ "$reply" = 'error EINVAL wrong #args "put a/4"' ] || fail "reply: $reply"
grep -q 'Invalid argument' "$T/err" || fail "write error: $(cat "$T/err")"

if batch 'put a//b x\n'; then fail "bad key accepted"; fi
case $reply in 'error EINVAL bad key'*'"put a//b x"') ;; *) fail "reply: $reply" ;; esac

if batch "put a/3 'unterminated\n"; then fail "open quote accepted"; fi
case $reply in 'error EINVAL '*) ;; *) fail "reply: $reply" ;; esac

if batch 'frob a\n'; then fail "unknown verb accepted"; fi
[ "$reply" = 'error EINVAL unknown command "frob a"' ] || fail "reply: $reply"

# over 4096 bytes in one write() (dd: one write; printf would split it)
{ printf 'put a/3 '; head -c 5000 /dev/zero | tr '\0' x; echo; } >"$T/big"
exec 3<>"$MNT/ctl/db"
if dd if="$T/big" bs=8192 count=1 status=none >&3 2>"$T/err"; then fail "a 5000-byte batch accepted"; fi
reply=$(cat <&3)
exec 3>&-
case $reply in 'error EFBIG '*) ;; *) fail "reply: $reply" ;; esac
grep -q 'too large' "$T/err" || fail "write error: $(cat "$T/err")"
[ ! -e "$MNT/db/a/3" ] || fail "a refused batch applied a line"
[ "$(cat "$MNT/db/a/1")" = "a longer value" ] || fail "a refused batch changed a/1"

# del through a batch; the reply of the last write on the same fd
batch 'del a/1\n' || fail "del refused"
[ "$reply" = "ok 1" ] || fail "reply: $reply"
[ ! -e "$MNT/db/a/1" ] || fail "a/1 still shows after del"
exec 3<>"$MNT/ctl/db"
printf 'put b x\n' >&3
printf 'put c y\n' >&3
read -r reply <&3
exec 3>&-
[ "$reply" = "ok 1" ] && [ "$(cat "$MNT/db/c")" = y ] || fail "second write: $reply"

# the helper script speaks the same convention
CTL="$(dirname "$0")/../../mount-helpers/orion-ctl"
[ "$("$CTL" -m "$MNT" db put h 'hello world')" = "ok 1" ] || fail "orion-ctl put"
[ "$(cat "$MNT/db/h")" = "hello world" ] || fail "orion-ctl value: $(cat "$MNT/db/h")"
if "$CTL" -m "$MNT" db del nope 2>"$T/err"; then fail "orion-ctl: failing del accepted"; fi
grep -q 'error ENOENT no such key "del nope"' "$T/err" || fail "orion-ctl error: $(cat "$T/err")"

# reading without a write gives nothing; the file is not for others
[ -z "$(cat "$MNT/ctl/db")" ] || fail "a read before any write"
if command -v setpriv >/dev/null && [ "$(id -u)" = 0 ]; then
	if setpriv --reuid=65534 --regid=65534 --clear-groups sh -c "echo 'put x y' >'$MNT/ctl/db'" 2>/dev/null; then
		fail "another user wrote /ctl/db"
	fi
fi

t_umount
t_mount
[ "$(cat "$MNT/db/a/2")" = "two words" ] || fail "batch lost at remount"
[ ! -e "$MNT/db/a/3" ] || fail "a failed batch shows after remount"
t_umount
t_fsck
echo "db_ctl: ok"
