# Orion top-level Makefile.
#
#   make            build every program into bin/ (gcc, -O2)
#   make check      the whole test suite (see tests/check.sh): gcc and clang
#                   -Werror builds, unit, golden, integration and fuzz tests,
#                   then the suite again under ASan+UBSan
#   make run        install deps, build, create and mount a default image
#   make bench      benchmarks against their anchors (bench/)
#   make stress     long crash-safety loop
#   make fuzz       longer fuzzing runs
#   make install    PREFIX=/usr/local DESTDIR= (MOUNT_HELPER_LINK=0: no /sbin link)
#
# Variables: O (object dir), BIN (program dir), CC, SAN=1 (ASan+UBSan).
# Each subsystem adds itself through its own SUBSYS/module.mk fragment.

ifeq ($(origin CC),default)
CC := gcc
endif
O     ?= build/$(notdir $(CC))$(if $(SAN),-san)
BIN   ?= bin
PREFIX ?= /usr/local
MOUNT_HELPER_LINK ?= 1
DESTDIR ?=

PKGS  := fuse3 lmdb libsodium yaml-0.1 libseccomp
WARN  := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
         -Wno-unused-parameter
CFLAGS ?= -O2 -g
ALL_CFLAGS := -std=c17 $(WARN) -D_GNU_SOURCE -D_FILE_OFFSET_BITS=64 -I. \
              $(shell pkg-config --cflags fuse3 libedit) -MMD -MP $(CFLAGS)
LDFLAGS ?=
ifeq ($(SAN),1)
SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
ALL_CFLAGS += $(SANFLAGS)
LDFLAGS += $(SANFLAGS)
endif

LIBS_fuse3   := $(shell pkg-config --libs fuse3)
LIBS_lmdb    := -llmdb
LIBS_uring   := $(shell pkg-config --libs liburing)
LIBS_sodium  := $(shell pkg-config --libs libsodium)
LIBS_yaml    := $(shell pkg-config --libs yaml-0.1)
LIBS_seccomp := $(shell pkg-config --libs libseccomp)
LIBS_edit    := $(shell pkg-config --libs libedit)
LIBS_check   := $(shell pkg-config --libs check)

# Each subsystem's static library (built by its fragment).
LIB_common := $(O)/libcommon.a
LIB_ofs    := $(O)/libofs.a
LIB_ofsfuse:= $(O)/libofsfuse.a
LIB_db     := $(O)/libdb.a
LIB_ctl    := $(O)/libctl.a
LIB_lang   := $(O)/liblang.a
LIB_vm     := $(O)/libvm.a

# Filled in by the fragments.
PROGRAMS   :=
SBIN_PROGS :=
UNIT_TESTS :=
FUZZERS    :=
MANPAGES   :=

.PHONY: all check run bench stress fuzz fuzz-build install deps clean unit unit-build
.SECONDEXPANSION:
all: programs

# objdir rule shared by every subsystem
$(O)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

# $(call objs,SOURCES) -> object paths
objs = $(patsubst %.c,$(O)/%.o,$(1))

include common/module.mk
-include orionfs/module.mk
-include db/module.mk
-include ctlfs/module.mk
-include lang/module.mk
-include vm/module.mk
-include tests/posix/module.mk
-include bench/fs/module.mk

# Sanitizer builds link common/san_alloc.c into all they link: it keeps
# freed large blocks for reuse, which ASan would unmap (see the file).
ifeq ($(SAN),1)
$(PROGRAMS) $(SBIN_PROGS) $(UNIT_TESTS) $(POSIX_TOOLS): $(O)/common/san_alloc.o
endif

.PHONY: programs
programs: $(PROGRAMS) $(SBIN_PROGS)

unit-build: $(UNIT_TESTS)
unit: $(UNIT_TESTS)
	@set -e; for t in $(UNIT_TESTS); do echo "== $$t"; CK_DEFAULT_TIMEOUT=120 $$t; done

deps:
	@./mount-helpers/install-deps.sh

check: deps
	@./tests/check.sh

run: deps
	@$(MAKE) --no-print-directory all
	@./mount-helpers/orion-demo.sh

bench: deps
	@$(MAKE) --no-print-directory all
	@./bench/run.sh

stress: deps
	@$(MAKE) --no-print-directory all
	@./tests/stress/crash-loop.sh

# Fuzzers are clang/libFuzzer binaries; FUZZ_SECONDS each.
FUZZ_SECONDS ?= 300
fuzz-build: $(FUZZERS)
fuzz: fuzz-build
	@./tests/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZERS)

install: programs
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/sbin $(DESTDIR)$(PREFIX)/share/man/man1 \
	  $(DESTDIR)$(PREFIX)/share/man/man5 $(DESTDIR)$(PREFIX)/share/man/man8
	$(if $(PROGRAMS),install -m 755 $(PROGRAMS) $(DESTDIR)$(PREFIX)/bin)
	install -m 755 mount-helpers/orion-ctl $(DESTDIR)$(PREFIX)/bin
	$(if $(SBIN_PROGS),install -m 755 $(SBIN_PROGS) $(DESTDIR)$(PREFIX)/sbin)
	@# mount(8) looks for helpers in /sbin only: link ours there too.
	@if [ "$(PREFIX)" != / ] && [ "$(PREFIX)" != /usr ] && [ "$(MOUNT_HELPER_LINK)" = 1 ]; then \
	  install -d $(DESTDIR)/sbin; \
	  ln -sf $(PREFIX)/sbin/mount.orionfs $(DESTDIR)/sbin/mount.orionfs; \
	  echo "linked $(DESTDIR)/sbin/mount.orionfs -> $(PREFIX)/sbin/mount.orionfs"; fi
	@# orion-demo.sh is a source-tree demo: neither it nor its page is installed.
	@for m in docs/*.[158]; do [ -f "$$m" ] && [ "$$m" != docs/orion-demo.1 ] || continue; s=$${m##*.}; \
	  install -m 644 $$m $(DESTDIR)$(PREFIX)/share/man/man$$s/; done

clean:
	rm -rf build bin

-include $(shell find $(O) -name '*.d' 2>/dev/null)
