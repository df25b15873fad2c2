#!/bin/sh
# db_stress.sh: the /db/ tree under load and at its limits: a reader never
# sees part of a value while another process rewrites it, writers in
# several processes lose nothing, a value larger than the image fails with
# ENOSPC and leaves the image clean, and everything survives a remount.
. "$(dirname "$0")/lib.sh"

D=$MNT/db
t_mkfs
t_mount
[ -d "$D" ] || fail "the mount does not serve /db"

# two complete values of different sizes, written in many small writes
head -c 300000 /dev/zero | tr '\0' a >"$T/va"
head -c 200000 /dev/zero | tr '\0' b >"$T/vb"
cp "$T/va" "$D/big"
(
	i=0
	while [ $i -lt 40 ]; do
		dd if="$T/vb" of="$D/big" bs=4096 status=none 2>/dev/null || exit 1
		dd if="$T/va" of="$D/big" bs=4096 status=none 2>/dev/null || exit 1
		i=$((i + 1))
	done
) &
writer=$!
n=0
while kill -0 $writer 2>/dev/null || [ $n -lt 5 ]; do
	cat "$D/big" >"$T/seen"
	cmp -s "$T/seen" "$T/va" || cmp -s "$T/seen" "$T/vb" ||
		fail "a read saw part of a value ($(wc -c <"$T/seen") bytes)"
	n=$((n + 1))
done
wait $writer || fail "the writer failed"
[ $n -gt 5 ] || fail "only $n reads"
echo "partial-read check: $n reads during 80 rewrites"
cmp -s "$D/big" "$T/va" || fail "last value"

# writers in several processes: every key arrives, one shared key holds
# one of the values written
for p in 1 2 3 4; do
	(
		mkdir -p "$D/w/$p"
		i=0
		while [ $i -lt 50 ]; do
			echo "$p-$i" >"$D/w/$p/$i" || exit 1
			echo "$p-$i" >"$D/w/shared" || exit 1
			i=$((i + 1))
		done
	) &
done
for p in 5 6; do
	(
		i=0
		while [ $i -lt 50 ]; do
			printf 'put c/%s/%s %s-%s\nput c/%s/n %s\n' $p $i $p $i $p $i >"$MNT/ctl/db" || exit 1
			i=$((i + 1))
		done
	) &
done
wait
[ "$(find "$D/w" -type f | wc -l)" = 201 ] || fail "keys lost: $(find "$D/w" -type f | wc -l) of 201"
[ "$(find "$D/c" -type f | wc -l)" = 102 ] || fail "batch keys lost: $(find "$D/c" -type f | wc -l) of 102"
for p in 1 2 3 4; do
	[ "$(cat "$D/w/$p/49")" = "$p-49" ] || fail "w/$p/49: $(cat "$D/w/$p/49")"
done
grep -qx '[1-4]-[0-9]*' "$D/w/shared" || fail "shared key: $(cat "$D/w/shared")"
[ "$(cat "$D/c/6/n")" = 49 ] || fail "c/6/n: $(cat "$D/c/6/n")"

# a directory of 5000 keys lists whole, each name once, across many
# readdir replies (cookies resume by name)
for b in $(seq 0 24); do
	for i in $(seq 0 199); do echo "put many/k$((b * 200 + i)) v$i"; done >"$T/batch"
	dd if="$T/batch" of="$MNT/ctl/db" bs=8192 status=none || fail "batch $b refused"
done
[ "$(ls "$D/many" | wc -l)" = 5000 ] || fail "ls of 5000 keys: $(ls "$D/many" | wc -l)"
[ -z "$(ls "$D/many" | sort | uniq -d)" ] || fail "a name listed twice"
[ "$(find "$D/many" -type f | wc -l)" = 5000 ] || fail "find of 5000 keys"
[ "$(cat "$D/many/k4999")" = v199 ] || fail "k4999: $(cat "$D/many/k4999")"
# mv of the whole prefix: one rename, every key arrives, none stays
mv "$D/many" "$D/moved"
[ ! -e "$D/many" ] || fail "mv left the old prefix"
[ "$(ls "$D/moved" | wc -l)" = 5000 ] || fail "mv of 5000 keys: $(ls "$D/moved" | wc -l)"
[ "$(cat "$D/moved/k0")" = v0 ] || fail "moved/k0"
t_remount
[ "$(find "$D/w" -type f | wc -l)" = 201 ] || fail "keys lost at remount"
cmp -s "$D/big" "$T/va" || fail "big changed at remount"
t_umount

# a value larger than the image can hold: ENOSPC, the image stays clean
SMALL=$T/small.fs
"$ORION_BIN/mkfs.orionfs" -f -s 16M "$SMALL" >/dev/null
t_mount "$SMALL"
echo keep >"$D/keep"
# larger than the whole image: refused at the write
if head -c 40000000 /dev/zero | cat >"$D/huge" 2>"$T/err"; then fail "a 40 MB value fit in 16 MB"; fi
grep -q 'No space left' "$T/err" || fail "huge: $(cat "$T/err")"
# a handle whose write failed stores nothing: no value cut short
[ ! -s "$D/huge" ] || fail "a failed write stored $(wc -c <"$D/huge") bytes"
# smaller than the image but more than is free: refused at close (the put).
# The first value leaves LMDB room for its copy-on-write pages and for a
# contiguous run of overflow pages; 4 + 14 MB cannot fit in 16 MB.
head -c 4000000 /dev/zero | tr '\0' y >"$D/three" || fail "4 MB in 16 MB"
if head -c 14000000 /dev/zero | cat >"$D/huge" 2>"$T/err"; then fail "18 MB fit in 16 MB"; fi
grep -q 'No space left' "$T/err" || fail "huge at close: $(cat "$T/err")"
rm "$D/three"
[ "$(cat "$D/keep")" = keep ] || fail "a failed put changed another key"
echo after >"$D/after" || fail "no write works after ENOSPC"
rm "$D/huge"
t_umount "$MNT"
t_fsck "$SMALL"
t_mount "$SMALL"
[ "$(cat "$D/keep")" = keep ] && [ "$(cat "$D/after")" = after ] || fail "lost keys after ENOSPC"
t_umount
t_fsck "$SMALL"
echo "db_stress: ok"
