# fuzz.mk - libFuzzer targets (included by the top-level Makefile).
#   make fuzz                   build $(BUILD)/fuzz/fuzz_elf
#   make fuzz-run               fuzz for FUZZ_SECONDS (default 60) over the seed corpus
#   make fuzz-regress           replay every saved crash in tests/fuzz/regress/
# New corpus entries go to $(BUILD)/fuzz/corpus/elf (the committed seeds stay
# read-only); crashes go to $(BUILD)/fuzz/ as crash-*, to be saved under
# tests/fuzz/regress/ once understood.
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60
FUZZ_FLAGS ?= # extra libFuzzer options, e.g. -fork=4 -ignore_crashes=1
FUZZ_CFLAGS := -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	-std=c11 -D_GNU_SOURCE -Iinclude -Isrc
FUZZ_ELF_SRCS := tests/fuzz/fuzz_elf.c src/loader/elf.c src/core/guestmem.c
FUZZ_ELF_SEEDS := tests/fuzz/corpus/elf

$(BUILD)/fuzz/fuzz_elf: $(FUZZ_ELF_SRCS) src/loader/elf.h src/core/guestmem.h
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $(FUZZ_ELF_SRCS)

fuzz: $(BUILD)/fuzz/fuzz_elf

fuzz-run: $(BUILD)/fuzz/fuzz_elf
	@mkdir -p $(BUILD)/fuzz/corpus/elf
	$(BUILD)/fuzz/fuzz_elf -max_total_time=$(FUZZ_SECONDS) -max_len=65536 \
		-artifact_prefix=$(BUILD)/fuzz/ $(FUZZ_FLAGS) $(BUILD)/fuzz/corpus/elf $(FUZZ_ELF_SEEDS)

fuzz-regress: $(BUILD)/fuzz/fuzz_elf
	@set -e; for f in tests/fuzz/regress/elf-*; do \
		[ -f "$$f" ] || continue; \
		echo "== $$f"; $(BUILD)/fuzz/fuzz_elf "$$f"; \
	done

.PHONY: fuzz fuzz-run fuzz-regress
