# hypercall.mk - libFuzzer target for the host side of the hypercall ABI (included by the top-level Makefile).
#   make fuzz-hypercall          build $(BUILD)/fuzz/fuzz_hypercall
#   make fuzz-hypercall-run      fuzz for FUZZ_SECONDS (default 60) over the committed seeds
#   make fuzz-hypercall-regress  replay every saved input in tests/fuzz/regress/hypercall-*
#   make fuzz-hypercall-seeds    regenerate the committed seeds (tests/fuzz/corpus/hypercall)
# The target links the library sources themselves (instrumented for coverage) and the embedded
# guest kernel object; it needs no KVM. New corpus entries go to $(BUILD)/fuzz/corpus/hypercall;
# crashes go to $(BUILD)/fuzz/ as crash-*, to be saved under tests/fuzz/regress/hypercall-* once
# understood. HC_FUZZ_STRICT=0 in the environment drops the channel-mode and exit-125 invariants.
HC_FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60
# Alignment checks are on: the host once wrote struct vmlet_stat through guest-chosen misaligned
# pointers (tests/fuzz/regress/hypercall-misaligned-stat). HC_FUZZ_ALIGN=-fno-sanitize=alignment
# turns them off for a tree that still has that bug.
HC_FUZZ_ALIGN ?=
HC_FUZZ_CFLAGS = -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all $(HC_FUZZ_ALIGN) \
	-std=c11 -D_GNU_SOURCE -Iinclude -Isrc
# The library's own source list when the top-level Makefile has one (it knows the extras, e.g. SHA-256).
HC_FUZZ_LIB = $(or $(LIB_SRCS),$(wildcard src/core/*.c src/host/*.c src/loader/*.c src/manifest/sha256.c))
HC_FUZZ_SRCS = tests/fuzz/fuzz_hypercall.c $(HC_FUZZ_LIB)
HC_FUZZ_SEEDS := tests/fuzz/corpus/hypercall

$(BUILD)/fuzz/fuzz_hypercall: $(HC_FUZZ_SRCS) $(BUILD)/src/core/gk_blob.o $(wildcard src/*/*.h) include/vmlet.h include/vmlet_abi.h
	@mkdir -p $(@D)
	$(HC_FUZZ_CC) $(HC_FUZZ_CFLAGS) -o $@ $(HC_FUZZ_SRCS) $(BUILD)/src/core/gk_blob.o -lpthread -lrt

fuzz-hypercall: $(BUILD)/fuzz/fuzz_hypercall

# -print_funcs=0: printing a new function starts llvm-symbolizer through pipes, which the
# target's no-fd-leaked check would take for a leak of the host code.
fuzz-hypercall-run: $(BUILD)/fuzz/fuzz_hypercall
	@mkdir -p $(BUILD)/fuzz/corpus/hypercall
	$(BUILD)/fuzz/fuzz_hypercall -max_total_time=$(FUZZ_SECONDS) -max_len=4096 -timeout=10 -print_funcs=0 \
		-artifact_prefix=$(BUILD)/fuzz/hypercall- $(BUILD)/fuzz/corpus/hypercall $(HC_FUZZ_SEEDS)

fuzz-hypercall-regress: $(BUILD)/fuzz/fuzz_hypercall
	@set -e; for f in tests/fuzz/regress/hypercall-*; do \
		[ -f "$$f" ] || continue; \
		echo "== $$f"; $(BUILD)/fuzz/fuzz_hypercall "$$f"; \
	done

fuzz-hypercall-seeds: $(BUILD)/fuzz/fuzz_hypercall
	@mkdir -p $(HC_FUZZ_SEEDS)
	HC_FUZZ_WRITE_SEEDS=$(HC_FUZZ_SEEDS) $(BUILD)/fuzz/fuzz_hypercall

.PHONY: fuzz-hypercall fuzz-hypercall-run fuzz-hypercall-regress fuzz-hypercall-seeds
