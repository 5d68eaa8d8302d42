# bench.mk - `make bench`: builds the benchmark driver and its guest programs, runs it, writes bench/results/.
BENCH_OUT := $(BUILD)/bench
BENCH_PROG_CFLAGS := -O2 -static -Wall -Wextra -Werror
# Extra driver options, e.g. make bench BENCH_ARGS="--iters 100 --real-iters 9"
BENCH_ARGS ?=

$(BENCH_OUT)/bench: bench/bench.c include/vmlet.h $(BUILD)/libvmlet.a
	@mkdir -p $(@D)
	$(CC) $(WARN) $(CFLAGS) -Iinclude -o $@ bench/bench.c $(BUILD)/libvmlet.a -lpthread -lrt

$(BENCH_OUT)/%-musl: bench/progs/%.c
	@mkdir -p $(@D)
	musl-gcc $(BENCH_PROG_CFLAGS) -o $@ $<

$(BENCH_OUT)/%-glibc: bench/progs/%.c
	@mkdir -p $(@D)
	gcc $(BENCH_PROG_CFLAGS) -o $@ $<

BENCH_BINS := $(BENCH_OUT)/bench $(BENCH_OUT)/hello-musl $(BENCH_OUT)/hello-glibc \
	$(BENCH_OUT)/sysloop-musl

bench: $(BUILD)/vmlet $(BENCH_BINS)
	$(BENCH_OUT)/bench --vmlet $(BUILD)/vmlet --dir $(BENCH_OUT) --out bench/results \
		--commit "$$(git describe --always --dirty 2>/dev/null || echo unknown)" $(BENCH_ARGS)

.PHONY: bench
