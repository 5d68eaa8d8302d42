# bench.mk - `make bench`: builds the benchmark driver and its guest programs, runs it, writes bench/results/.
BENCH_OUT := $(BUILD)/bench
BENCH_PROG_CFLAGS := -O2 -static -Wall -Wextra -Werror
# Extra driver options, e.g. make bench BENCH_ARGS="--iters 100 --real-iters 9" or "--no-scale"
BENCH_ARGS ?=

BENCH_SRCS := bench/bench.c bench/start.c
# Where results and plots go (the driver's --out).
BENCH_RESULTS ?= bench/results

$(BENCH_OUT)/bench: $(BENCH_SRCS) bench/bench.h include/vmlet.h $(BUILD)/libvmlet.a
	@mkdir -p $(@D)
	$(CC) $(WARN) $(CFLAGS) -Iinclude -o $@ $(BENCH_SRCS) $(BUILD)/libvmlet.a -lpthread -lrt

$(BENCH_OUT)/%-musl: bench/progs/%.c
	@mkdir -p $(@D)
	musl-gcc $(BENCH_PROG_CFLAGS) -o $@ $<

$(BENCH_OUT)/%-glibc: bench/progs/%.c
	@mkdir -p $(@D)
	gcc $(BENCH_PROG_CFLAGS) -o $@ $<

BENCH_BINS := $(BENCH_OUT)/bench $(BENCH_OUT)/hello-musl $(BENCH_OUT)/hello-glibc \
	$(BENCH_OUT)/sysloop-musl $(BENCH_OUT)/fcopy-musl

# The PNGs are drawn from the .dat files the driver writes, when gnuplot is installed.
bench: $(BUILD)/vmlet $(BENCH_BINS)
	$(BENCH_OUT)/bench --vmlet $(BUILD)/vmlet --dir $(BENCH_OUT) --out $(BENCH_RESULTS) \
		--commit "$$(git describe --always --dirty 2>/dev/null || echo unknown)" $(BENCH_ARGS)
	@if command -v gnuplot >/dev/null 2>&1; then \
		for p in breakdown scale; do \
			if [ -f $(BENCH_RESULTS)/$$p.dat ]; then \
				gnuplot -e "dir='$(BENCH_RESULTS)'" bench/plots/$$p.gp && \
				echo "wrote $(BENCH_RESULTS)/$$p.png"; \
			fi; \
		done; \
	else \
		echo "bench: gnuplot not found, no plots"; \
	fi

.PHONY: bench
