# Makefile - builds the guest kernel, libvmlet, the vmlet CLI, test programs and tests.
CC ?= gcc
MAKEFLAGS += --no-print-directory
CFLAGS ?= -O2 -g
WARN := -std=c11 -Wall -Wextra -Werror -D_GNU_SOURCE
SAN ?=
BUILD ?= build
HOST_CFLAGS := $(WARN) $(CFLAGS) $(SAN) -Iinclude -I$(BUILD)/gen -MMD -MP

# Guest kernel: freestanding, no SSE (the program's vector registers stay untouched),
# no red zone, no stack protector (its %fs belongs to the program), kernel code model.
GK_CFLAGS := -std=c11 -Wall -Wextra -Werror -O2 -ffreestanding -fno-pic -fno-pie \
	-mcmodel=kernel -mno-red-zone -mgeneral-regs-only -fno-stack-protector \
	-fno-asynchronous-unwind-tables -fno-builtin -nostdinc -isystem $(shell $(CC) -print-file-name=include) -isystem /usr/include \
	-isystem /usr/include/x86_64-linux-gnu -MMD -MP -Iguest
# One folder per subsystem: arch (entry, the hypercall instruction), kernel, fs, mm, signal.
GK_SRCS := $(filter-out guest/vdso/%,$(wildcard guest/*/*.c))
GK_OBJS := $(GK_SRCS:guest/%.c=$(BUILD)/guest/%.o) $(BUILD)/guest/arch/entry.o

# SHA-256 lives beside the manifest code but the library's channels use it for digests.
LIB_SRCS := $(wildcard src/core/*.c src/loader/*.c src/host/*.c) src/manifest/sha256.c
LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/%.o) $(BUILD)/src/core/gk_blob.o
MANIFEST_SRCS := $(filter-out src/manifest/sha256.c,$(wildcard src/manifest/*.c))
MANIFEST_OBJS := $(MANIFEST_SRCS:%.c=$(BUILD)/%.o)
CONFINE_SRCS := src/confine/confine.c src/confine/landlock.c src/confine/filter_rules.c src/confine/filter_template.c
CLI_SRCS := $(wildcard src/cli/*.c) $(CONFINE_SRCS) $(MANIFEST_SRCS)
CLI_OBJS := $(CLI_SRCS:%.c=$(BUILD)/%.o)

all: $(BUILD)/vmlet

$(BUILD)/guest/%.o: guest/%.c
	@mkdir -p $(@D)
	$(CC) $(GK_CFLAGS) -c $< -o $@

$(BUILD)/guest/arch/entry.o: guest/arch/entry.S include/vmlet_abi.h $(BUILD)/vdso.so
	@mkdir -p $(@D)
	$(CC) -c -DVDSO_BIN='"$(BUILD)/vdso.so"' $< -o $@

# The vDSO: position-independent, one segment, no relocations (the guest maps it as is).
VDSO_CFLAGS := -std=c11 -Wall -Wextra -Werror -O2 -fPIC -ffreestanding -fno-stack-protector \
	-fno-asynchronous-unwind-tables -mgeneral-regs-only -nostdlib -shared \
	-Wl,-T,guest/vdso/vdso.lds -Wl,--version-script=guest/vdso/vdso.map -Wl,--hash-style=both \
	-Wl,-soname=linux-vdso.so.1 -Wl,-z,max-page-size=4096 -Wl,--build-id=none

$(BUILD)/vdso.so: guest/vdso/vdso.c guest/vdso/vdso.lds guest/vdso/vdso.map include/vmlet_abi.h
	@mkdir -p $(@D)
	$(CC) $(VDSO_CFLAGS) -o $@ $<
	@readelf -rW $@ | grep -q "no relocations" || { echo "$@ has relocations"; rm -f $@; exit 1; }

$(BUILD)/gk.elf: $(GK_OBJS) guest/gk.lds
	ld -static -nostdlib -T guest/gk.lds -z noexecstack --no-warn-rwx-segments -o $@ $(GK_OBJS)

$(BUILD)/gk.bin: $(BUILD)/gk.elf
	objcopy -O binary $< $@

$(BUILD)/src/core/gk_blob.o: src/core/gk_blob.S $(BUILD)/gk.bin
	@mkdir -p $(@D)
	$(CC) -c -DGK_BIN='"$(BUILD)/gk.bin"' $< -o $@

$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) -c $< -o $@

# The single-VM seccomp filter, compiled by libseccomp at build time with placeholders
# (src/confine/gen_filter.c); a run patches in its values instead of building it.
$(BUILD)/gen/gen_filter: src/confine/gen_filter.c src/confine/filter_rules.c src/confine/filter.h include/vmlet.h \
		$(wildcard /usr/lib/x86_64-linux-gnu/libseccomp.*) # a new libseccomp: a new template
	@mkdir -p $(@D)
	$(CC) $(WARN) -O2 -Iinclude -o $@ src/confine/gen_filter.c src/confine/filter_rules.c -lseccomp

$(BUILD)/gen/filter_template.h: $(BUILD)/gen/gen_filter
	$< > $@.tmp && mv $@.tmp $@

$(BUILD)/src/confine/filter_template.o $(BUILD)/musl/src/confine/filter_template.o: $(BUILD)/gen/filter_template.h

$(BUILD)/libvmlet.a: $(LIB_OBJS)
	ar rcs $@ $^

# The CLI links statically against musl when it is installed (and no sanitizer is
# asked for): its process start-up is ~0.5 ms shorter than glibc's on this kind of
# machine, where glibc's CPUID-heavy start-up traps to the hypervisor.
ifeq ($(SAN),)
MUSL_CC := $(shell command -v musl-gcc 2>/dev/null)
endif
ifneq ($(MUSL_CC),)
MUSL_OBJS := $(LIB_SRCS:%.c=$(BUILD)/musl/%.o) $(CLI_SRCS:%.c=$(BUILD)/musl/%.o) $(BUILD)/src/core/gk_blob.o \
	$(BUILD)/musl/src/confine/musl_compat.o

$(BUILD)/musl/%.o: %.c
	@mkdir -p $(@D)
	musl-gcc $(WARN) $(CFLAGS) -Iinclude -I$(BUILD)/gen -idirafter /usr/include -idirafter /usr/include/x86_64-linux-gnu -MMD -MP -c $< -o $@

$(BUILD)/vmlet: $(MUSL_OBJS)
	musl-gcc -static $(CFLAGS) -o $@ $^ /usr/lib/x86_64-linux-gnu/libseccomp.a \
		/usr/lib/x86_64-linux-gnu/libjansson.a
else
$(BUILD)/vmlet: $(CLI_OBJS) $(BUILD)/libvmlet.a
	$(CC) $(CFLAGS) $(SAN) -o $@ $^ -lseccomp -ljansson -lrt -lpthread
endif

clean:
	rm -rf $(BUILD)

# Keep every intermediate object: nothing is rebuilt or deleted behind the test summary.
# (Naming any target after .SECONDARY would turn this off: make keeps all only when it has none.)
.SECONDARY:

.PHONY: all clean
-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

# ---- tests -------------------------------------------------------------------
# Guest test programs, each built twice: against musl and against glibc.
PROG_SRCS := $(wildcard tests/progs/*.c)
PROG_ASM := $(wildcard tests/progs/*.S)
PROGS := $(PROG_SRCS:tests/progs/%.c=$(BUILD)/progs/%-musl) \
	$(PROG_SRCS:tests/progs/%.c=$(BUILD)/progs/%-glibc) \
	$(PROG_ASM:tests/progs/%.S=$(BUILD)/progs/%-asm)
PROG_CFLAGS := -O2 -static -Wall -Wno-unused-result

$(BUILD)/progs/%-musl: tests/progs/%.c
	@mkdir -p $(@D)
	musl-gcc $(PROG_CFLAGS) -o $@ $<

$(BUILD)/progs/%-glibc: tests/progs/%.c
	@mkdir -p $(@D)
	gcc $(PROG_CFLAGS) -o $@ $<

$(BUILD)/progs/%-asm: tests/progs/%.S
	@mkdir -p $(@D)
	gcc -nostdlib -static -no-pie -o $@ $<

# Unit tests (cmocka), linked against the library.
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)

# Unit tests link every CLI object but main's.
CLI_UNIT_OBJS := $(filter-out $(BUILD)/src/cli/main.o,$(CLI_OBJS))

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libvmlet.a $(CLI_UNIT_OBJS)
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) -Isrc -o $@ $< $(CLI_UNIT_OBJS) $(BUILD)/libvmlet.a -lcmocka -lseccomp -ljansson -lpthread -lrt

# The guest kernel as ordinary code, for tests/unit/test_guest.c: its system calls run in the test
# process and its hypercalls go straight to the host's handlers, so guest semantics are tested
# without KVM. Every symbol gets a gk_ prefix (its memcpy and the like stay apart from libc's);
# arch/hypercall.c, the one file that leaves the VM, is the test's own.
GK_HOSTED_CFLAGS := $(filter-out -mcmodel=kernel -fno-pic -fno-pie,$(GK_CFLAGS)) -fPIE
GK_HOSTED_OBJS := $(patsubst guest/%.c,$(BUILD)/gk-hosted/%.o,$(filter-out guest/arch/hypercall.c,$(GK_SRCS)))

$(BUILD)/gk-hosted/%.o: guest/%.c
	@mkdir -p $(@D)
	$(CC) $(GK_HOSTED_CFLAGS) -c $< -o $@

$(BUILD)/gk-hosted.o: $(GK_HOSTED_OBJS)
	ld -r -o $@.tmp $^
	objcopy --prefix-symbols=gk_ $@.tmp $@
	rm -f $@.tmp

$(BUILD)/tests/test_guest: tests/unit/test_guest.c $(BUILD)/gk-hosted.o $(BUILD)/libvmlet.a
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) -Isrc -o $@ $< $(BUILD)/gk-hosted.o $(BUILD)/libvmlet.a -lcmocka -lpthread -lrt

# Tells tests/run.sh whether this machine can run VMs at all (and if not, why).
$(BUILD)/tests/kvm_probe: tests/unit/kvm_probe.c tests/unit/needs_kvm.h
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) -o $@ $<

progs: $(PROGS)
unit: $(UNIT_BINS) $(BUILD)/tests/kvm_probe

test: all progs unit
	BUILD=$(BUILD) tests/run.sh

.PHONY: progs unit test

# Fuzz targets and benchmarks keep their rules beside their sources.
-include tests/fuzz/fuzz.mk
-include tests/fuzz/manifest.mk
-include tests/fuzz/hypercall.mk
-include tests/adversarial/adversarial.mk
-include bench/bench.mk

# ---- set-up, demo, full check (what CI runs) --------------------------------
SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
CHECK_FUZZ_SECONDS ?= 60

deps:
	scripts/deps.sh

# Without /dev/kvm, the demo runs in a QEMU guest that has it (scripts/qemu_kvm.sh, set up by deps).
demo: deps
	$(MAKE) all progs
	@if [ -e /dev/kvm ] || ! scripts/qemu_kvm.sh ready; then scripts/demo.sh; \
	else echo "no /dev/kvm here: the demo runs in a QEMU guest with nested KVM"; QEMU_KVM_MEM=4G scripts/qemu_kvm.sh run scripts/demo.sh; fi

# Memcheck over the unit tests and the CLI (glibc build: MUSL_CC= disables musl).
valgrind: deps
	$(MAKE) BUILD=build-vg MUSL_CC= CFLAGS="-O1 -g" all unit progs
	BUILD=build-vg tests/valgrind.sh

# Everything CI runs: fuzz crash regressions and bounded fuzzing, memcheck, the suite under
# ASan+UBSan, then the suite.
check: deps
	$(MAKE) fuzz-regress fuzz-manifest-regress fuzz-hypercall-regress
	$(MAKE) fuzz-run fuzz-manifest-run fuzz-hypercall-run FUZZ_SECONDS=$(CHECK_FUZZ_SECONDS)
	$(MAKE) valgrind
	$(MAKE) BUILD=build-san SAN="$(SAN_FLAGS)" test
	$(MAKE) test

.PHONY: deps demo check valgrind
