# db/: OrionDB, the hierarchical key-value database (libdb), its unit tests
# and its benchmark.
#   db/*.c                 -> libdb
#   tests/unit/test_db*.c  -> one Check binary each
#   bench/db/db_bench.c    -> $(O)/bench/db/db-bench (against LMDB, SQLite)
DB_SRC  := $(wildcard db/*.c)
DB_LIBS := $(LIBS_lmdb) $(LIBS_sodium) $(LIBS_uring) -lpthread

$(LIB_db): $(call objs,$(DB_SRC))
	@mkdir -p $(@D)
	$(AR) rcs $@ $^

DB_TESTS := $(patsubst tests/unit/%.c,$(O)/tests/unit/%,$(wildcard tests/unit/test_db*.c))
$(O)/tests/unit/test_db%: $(O)/tests/unit/test_db%.o $(LIB_db) $(LIB_ofs) $(LIB_common)
	$(CC) $(LDFLAGS) -o $@ $^ $(DB_LIBS) $(LIBS_check)
UNIT_TESTS += $(DB_TESTS)

DB_BENCH := $(O)/bench/db/db-bench
$(DB_BENCH): $(O)/bench/db/db_bench.o $(LIB_db) $(LIB_common)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(DB_LIBS) -lsqlite3
.PHONY: db-bench
db-bench: $(DB_BENCH)

# bench/db/mount.sh: reading /db/KEY through the mount against a regular
# file of the same size (open + read + close, as cat does).
DB_MOUNT_BENCH := $(O)/bench/db/mount-read
$(DB_MOUNT_BENCH): $(O)/bench/db/mount_read.o
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^
.PHONY: db-mount-bench
db-mount-bench: $(DB_MOUNT_BENCH)

# libFuzzer target of the value and key parsers: built only by `make
# fuzz-build` (clang); the sources are compiled straight in for coverage.
DB_FUZZ := $(O)/tests/fuzz/fuzz_db
DB_FUZZ_FLAGS := -std=c17 -O1 -g -D_GNU_SOURCE -I. \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
$(DB_FUZZ): tests/fuzz/fuzz_db.c $(DB_SRC) common/errors.c common/utf8.c $(wildcard db/*.h)
	@mkdir -p $(@D)
	clang $(DB_FUZZ_FLAGS) -o $@ tests/fuzz/fuzz_db.c $(DB_SRC) common/errors.c common/utf8.c $(DB_LIBS)
FUZZERS += $(DB_FUZZ)
