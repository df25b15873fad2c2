#!/bin/sh
# tools_git.sh: git inside the mount: init, add, several commits, log,
# a local clone (hard links), gc, fsck --full --strict, clean status;
# the same checks after unmount + mount.
. "$(dirname "$0")/lib.sh"
export HOME=$T GIT_CONFIG_NOSYSTEM=1 GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@example.org \
	GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@example.org
t_mkfs
t_mount

R=$MNT/repo
mkdir "$R"
git -C "$R" init -q -b main
cp -a /usr/include/linux/. "$R/"
git -C "$R" add -A
git -C "$R" commit -q -m "import"
n=1
for f in "$R"/a*.h "$R"/b*.h; do
	echo "/* change $n */" >>"$f"
	git -C "$R" commit -q -am "change $n"
	n=$((n + 1))
	[ $n -gt 20 ] && break
done
git -C "$R" mv "$R/types.h" "$R/types-renamed.h"
git -C "$R" commit -q -m "rename"
n=$((n + 1))
[ "$(git -C "$R" log --oneline | wc -l)" -eq "$n" ] || fail "log has the wrong number of commits"
git clone -q "$R" "$MNT/clone"
[ "$(git -C "$MNT/clone" rev-parse HEAD)" = "$(git -C "$R" rev-parse HEAD)" ] || fail "clone HEAD differs"
git -C "$R" gc -q --prune=now
git -C "$R" fsck --full --strict 2>&1 | tee "$T/fsck1" >&2 || fail "git fsck"
[ -z "$(git -C "$R" status --porcelain)" ] || fail "status not clean"
head=$(git -C "$R" rev-parse HEAD)
diff -r -x .git /usr/include/linux "$R" >/dev/null 2>&1 && fail "expected the work tree to differ"

t_remount
[ "$(git -C "$R" rev-parse HEAD)" = "$head" ] || fail "HEAD changed across remount"
[ "$(git -C "$R" log --oneline | wc -l)" -eq "$n" ] || fail "commits lost across remount"
git -C "$R" fsck --full --strict >&2 || fail "git fsck after remount"
git -C "$MNT/clone" fsck --full >&2 || fail "git fsck of the clone after remount"
[ -z "$(git -C "$R" status --porcelain)" ] || fail "status not clean after remount"
git -C "$R" checkout -q HEAD~3
git -C "$R" checkout -q main
[ -z "$(git -C "$R" status --porcelain)" ] || fail "status not clean after checkouts"
t_umount
t_fsck
echo "tools_git: $n commits, gc, clone and fsck fine across remount"
