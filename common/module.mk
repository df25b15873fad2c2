# common/: orion_strerror() and helpers every subsystem may use.
COMMON_SRC := common/errors.c common/utf8.c
$(O)/libcommon.a: $(call objs,$(COMMON_SRC))
	@mkdir -p $(@D)
	$(AR) rcs $@ $^
