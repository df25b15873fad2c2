#!/bin/sh
# tools_sqlite.sh: sqlite3 databases in the mount, rollback-journal and
# WAL (which maps its -shm file shared): 10,000 inserts in transactions,
# integrity_check, exact row counts and sums, after unmount + mount too.
. "$(dirname "$0")/lib.sh"
t_mkfs
t_mount

# fill DB MODE: 10 transactions of 1,000 inserts each.
fill() {
	{
		echo "PRAGMA journal_mode=$2;"
		echo "CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT, n INTEGER);"
		echo "CREATE INDEX tn ON t(n);"
		seq 0 9999 | awk '$1 % 1000 == 0 { print "BEGIN;" }
			{ printf "INSERT INTO t(v, n) VALUES (\x27row %d %s\x27, %d);\n", $1, sprintf("%0200d", $1), $1 * 7 % 1000 }
			$1 % 1000 == 999 { print "COMMIT;" }'
		echo "UPDATE t SET n = n + 1 WHERE id % 10 = 0;"
		echo "DELETE FROM t WHERE id > 9990;"
		echo "INSERT INTO t(v, n) SELECT v, n FROM t WHERE id > 9980;"
	} | sqlite3 "$1" >/dev/null
}

# check DB: integrity and exact content.
check() {
	[ "$(sqlite3 "$1" 'PRAGMA integrity_check;')" = ok ] || fail "$1: integrity_check"
	got=$(sqlite3 "$1" 'SELECT count(*), sum(n), sum(length(v)) FROM t;')
	[ "$got" = "$want" ] || fail "$1: content '$got', want '$want'"
}

fill "$T/ref.db" DELETE
want=$(sqlite3 "$T/ref.db" 'SELECT count(*), sum(n), sum(length(v)) FROM t;')
fill "$MNT/rollback.db" DELETE
fill "$MNT/wal.db" WAL
check "$MNT/rollback.db"
check "$MNT/wal.db"
[ "$(sqlite3 "$MNT/wal.db" 'PRAGMA journal_mode;')" = wal ] || fail "not in WAL mode"
# a second connection reading while the first writes (WAL shared memory)
sqlite3 "$MNT/wal.db" "BEGIN; INSERT INTO t(v, n) VALUES ('x', 1); SELECT count(*) FROM t; COMMIT;" >/dev/null
sqlite3 "$MNT/wal.db" "DELETE FROM t WHERE v = 'x';"
sqlite3 "$MNT/wal.db" "PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null
check "$MNT/wal.db"
sqlite3 "$MNT/rollback.db" "VACUUM;"
check "$MNT/rollback.db"

t_remount
check "$MNT/rollback.db"
check "$MNT/wal.db"
t_umount
t_fsck
echo "tools_sqlite: rollback and WAL databases intact ($want)"
