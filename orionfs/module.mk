# orionfs/: the storage layer (libofs), the FUSE server (libofsfuse) and the
# programs mkfs.orionfs, fsck.orionfs and mount.orionfs.
#   orionfs/fuse_*.c   -> libofsfuse (the FUSE server; links fuse3)
#   orionfs/*_main.c   -> one program each
#   other orionfs/*.c  -> libofs (storage; no FUSE)
OFS_MAINS    := $(wildcard orionfs/*_main.c)
OFSFUSE_SRC  := $(wildcard orionfs/fuse_*.c)
OFS_SRC      := $(filter-out $(OFS_MAINS) $(OFSFUSE_SRC),$(wildcard orionfs/*.c))
OFS_LIBS     := $(LIBS_lmdb) $(LIBS_sodium) $(LIBS_uring) -lpthread

$(LIB_ofs): $(call objs,$(OFS_SRC))
	@mkdir -p $(@D)
	$(AR) rcs $@ $^
$(LIB_ofsfuse): $(call objs,$(OFSFUSE_SRC))
	@mkdir -p $(@D)
	$(AR) rcs $@ $^

# Libraries the FUSE server links besides libofs (db/, ctlfs/ ... append).
MOUNT_LIBS ?=

$(BIN)/mkfs.orionfs: $(O)/orionfs/mkfs_main.o $(LIB_ofs) $(LIB_common)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(OFS_LIBS)
$(BIN)/fsck.orionfs: $(O)/orionfs/fsck_main.o $(LIB_ofs) $(LIB_common)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(OFS_LIBS)
$(BIN)/mount.orionfs: $(O)/orionfs/mount_main.o $(LIB_ofsfuse) $$(MOUNT_LIBS) $(LIB_ofs) $(LIB_common)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $(filter %.o %.a,$^) $(LIBS_fuse3) $(OFS_LIBS) $(MOUNT_LDLIBS)

SBIN_PROGS += $(BIN)/mkfs.orionfs $(BIN)/fsck.orionfs $(BIN)/mount.orionfs

# Unit tests of the storage layer: tests/unit/test_ofs*.c, one binary each.
OFS_TESTS := $(patsubst tests/unit/%.c,$(O)/tests/unit/%,$(wildcard tests/unit/test_ofs*.c))
$(O)/tests/unit/test_ofs%: $(O)/tests/unit/test_ofs%.o $(LIB_ofs) $(LIB_common)
	$(CC) $(LDFLAGS) -o $@ $^ $(OFS_LIBS) $(LIBS_check)
UNIT_TESTS += $(OFS_TESTS)

# The storage layer's benchmark (bench/ofs/run.sh; against the host file system).
OFS_BENCH := $(O)/bench/ofs/ofs-bench
$(OFS_BENCH): $(O)/bench/ofs/ofs_bench.o $(LIB_ofs) $(LIB_common)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(OFS_LIBS)
.PHONY: ofs-bench
ofs-bench: $(OFS_BENCH)

# libFuzzer targets of the storage layer, built only by `make fuzz-build`
# (clang): fuzz_ofs (programs of calls), fuzz_image (images whose records,
# not LMDB's pages, are damaged) and fuzz_free (raw image files, for
# ofs_free_tail, which reads LMDB's pages itself).  The sources are
# compiled straight in for coverage, with common/san_alloc.c, without
# which ASan's cost for LMDB's nested transactions left fuzz_ofs 84 runs
# a second (150 with it; fuzz_image 14 and 127, fuzz_ctl 921 and 48,000).
OFS_FUZZERS := $(addprefix $(O)/tests/fuzz/,fuzz_ofs fuzz_image fuzz_free)
OFS_FUZZ_FLAGS := -std=c17 -O1 -g -D_GNU_SOURCE -D_FILE_OFFSET_BITS=64 -I. \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
$(OFS_FUZZERS): $(O)/tests/fuzz/%: tests/fuzz/%.c $(OFS_SRC) $(COMMON_SRC) $(SAN_ALLOC_SRC) \
		$(wildcard orionfs/*.h)
	@mkdir -p $(@D)
	clang $(OFS_FUZZ_FLAGS) -o $@ $< $(OFS_SRC) $(COMMON_SRC) $(SAN_ALLOC_SRC) $(OFS_LIBS)
FUZZERS += $(OFS_FUZZERS)
