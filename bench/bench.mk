# bench.mk - `make bench`: builds the benchmark driver and its guest programs, runs it and the application parts (bench/apps/), writes bench/results/.
BENCH_OUT := $(BUILD)/bench
BENCH_PROG_CFLAGS := -O2 -static -Wall -Wextra -Werror
# Extra driver options, e.g. make bench BENCH_ARGS="--iters 100 --real-iters 9" or "--no-scale"
BENCH_ARGS ?=
# The application parts (bench/apps/NAME.py), in this order; BENCH_APPS= runs none.
BENCH_APPS ?= python_start idle_memory overhead processes
# BENCH_QUICK=1: a few rounds of everything, to check that the bench runs (e.g. in the QEMU guest,
# whose figures measure emulation); its results go to build/bench/quick-results, never bench/results.
BENCH_QUICK ?=
ifneq ($(BENCH_QUICK),)
export BENCH_QUICK
BENCH_RESULTS ?= $(BENCH_OUT)/quick-results
BENCH_ARGS += --iters 3 --real-iters 1 --tput-ms 100 --tput-rounds 1 --scale-max 10 --scale-probes 1
endif

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

BENCH_COMMIT = $$(git describe --always --dirty 2>/dev/null || echo unknown)

# The PNGs are drawn from the .dat files the driver and the parts write, when gnuplot is installed.
bench: $(BUILD)/vmlet $(BENCH_BINS)
	$(BENCH_OUT)/bench --vmlet $(BUILD)/vmlet --dir $(BENCH_OUT) --out $(BENCH_RESULTS) \
		--commit "$(BENCH_COMMIT)" $(BENCH_ARGS)
	$(MAKE) bench-apps BENCH_RESULTS=$(BENCH_RESULTS)

# The application parts alone: setup installs their Debian packages (root, apt), then each runs.
bench-apps: $(BUILD)/vmlet $(BENCH_OUT)/procs-musl $(BENCH_OUT)/hello-musl
	bench/apps/setup.sh
	@mkdir -p $(BENCH_RESULTS)
	@for p in $(BENCH_APPS); do \
		echo "== bench/apps/$$p.py"; \
		/usr/bin/python3 bench/apps/$$p.py --vmlet $(BUILD)/vmlet --data $(BENCH_OUT)/apps-data \
			--progs $(BENCH_OUT) --out $(BENCH_RESULTS) --commit "$(BENCH_COMMIT)" || exit 1; \
	done
	$(MAKE) bench-plots BENCH_RESULTS=$(BENCH_RESULTS)

bench-plots:
	@if command -v gnuplot >/dev/null 2>&1; then \
		for p in breakdown scale overhead processes; do \
			if [ -f $(BENCH_RESULTS)/$$p.dat ]; then \
				gnuplot -e "dir='$(BENCH_RESULTS)'" bench/plots/$$p.gp && \
				echo "wrote $(BENCH_RESULTS)/$$p.png"; \
			fi; \
		done; \
	else \
		echo "bench: gnuplot not found, no plots"; \
	fi

.PHONY: bench bench-apps bench-plots
