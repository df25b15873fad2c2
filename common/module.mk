# common/: orion_strerror() and helpers every subsystem may use.
COMMON_SRC := common/errors.c common/mem.c common/utf8.c
# ASan builds only (SAN=1, the fuzzers): freed large blocks kept for reuse
SAN_ALLOC_SRC := common/san_alloc.c
$(O)/libcommon.a: $(call objs,$(COMMON_SRC))
	@mkdir -p $(@D)
	$(AR) rcs $@ $^

# Unit test of common/'s helpers that no subsystem's tests reach directly.
COMMON_TESTS := $(O)/tests/unit/test_common
$(COMMON_TESTS): $(O)/tests/unit/test_common.o $(LIB_common)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_check)
UNIT_TESTS += $(COMMON_TESTS)

# Sanitizer builds only: the test of their cache of large blocks
# (common/san_alloc.c, linked into all they link: see the Makefile).
ifeq ($(SAN),1)
SAN_TESTS := $(O)/tests/unit/test_san_alloc
$(SAN_TESTS): $(O)/tests/unit/test_san_alloc.o
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_check)
UNIT_TESTS += $(SAN_TESTS)
endif
