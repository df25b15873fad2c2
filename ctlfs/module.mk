# ctlfs/: control files: the shared tokenizer and verb dispatch (libctl),
# and the /ctl/db batch verbs over OrionDB.
#   ctlfs/*.c               -> libctl
#   tests/unit/test_ctl*.c  -> one Check binary each
CTL_SRC := $(wildcard ctlfs/*.c)

$(LIB_ctl): $(call objs,$(CTL_SRC))
	@mkdir -p $(@D)
	$(AR) rcs $@ $^

CTL_TESTS := $(patsubst tests/unit/%.c,$(O)/tests/unit/%,$(wildcard tests/unit/test_ctl*.c))
$(O)/tests/unit/test_ctl%: $(O)/tests/unit/test_ctl%.o $(LIB_ctl) $(LIB_db) $(LIB_common)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_lmdb) $(LIBS_uring) -lpthread $(LIBS_check)
UNIT_TESTS += $(CTL_TESTS)

# The FUSE server serves /ctl (orionfs/fuse_ctl.c) and /db (orionfs/fuse_db.c)
# from these libraries: ctl before db, as libctl calls libdb.
MOUNT_LIBS += $(LIB_ctl) $(LIB_db)

# libFuzzer target of the tokenizer and the /ctl/db batch verbs: built
# only by `make fuzz-build` (clang), the sources compiled straight in
# (san_alloc.c too: see OFS_FUZZERS).
CTL_FUZZ := $(O)/tests/fuzz/fuzz_ctl
$(CTL_FUZZ): tests/fuzz/fuzz_ctl.c $(CTL_SRC) $(DB_SRC) common/errors.c common/utf8.c \
	     $(SAN_ALLOC_SRC) $(wildcard ctlfs/*.h db/*.h)
	@mkdir -p $(@D)
	clang $(DB_FUZZ_FLAGS) -o $@ tests/fuzz/fuzz_ctl.c $(CTL_SRC) $(DB_SRC) common/errors.c \
	  common/utf8.c $(SAN_ALLOC_SRC) $(DB_LIBS)
FUZZERS += $(CTL_FUZZ)
