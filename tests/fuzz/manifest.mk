# manifest.mk - libFuzzer target for the manifest parser (included by the top-level Makefile).
#   make fuzz-manifest           build $(BUILD)/fuzz/fuzz_manifest
#   make fuzz-manifest-run       fuzz for FUZZ_SECONDS (default 60) over the seed corpus
#   make fuzz-manifest-regress   replay every saved input in tests/fuzz/regress/manifest-*
# New corpus entries go to $(BUILD)/fuzz/corpus/manifest (the committed seeds stay
# read-only); crashes go to $(BUILD)/fuzz/ as crash-*, to be saved under
# tests/fuzz/regress/manifest-* once understood. jansson itself is not
# instrumented: the dictionary steers the fuzzer through the JSON grammar.
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60
FUZZ_FLAGS ?=
FUZZ_MANIFEST_CFLAGS := -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	-std=c11 -D_GNU_SOURCE -Iinclude -Isrc
FUZZ_MANIFEST_SRCS := tests/fuzz/fuzz_manifest.c $(wildcard src/manifest/manifest*.c) \
	src/manifest/channel_names.c src/manifest/report_file.c src/host/kernelfs_types.c src/manifest/sha256.c src/cli/check.c src/cli/options.c \
	src/cli/env.c src/cli/job_config.c src/core/config.c
FUZZ_MANIFEST_SEEDS := tests/fuzz/corpus/manifest

$(BUILD)/fuzz/fuzz_manifest: $(FUZZ_MANIFEST_SRCS) $(wildcard src/manifest/*.h) src/cli/check.h src/cli/options.h \
		src/cli/env.h src/cli/job_config.h include/vmlet.h
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_MANIFEST_CFLAGS) -o $@ $(FUZZ_MANIFEST_SRCS) -ljansson

fuzz-manifest: $(BUILD)/fuzz/fuzz_manifest

fuzz-manifest-run: $(BUILD)/fuzz/fuzz_manifest
	@mkdir -p $(BUILD)/fuzz/corpus/manifest
	$(BUILD)/fuzz/fuzz_manifest -max_total_time=$(FUZZ_SECONDS) -max_len=4096 \
		-dict=tests/fuzz/manifest.dict -artifact_prefix=$(BUILD)/fuzz/ $(FUZZ_FLAGS) \
		$(BUILD)/fuzz/corpus/manifest $(FUZZ_MANIFEST_SEEDS)

fuzz-manifest-regress: $(BUILD)/fuzz/fuzz_manifest
	@set -e; for f in tests/fuzz/regress/manifest-*; do \
		[ -f "$$f" ] || continue; \
		echo "== $$f"; $(BUILD)/fuzz/fuzz_manifest "$$f"; \
	done

# The shared fuzz targets cover this one too.
fuzz: fuzz-manifest
fuzz-regress: fuzz-manifest-regress

.PHONY: fuzz-manifest fuzz-manifest-run fuzz-manifest-regress
