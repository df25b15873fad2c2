# tests/posix/: the POSIX battery (posix-battery DIR), the crash-test
# writer (fsync-writer), the twins (twin-writer, twin-tree) and the
# fault injector (deny-calls), run against live mounts by the scripts in
# tests/integration/ and tests/stress/.
POSIX_SRC     := tests/posix/main.c tests/posix/util.c tests/posix/file.c \
                 tests/posix/dir.c tests/posix/meta.c tests/posix/perm.c
POSIX_BATTERY := $(O)/tests/posix/posix-battery
FSYNC_WRITER  := $(O)/tests/posix/fsync-writer
TWIN_WRITER   := $(O)/tests/posix/twin-writer
TWIN_TREE     := $(O)/tests/posix/twin-tree
DENY_CALLS    := $(O)/tests/posix/deny-calls
POSIX_TOOLS   := $(POSIX_BATTERY) $(FSYNC_WRITER) $(TWIN_WRITER) $(TWIN_TREE) $(DENY_CALLS)

$(POSIX_BATTERY): $(call objs,$(POSIX_SRC))
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^
$(FSYNC_WRITER): $(O)/tests/posix/fsync_writer.o $(O)/tests/posix/util.o
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^
$(TWIN_WRITER): $(O)/tests/posix/twin_writer.o $(O)/tests/posix/util.o
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^
$(TWIN_TREE): $(O)/tests/posix/twin_tree.o $(O)/tests/posix/util.o
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^

$(DENY_CALLS): $(O)/tests/posix/deny_calls.o
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS) -o $@ $^ $(LIBS_seccomp)

.PHONY: posix-tools
posix-tools: $(POSIX_TOOLS)
