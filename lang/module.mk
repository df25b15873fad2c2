# lang/: the OrionLang interpreter library (liblang), the orion-lang
# program, its unit tests and its fuzz target.
#   lang/*_main.c -> one program each
#   lang/orion_lang_db.c -> orion-lang only (its --db module links OrionDB)
#   other lang/*.c -> liblang (depends on libc and libm only)
LANG_MAINS := $(wildcard lang/*_main.c)
LANG_PROG_SRC := lang/orion_lang_db.c
LANG_SRC   := $(filter-out $(LANG_MAINS) $(LANG_PROG_SRC),$(wildcard lang/*.c))
LANG_LIBS  := -lm

$(LIB_lang): $(call objs,$(LANG_SRC))
	@mkdir -p $(@D)
	$(AR) rcs $@ $^

$(BIN)/orion-lang: $(O)/lang/orion_lang_main.o $(call objs,$(LANG_PROG_SRC)) $(LIB_lang) \
		$(LIB_db) $(LIB_ofs) $(LIB_common)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_edit) $(LANG_LIBS) $(LIBS_lmdb) $(LIBS_sodium) $(LIBS_uring) -lpthread

PROGRAMS += $(BIN)/orion-lang
MANPAGES += docs/orion-lang.1

# Unit tests: tests/unit/test_lang*.c, one binary each.
LANG_TESTS := $(patsubst tests/unit/%.c,$(O)/tests/unit/%,$(wildcard tests/unit/test_lang*.c))
$(LANG_TESTS): $(O)/tests/unit/%: $(O)/tests/unit/%.o $(LIB_lang)
	$(CC) $(LDFLAGS) -o $@ $^ $(LANG_LIBS) $(LIBS_check)
UNIT_TESTS += $(LANG_TESTS)

# libFuzzer target: built only by `make fuzz-build` (clang). The library
# sources are compiled straight into it so they get coverage.
LANG_FUZZ := $(O)/tests/fuzz/fuzz_lang
LANG_FUZZ_FLAGS := -std=c17 -O1 -g -D_GNU_SOURCE -I. \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
$(LANG_FUZZ): tests/fuzz/fuzz_lang.c $(LANG_SRC) $(wildcard lang/*.h)
	@mkdir -p $(@D)
	clang $(LANG_FUZZ_FLAGS) -o $@ tests/fuzz/fuzz_lang.c $(LANG_SRC) -lm
FUZZERS += $(LANG_FUZZ)

.PHONY: lang-fuzz
# Run the OrionLang fuzzer for LANG_FUZZ_SECONDS (default 60).
lang-fuzz: $(LANG_FUZZ)
	@mkdir -p $(O)/fuzz-corpus-lang
	$(LANG_FUZZ) -max_total_time=$${LANG_FUZZ_SECONDS:-60} -max_len=4096 \
	  -timeout=10 -rss_limit_mb=2048 $(O)/fuzz-corpus-lang tests/fuzz/corpus_lang
