/* bench.h - what the benchmark driver's parts share: options, samples, timing, spawning, VM helpers, report output. */
#ifndef BENCH_H
#define BENCH_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "vmlet.h"

struct options {
	const char *vmlet;    /* the vmlet CLI */
	const char *dir;      /* build/bench: helper programs and generated inputs */
	const char *out;      /* where latest.txt, latest.json and the plot data go */
	const char *busybox;  /* a static busybox */
	const char *bwrap;    /* bubblewrap, for the sandbox comparison */
	const char *commit;   /* vmlet revision being measured, for the record */
	const char *parts;    /* which parts to run, as digits: "12345" */
	int iters;            /* cold-start and start-latency iterations per alternative */
	int real_iters;       /* real-program iterations per alternative */
	int tput_ms;          /* throughput: length of one measurement window */
	int tput_rounds;      /* throughput: interleaved windows per alternative */
	int scale_max;        /* scale: largest number of idle VMs (0: skip the part) */
	int scale_probes;     /* scale: cold runs measured at each step */
};

/* The same small environment for every program, native or guest. */
extern char *const guest_env[];
extern int devnull;

void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
uint64_t now_ns(void);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *dir_file(const char *dir, const char *name);

/* ---- samples --------------------------------------------------------------------------------- */

#define MAX_SAMPLES 1024

struct samples {
	uint64_t v[MAX_SAMPLES];
	int n;
};

void add_sample(struct samples *s, uint64_t v);
double quantile(const struct samples *s, double q);
double median(const struct samples *s);

/* ---- running programs ------------------------------------------------------------------------ */

/* posix_spawn argv[0] with the given stdin/stdout, wait; the wall time. Dies if it fails. */
uint64_t spawn_wait(char *const argv[], int in_fd, int out_fd);

void vm_config(struct vmlet_config *c, char *const argv[], int in_fd, int out_fd);
void check_result(const char *what, int r, const struct vmlet_error *err,
		  const struct vmlet_result *res);
/* Cold library path: create, run, destroy_timed; the wall time, res filled (with phases). */
uint64_t vm_cold(char *const argv[], int in_fd, int out_fd, struct vmlet_result *res);

/* The library's phases, plus "other": the total's time outside them. */
#define NPHASE 7
extern const char *const phase_name[NPHASE];
void split_phases(const struct vmlet_result *res, uint64_t total, uint64_t ph[NPHASE]);

/* One bar of bench/results/breakdown.png: median microseconds per phase. */
void breakdown_bar(const char *label, const struct samples phase[NPHASE]);

#define NLIBC 2
extern const char *const libc_name[NLIBC];

/* ---- report output --------------------------------------------------------------------------- */

extern FILE *json;
void out(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void json_string(const char *s);
void json_stats(const char *name, const struct samples *s, double div, const char *sep);
const char *verdict(bool met);
/* Record a target: value <= limit (target) or value >= limit (target_min); returns met. */
bool target(const char *unit, double value, double limit, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
bool target_min(const char *unit, double value, double limit, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* ---- issue 4 parts (start.c) ----------------------------------------------------------------- */

void bench_latency(const struct options *o);
void bench_throughput(const struct options *o);
void bench_scale(const struct options *o);
/* bench --helper HELLO N: the helper processes of bench_scale. */
int helper_main(const char *hello, int n);

#endif
