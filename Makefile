# Makefile - builds the guest kernel, libvmlet, the vmlet CLI, test programs and tests.
CC ?= gcc
CFLAGS ?= -O2 -g
WARN := -std=c11 -Wall -Wextra -Werror -D_GNU_SOURCE
SAN ?=
BUILD ?= build
HOST_CFLAGS := $(WARN) $(CFLAGS) $(SAN) -Iinclude -MMD -MP

# Guest kernel: freestanding, no SSE (the program's vector registers stay untouched),
# no red zone, no stack protector (its %fs belongs to the program), kernel code model.
GK_CFLAGS := -std=c11 -Wall -Wextra -Werror -O2 -ffreestanding -fno-pic -fno-pie \
	-mcmodel=kernel -mno-red-zone -mgeneral-regs-only -fno-stack-protector \
	-fno-asynchronous-unwind-tables -fno-builtin -nostdinc -isystem $(shell $(CC) -print-file-name=include) -isystem /usr/include \
	-isystem /usr/include/x86_64-linux-gnu -MMD -MP
GK_SRCS := $(wildcard guest/*.c)
GK_OBJS := $(GK_SRCS:guest/%.c=$(BUILD)/guest/%.o) $(BUILD)/guest/entry.o

LIB_SRCS := $(wildcard src/core/*.c src/loader/*.c src/host/*.c)
LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/%.o) $(BUILD)/src/core/gk_blob.o
CLI_SRCS := $(wildcard src/cli/*.c)
CLI_OBJS := $(CLI_SRCS:%.c=$(BUILD)/%.o)

all: $(BUILD)/vmlet

$(BUILD)/guest/%.o: guest/%.c
	@mkdir -p $(@D)
	$(CC) $(GK_CFLAGS) -c $< -o $@

$(BUILD)/guest/entry.o: guest/entry.S include/vmlet_abi.h
	@mkdir -p $(@D)
	$(CC) -c $< -o $@

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

$(BUILD)/libvmlet.a: $(LIB_OBJS)
	ar rcs $@ $^

$(BUILD)/vmlet: $(CLI_OBJS) $(BUILD)/libvmlet.a
	$(CC) $(CFLAGS) $(SAN) -o $@ $^ -lrt -lpthread

clean:
	rm -rf $(BUILD)

.PHONY: all clean
-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
