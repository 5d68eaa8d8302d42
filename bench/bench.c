/* bench.c - vmlet benchmark driver: cold start, real programs, shared helpers and main; issue 4 parts in start.c. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

/* ---- configuration --------------------------------------------------------------------------- */

/* Targets: the figures vmlet is expected to reach. */
#define TARGET_VS_NATIVE 3.0   /* vmlet run <= 3x native fork+exec */
#define TARGET_VS_BWRAP 0.5    /* vmlet run <= 0.5x bwrap */
#define TARGET_LIBRARY_MS 1.0  /* library create+run+destroy <= 1 ms */
#define TARGET_HELLO_EXITS 3   /* hello takes <= 3 KVM exits */
#define TARGET_SECCOMP_COST 1.05 /* issue 5: confinement costs <= 5% */
#define TARGET_REAL_RATIO 1.2  /* real programs within 1.2x of native */

/* The same small environment for every program, native or guest. */
char *const guest_env[] = { "PATH=/bin:/usr/bin", "HOME=/", "LC_ALL=C", NULL };

int devnull = -1;

/* ---- small utilities ------------------------------------------------------------------------- */

void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("bench: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (r < 0)
		die("out of memory");
	return s;
}

static char *xrealpath(const char *path)
{
	char *r = realpath(path, NULL);

	if (!r)
		die("%s: %s", path, strerror(errno));
	return r;
}

/* Absolute path of a file in the benchmark directory (paths stay valid inside bwrap too). */
char *dir_file(const char *dir, const char *name)
{
	char *p = xasprintf("%s/%s", dir, name), *r = xrealpath(p);

	free(p);
	return r;
}

static int open_read(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		die("%s: %s", path, strerror(errno));
	return fd;
}

/* ---- samples and medians --------------------------------------------------------------------- */

void add_sample(struct samples *s, uint64_t v)
{
	if (s->n < MAX_SAMPLES)
		s->v[s->n++] = v;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Quantile q in [0,1] of the samples (nearest rank; the median averages the middle pair). */
double quantile(const struct samples *s, double q)
{
	uint64_t sorted[MAX_SAMPLES];
	int n = s->n;

	if (!n)
		return 0;
	memcpy(sorted, s->v, (size_t)n * sizeof(sorted[0]));
	qsort(sorted, (size_t)n, sizeof(sorted[0]), cmp_u64);
	if (q == 0.5 && n % 2 == 0)
		return (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0;
	return (double)sorted[(int)(q * (n - 1) + 0.5)];
}

double median(const struct samples *s)
{
	return quantile(s, 0.5);
}

/* ---- running programs natively --------------------------------------------------------------- */

/*
 * Spawn argv[0] with the given stdin/stdout (stderr inherited), wait for it and
 * return the wall time from spawn to reaped exit. A failing program stops the
 * benchmark: timing a broken run is worse than no figure.
 */
uint64_t spawn_wait(char *const argv[], int in_fd, int out_fd)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none, dfl;
	uint64_t t0, t1;
	int status, r;
	pid_t pid;

	/* Children start with an empty mask and default SIGPIPE even though we ignore it. */
	sigemptyset(&none);
	sigemptyset(&dfl);
	sigaddset(&dfl, SIGPIPE);
	posix_spawnattr_init(&attr);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &dfl);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in_fd, STDIN_FILENO);
	posix_spawn_file_actions_adddup2(&fa, out_fd, STDOUT_FILENO);

	t0 = now_ns();
	r = posix_spawn(&pid, argv[0], &fa, &attr, argv, guest_env);
	if (r)
		die("spawn %s: %s", argv[0], strerror(r));
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			die("waitpid: %s", strerror(errno));
	t1 = now_ns();

	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		die("%s %s failed (status 0x%x)", argv[0], argv[1] ? argv[1] : "", status);
	return t1 - t0;
}

/* ---- running programs in a VM through the library -------------------------------------------- */

void vm_config(struct vmlet_config *c, char *const argv[], int in_fd, int out_fd)
{
	vmlet_config_init(c);
	c->path = argv[0];
	c->argv = (const char *const *)argv;
	c->envp = (const char *const *)guest_env;
	c->stdin_fd = in_fd;
	c->stdout_fd = out_fd;
}

void check_result(const char *what, int r, const struct vmlet_error *err,
		  const struct vmlet_result *res)
{
	if (r)
		die("%s: %s", what, err->message);
	if (res->outcome != VMLET_EXITED || res->status)
		die("%s: guest did not exit cleanly (exit code %d: %s)", what, res->exit_code,
		    res->message);
}

/* Cold path: create, run and destroy one VM; returns the total wall time, fills res (with phases). */
uint64_t vm_cold(char *const argv[], int in_fd, int out_fd, struct vmlet_result *res)
{
	struct vmlet_config c;
	struct vmlet_error err;
	struct vmlet_vm *vm;
	uint64_t t0, t1;
	int r;

	vm_config(&c, argv, in_fd, out_fd);
	t0 = now_ns();
	r = vmlet_vm_create(&c, &vm, &err);
	if (r)
		die("create %s: %s", argv[0], err.message);
	r = vmlet_vm_run(vm, res, &err);
	vmlet_vm_destroy_timed(vm, res);
	t1 = now_ns();
	check_result(argv[0], r, &err, res);
	return t1 - t0;
}

/*
 * Warm path: create the VM untimed, then time only vmlet_vm_run (the whole
 * call, which is phases.run plus the final flush of guest output).
 */
static uint64_t vm_run_only(char *const argv[], int in_fd, int out_fd, struct vmlet_result *res)
{
	struct vmlet_config c;
	struct vmlet_error err;
	struct vmlet_vm *vm;
	uint64_t t0, t1;
	int r;

	vm_config(&c, argv, in_fd, out_fd);
	r = vmlet_vm_create(&c, &vm, &err);
	if (r)
		die("create %s: %s", argv[0], err.message);
	t0 = now_ns();
	r = vmlet_vm_run(vm, res, &err);
	t1 = now_ns();
	vmlet_vm_destroy(vm);
	check_result(argv[0], r, &err, res);
	return t1 - t0;
}

/* ---- output check ---------------------------------------------------------------------------- */

static int memfd(void)
{
	int fd = memfd_create("bench-out", MFD_CLOEXEC);

	if (fd < 0)
		die("memfd_create: %s", strerror(errno));
	return fd;
}

static bool same_contents(int a, int b)
{
	char x[65536], y[65536];
	ssize_t n, m;

	if (lseek(a, 0, SEEK_END) != lseek(b, 0, SEEK_END))
		return false;
	lseek(a, 0, SEEK_SET);
	lseek(b, 0, SEEK_SET);
	while ((n = read(a, x, sizeof(x))) > 0) {
		if ((m = read(b, y, (size_t)n)) != n || memcmp(x, y, (size_t)n))
			return false;
	}
	return n == 0;
}

/*
 * Run a program once natively and once in a VM, stdout captured, and stop if
 * the outputs differ: a fast wrong run must not pass for a fast run.
 * in_path NULL means stdin is /dev/null.
 */
static void verify_output(char *const argv[], const char *in_path)
{
	int native_out = memfd(), vm_out = memfd(), in;
	struct vmlet_result res;

	in = in_path ? open_read(in_path) : devnull;
	spawn_wait(argv, in, native_out);
	if (in_path)
		close(in), in = open_read(in_path);
	vm_run_only(argv, in, vm_out, &res);
	if (!same_contents(native_out, vm_out))
		die("%s %s: output in the VM differs from native output", argv[0],
		    argv[1] ? argv[1] : "");
	if (in_path)
		close(in);
	close(native_out);
	close(vm_out);
}

/* ---- deterministic inputs -------------------------------------------------------------------- */

static uint64_t rng_state;

static uint64_t rng(void)
{
	/* xorshift64*: deterministic across machines and libcs. */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1Dull;
}

/*
 * Write `size` bytes of text: lines of 3-12 pseudo-words built from a small
 * syllable set, so sort sees many distinct keys and gzip a realistic ratio.
 * Regenerated only when missing or of the wrong size.
 */
static void make_text(const char *path, size_t size, uint64_t seed)
{
	static const char *syl[] = { "ka", "lo", "mi", "nu", "re", "sa", "ti", "vo", "ze", "qu",
				     "an", "el", "or", "ix", "ba", "de", "fu", "go", "hy", "jo" };
	struct stat st;
	size_t done = 0;
	char line[256];
	FILE *f;

	if (stat(path, &st) == 0 && (size_t)st.st_size == size)
		return;
	f = fopen(path, "w");
	if (!f)
		die("%s: %s", path, strerror(errno));
	rng_state = seed;
	while (done < size) {
		int words = 3 + (int)(rng() % 10), len = 0, w, s;

		for (w = 0; w < words; w++) {
			int syls = 1 + (int)(rng() % 4);

			for (s = 0; s < syls; s++)
				len += sprintf(line + len, "%s", syl[rng() % 20]);
			line[len++] = w + 1 < words ? ' ' : '\n';
		}
		if (done + (size_t)len > size) { /* end exactly at size, on a newline */
			len = (int)(size - done);
			line[len - 1] = '\n';
		}
		fwrite(line, 1, (size_t)len, f);
		done += (size_t)len;
	}
	if (fclose(f))
		die("%s: write failed", path);
}

/* ---- report output --------------------------------------------------------------------------- */

/* The human table goes to stdout and latest.txt; the JSON only to latest.json. */
static FILE *txt;
FILE *json;

void out(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stdout, fmt, ap);
	va_end(ap);
	va_start(ap, fmt);
	vfprintf(txt, fmt, ap);
	va_end(ap);
	fflush(stdout);
}

void json_string(const char *s)
{
	fputc('"', json);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(json, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(json, "\\u%04x", *s);
		else
			fputc(*s, json);
	}
	fputc('"', json);
}

/* Summary of a sample set in JSON, scaled by `div` (1e3 for us, 1e6 for ms). */
void json_stats(const char *name, const struct samples *s, double div, const char *sep)
{
	fprintf(json, "\"%s\": {\"median\": %.1f, \"min\": %.1f, \"p90\": %.1f, \"n\": %d}%s", name,
		median(s) / div, quantile(s, 0) / div, quantile(s, 0.9) / div, s->n, sep);
}

const char *verdict(bool met)
{
	return met ? "met" : "NOT MET";
}

/* Targets are collected as they are evaluated and written together at the end. */
#define MAX_TARGETS 48

struct target {
	char name[96];
	double value, limit;
	const char *unit;
	bool at_least; /* the target is value >= limit, not value <= limit */
	bool met;
};

static struct target targets[MAX_TARGETS];
static int ntargets;

static bool add_target(const char *unit, double value, double limit, bool at_least,
		       const char *fmt, va_list ap)
{
	struct target *t = &targets[ntargets < MAX_TARGETS ? ntargets++ : MAX_TARGETS - 1];

	vsnprintf(t->name, sizeof(t->name), fmt, ap);
	t->value = value;
	t->limit = limit;
	t->unit = unit;
	t->at_least = at_least;
	t->met = at_least ? value >= limit : value <= limit;
	return t->met;
}

bool target(const char *unit, double value, double limit, const char *fmt, ...)
{
	va_list ap;
	bool met;

	va_start(ap, fmt);
	met = add_target(unit, value, limit, false, fmt, ap);
	va_end(ap);
	return met;
}

bool target_min(const char *unit, double value, double limit, const char *fmt, ...)
{
	va_list ap;
	bool met;

	va_start(ap, fmt);
	met = add_target(unit, value, limit, true, fmt, ap);
	va_end(ap);
	return met;
}

/* ---- phase breakdown ------------------------------------------------------------------------- */

/* "other": the total's time outside the library's phases (ELF checks, setup, frees). */
const char *const phase_name[NPHASE] = { "create_vm", "create_vcpu", "memory", "load",
					 "run", "destroy", "other" };

void split_phases(const struct vmlet_result *res, uint64_t total, uint64_t ph[NPHASE])
{
	uint64_t sum = 0;
	int i;

	ph[0] = res->phases.create_vm, ph[1] = res->phases.create_vcpu;
	ph[2] = res->phases.memory, ph[3] = res->phases.load;
	ph[4] = res->phases.run, ph[5] = res->phases.destroy;
	for (i = 0; i < NPHASE - 1; i++)
		sum += ph[i];
	ph[NPHASE - 1] = total > sum ? total - sum : 0;
}

/* Bars for breakdown.png, written to breakdown.dat at the end (gnuplot draws it, see bench.mk). */
#define MAX_BARS 8

static struct bar {
	char label[48];
	double us[NPHASE];
} bars[MAX_BARS];
static int nbars;

void breakdown_bar(const char *label, const struct samples phase[NPHASE])
{
	struct bar *b = &bars[nbars < MAX_BARS ? nbars++ : MAX_BARS - 1];
	int i;

	snprintf(b->label, sizeof(b->label), "%s", label);
	for (i = 0; i < NPHASE; i++)
		b->us[i] = median(&phase[i]) / 1e3;
}

static void write_breakdown(const char *path)
{
	FILE *f;
	int i, k;

	if (!nbars)
		return;
	if (!(f = fopen(path, "w")))
		die("%s: %s", path, strerror(errno));
	fprintf(f, "# median microseconds per phase of one hello run (bench/bench.c); columns:\nbar");
	for (k = 0; k < NPHASE; k++)
		fprintf(f, " %s", phase_name[k]);
	fputc('\n', f);
	for (i = 0; i < nbars; i++) {
		fprintf(f, "\"%s\"", bars[i].label);
		for (k = 0; k < NPHASE; k++)
			fprintf(f, " %.1f", bars[i].us[k]);
		fputc('\n', f);
	}
	if (fclose(f))
		die("%s: write failed", path);
}

/* ---- machine description --------------------------------------------------------------------- */

struct machine {
	char kernel[192], cpu[256], date[32];
	long cpus;
	unsigned long long mem_kib;
};

/* The 1-minute load average: other work on the machine while the benchmark runs. */
static double load_average(void)
{
	double load = -1;
	FILE *f = fopen("/proc/loadavg", "r");

	if (f) {
		if (fscanf(f, "%lf", &load) != 1)
			load = -1;
		fclose(f);
	}
	return load;
}

static void describe_machine(struct machine *m)
{
	struct utsname u;
	char line[256];
	time_t t = time(NULL);
	FILE *f;

	memset(m, 0, sizeof(*m));
	if (uname(&u) == 0)
		snprintf(m->kernel, sizeof(m->kernel), "%s %s", u.sysname, u.release);
	snprintf(m->cpu, sizeof(m->cpu), "unknown");
	if ((f = fopen("/proc/cpuinfo", "r"))) {
		while (fgets(line, sizeof(line), f)) {
			char *colon = strchr(line, ':');

			if (!strncmp(line, "model name", 10) && colon) {
				colon += 1 + (colon[1] == ' ');
				colon[strcspn(colon, "\n")] = 0;
				snprintf(m->cpu, sizeof(m->cpu), "%s", colon);
				break;
			}
		}
		fclose(f);
	}
	if ((f = fopen("/proc/meminfo", "r"))) {
		while (fgets(line, sizeof(line), f))
			if (sscanf(line, "MemTotal: %llu kB", &m->mem_kib) == 1)
				break;
		fclose(f);
	}
	m->cpus = sysconf(_SC_NPROCESSORS_ONLN);
	strftime(m->date, sizeof(m->date), "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
}

/* ---- part 1: cold start of hello ------------------------------------------------------------- */

enum { COLD_VMLET, COLD_NATIVE, COLD_BWRAP, COLD_LIBRARY, COLD_NOSECCOMP, COLD_MODES };

static const char *const cold_label[COLD_MODES] = {
	"vmlet run (whole process)", "native posix_spawn+wait", "bwrap --unshare-all",
	"library create+run+destroy", "vmlet run --no-seccomp",
};

const char *const libc_name[NLIBC] = { "musl", "glibc" };

struct cold {
	char *hello;                        /* absolute path of the hello binary */
	struct samples t[COLD_MODES];       /* wall times, ns */
	struct samples exits, phase[NPHASE]; /* library path: exits, phases in ns */
};

static void cold_once(const struct options *o, struct cold *c, int mode)
{
	char *vmlet_argv[] = { (char *)o->vmlet, "run", c->hello, NULL };
	char *native_argv[] = { c->hello, NULL };
	char *noseccomp_argv[] = { (char *)o->vmlet, "run", "--no-seccomp", c->hello, NULL };
	char *bwrap_argv[] = { (char *)o->bwrap, "--unshare-all", "--ro-bind", "/", "/",
			       c->hello, NULL };
	struct vmlet_result res;

	switch (mode) {
	case COLD_VMLET:
		add_sample(&c->t[mode], spawn_wait(vmlet_argv, devnull, devnull));
		break;
	case COLD_NATIVE:
		add_sample(&c->t[mode], spawn_wait(native_argv, devnull, devnull));
		break;
	case COLD_BWRAP:
		add_sample(&c->t[mode], spawn_wait(bwrap_argv, devnull, devnull));
		break;
	case COLD_NOSECCOMP:
		add_sample(&c->t[mode], spawn_wait(noseccomp_argv, devnull, devnull));
		break;
	case COLD_LIBRARY: {
		uint64_t total = vm_cold(native_argv, devnull, devnull, &res), ph[NPHASE];
		int i;

		add_sample(&c->t[mode], total);
		add_sample(&c->exits, res.exits);
		split_phases(&res, total, ph);
		for (i = 0; i < NPHASE; i++)
			add_sample(&c->phase[i], ph[i]);
		break;
	}
	}
}

static void bench_cold(const struct options *o)
{
	static struct cold c[NLIBC];
	const int nalt = NLIBC * COLD_MODES;
	int it, k, l, m;

	for (l = 0; l < NLIBC; l++) {
		char name[32];

		snprintf(name, sizeof(name), "hello-%s", libc_name[l]);
		c[l].hello = dir_file(o->dir, name);
	}
	for (l = 0; l < NLIBC; l++) {
		char *argv[] = { c[l].hello, NULL };

		verify_output(argv, NULL);
	}
	/* One untimed round warms caches, then rounds rotate their starting alternative. */
	for (it = -1; it < o->iters; it++) {
		for (k = 0; k < nalt; k++) {
			int a = (k + (it < 0 ? 0 : it)) % nalt;
			struct cold *cc = &c[a / COLD_MODES];

			cold_once(o, cc, a % COLD_MODES);
			if (it < 0) { /* discard warm-up samples */
				cc->t[a % COLD_MODES].n = 0;
				if (a % COLD_MODES == COLD_LIBRARY) {
					cc->exits.n = 0;
					for (m = 0; m < NPHASE; m++)
						cc->phase[m].n = 0;
				}
			}
		}
	}

	out("\n1. Cold start of a static hello (stdout -> /dev/null; output checked once)\n");
	out("   median of %d interleaved runs per row, microseconds\n\n", o->iters);
	out("   %-34s %10s %10s\n", "", libc_name[0], libc_name[1]);
	for (m = 0; m < COLD_MODES; m++)
		out("   %-34s %10.0f %10.0f\n", cold_label[m], median(&c[0].t[m]) / 1e3,
		    median(&c[1].t[m]) / 1e3);
	out("   %-34s %10.2fx %9.2fx\n", "ratio vmlet run / native",
	    median(&c[0].t[COLD_VMLET]) / median(&c[0].t[COLD_NATIVE]),
	    median(&c[1].t[COLD_VMLET]) / median(&c[1].t[COLD_NATIVE]));
	out("   %-34s %10.2fx %9.2fx\n", "ratio vmlet run / bwrap",
	    median(&c[0].t[COLD_VMLET]) / median(&c[0].t[COLD_BWRAP]),
	    median(&c[1].t[COLD_VMLET]) / median(&c[1].t[COLD_BWRAP]));
	out("   %-34s %10.2fx %9.2fx\n", "cost of confinement (on / off)",
	    median(&c[0].t[COLD_VMLET]) / median(&c[0].t[COLD_NOSECCOMP]),
	    median(&c[1].t[COLD_VMLET]) / median(&c[1].t[COLD_NOSECCOMP]));
	out("   %-34s %10.0f %10.0f\n", "KVM exits per run (library)", median(&c[0].exits),
	    median(&c[1].exits));
	out("\n   library path phases, median microseconds (other: outside the phases;\n"
	    "   plotted in breakdown.png)\n");
	for (m = 0; m < NPHASE; m++)
		out("   %-34s %10.0f %10.0f\n", phase_name[m], median(&c[0].phase[m]) / 1e3,
		    median(&c[1].phase[m]) / 1e3);

	fprintf(json, "  \"cold_start\": {\n    \"iterations\": %d,\n", o->iters);
	for (l = 0; l < NLIBC; l++) {
		fprintf(json, "    \"%s\": {\n      ", libc_name[l]);
		json_stats("vmlet_run_us", &c[l].t[COLD_VMLET], 1e3, ",\n      ");
		json_stats("native_us", &c[l].t[COLD_NATIVE], 1e3, ",\n      ");
		json_stats("bwrap_us", &c[l].t[COLD_BWRAP], 1e3, ",\n      ");
		json_stats("library_us", &c[l].t[COLD_LIBRARY], 1e3, ",\n      ");
		json_stats("vmlet_run_no_seccomp_us", &c[l].t[COLD_NOSECCOMP], 1e3, ",\n      ");
		fprintf(json, "\"ratio_vmlet_native\": %.3f,\n      \"ratio_vmlet_bwrap\": %.3f,\n",
			median(&c[l].t[COLD_VMLET]) / median(&c[l].t[COLD_NATIVE]),
			median(&c[l].t[COLD_VMLET]) / median(&c[l].t[COLD_BWRAP]));
		fprintf(json, "      \"exits\": %.0f,\n      \"phases_us\": {", median(&c[l].exits));
		for (m = 0; m < NPHASE; m++)
			fprintf(json, "\"%s\": %.1f%s", phase_name[m], median(&c[l].phase[m]) / 1e3,
				m + 1 < NPHASE ? ", " : "}\n");
		fprintf(json, "    }%s\n", l + 1 < NLIBC ? "," : "");
	}
	fprintf(json, "  },\n");
	for (l = 0; l < NLIBC; l++) {
		char label[48];

		snprintf(label, sizeof(label), "%s hello, cold VM", libc_name[l]);
		breakdown_bar(label, c[l].phase);
	}

	for (l = 0; l < NLIBC; l++) {
		target("x", median(&c[l].t[COLD_VMLET]) / median(&c[l].t[COLD_NATIVE]),
		       TARGET_VS_NATIVE, "vmlet run / native fork+exec (%s hello)", libc_name[l]);
		target("x", median(&c[l].t[COLD_VMLET]) / median(&c[l].t[COLD_BWRAP]),
		       TARGET_VS_BWRAP, "vmlet run / bwrap (%s hello)", libc_name[l]);
		target("ms", median(&c[l].t[COLD_LIBRARY]) / 1e6, TARGET_LIBRARY_MS,
		       "library cold path (%s hello)", libc_name[l]);
		target("exits", median(&c[l].exits), TARGET_HELLO_EXITS, "KVM exits (%s hello)",
		       libc_name[l]);
		target("x", median(&c[l].t[COLD_VMLET]) / median(&c[l].t[COLD_NOSECCOMP]),
		       TARGET_SECCOMP_COST, "vmlet run confined / --no-seccomp (%s hello)", libc_name[l]);
	}
}

/* ---- part 2: real programs ------------------------------------------------------------------- */

struct workload {
	const char *name;
	char *argv[5];
	char *input;           /* stdin file, or NULL for /dev/null */
	struct samples vm, native, exits, syscalls;
};

static int open_input(const struct workload *w)
{
	return w->input ? open_read(w->input) : devnull;
}

static void real_once(struct workload *w, bool in_vm)
{
	struct vmlet_result res;
	int in = open_input(w);

	if (in_vm) {
		add_sample(&w->vm, vm_run_only(w->argv, in, devnull, &res));
		add_sample(&w->exits, res.exits);
		add_sample(&w->syscalls, res.syscalls);
	} else {
		add_sample(&w->native, spawn_wait(w->argv, in, devnull));
	}
	if (in != devnull)
		close(in);
}

static void bench_real(const struct options *o)
{
	char *data = xasprintf("%s/data", o->dir);
	char *sort_in = xasprintf("%s/text-4m.txt", data);
	char *blob_in = xasprintf("%s/text-8m.txt", data);
	char *sysloop = dir_file(o->dir, "sysloop-musl");
	char *bb = xrealpath(o->busybox);
	struct workload w[] = {
		{ .name = "busybox sort (4 MiB text)", .argv = { bb, "sort", NULL }, .input = sort_in },
		{ .name = "busybox gzip -c (8 MiB text)", .argv = { bb, "gzip", "-c", NULL },
		  .input = blob_in },
		{ .name = "busybox sha256sum (8 MiB text)", .argv = { bb, "sha256sum", NULL },
		  .input = blob_in },
		{ .name = "sysloop getppid x200k", .argv = { sysloop, "getppid", "200000", NULL } },
		{ .name = "sysloop clock_gettime x200k", .argv = { sysloop, "clock", "200000", NULL } },
		{ .name = "sysloop write(/dev/null) x200k", .argv = { sysloop, "write", "200000", NULL } },
	};
	const int nw = (int)(sizeof(w) / sizeof(w[0])), nalt = 2 * nw;
	int it, k, i;

	mkdir(data, 0755);
	make_text(sort_in, 4u << 20, 0x5eed0001);
	make_text(blob_in, 8u << 20, 0x5eed0002);

	for (i = 0; i < nw; i++)
		verify_output(w[i].argv, w[i].input);
	for (it = -1; it < o->real_iters; it++) {
		for (k = 0; k < nalt; k++) {
			int a = (k + (it < 0 ? 0 : it)) % nalt;

			real_once(&w[a / 2], a % 2 == 0);
		}
		if (it < 0) /* warm-up round: page cache, first-use costs */
			for (i = 0; i < nw; i++)
				w[i].vm.n = w[i].native.n = w[i].exits.n = w[i].syscalls.n = 0;
	}

	out("\n2. Real programs: VM run time (vmlet_vm_run only, VM created beforehand)\n");
	out("   vs native posix_spawn+wait, same stdin file and stdout /dev/null;\n");
	out("   median of %d interleaved runs, milliseconds; outputs checked equal to native\n\n",
	    o->real_iters);
	out("   %-32s %9s %9s %8s %7s %9s  %s\n", "program", "vm ms", "native", "vm/nat",
	    "exits", "syscalls", "target <= 1.2x");
	fprintf(json, "  \"real_programs\": {\n    \"iterations\": %d,\n    \"runs\": [\n",
		o->real_iters);
	for (i = 0; i < nw; i++) {
		double ratio = median(&w[i].vm) / median(&w[i].native);
		bool met = target("x", ratio, TARGET_REAL_RATIO, "%s vm/native", w[i].name);

		out("   %-32s %9.1f %9.1f %7.2fx %7.0f %9.0f  %s\n", w[i].name, median(&w[i].vm) / 1e6,
		    median(&w[i].native) / 1e6, ratio, median(&w[i].exits), median(&w[i].syscalls),
		    verdict(met));
		fprintf(json, "      {\"name\": ");
		json_string(w[i].name);
		fprintf(json, ", ");
		json_stats("vm_run_ms", &w[i].vm, 1e6, ", ");
		json_stats("native_ms", &w[i].native, 1e6, ", ");
		fprintf(json, "\"ratio\": %.3f, \"exits\": %.0f, \"syscalls\": %.0f}%s\n", ratio,
			median(&w[i].exits), median(&w[i].syscalls), i + 1 < nw ? "," : "");
	}
	fprintf(json, "    ]\n  },\n");
}

/* ---- part 6: file channel throughput --------------------------------------------------------- */

#define CHANNEL_MIB 256
#define TARGET_CHANNEL_RATIO 0.5 /* issue 3: >= 0.5x native throughput */

/* A file of n MiB of pseudo-random bytes (fast: one buffer written repeatedly, varied per MiB). */
static void make_blob(const char *path, int mib)
{
	static uint64_t buf[(1 << 20) / 8];
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644), i;
	size_t k;

	if (fd < 0)
		die("%s: %s", path, strerror(errno));
	rng_state = 0x5eed0006;
	for (k = 0; k < sizeof(buf) / 8; k++)
		buf[k] = rng();
	for (i = 0; i < mib; i++) {
		buf[i % (sizeof(buf) / 8)] ^= (uint64_t)i * 0x9e3779b97f4a7c15ull;
		if (write(fd, buf, sizeof(buf)) != (ssize_t)sizeof(buf))
			die("%s: write failed", path);
	}
	close(fd);
}

/*
 * cat of a 256 MiB file channel into a written file channel, in the VM (run only:
 * the VM is created beforehand; the commit's fsync and rename are included) and
 * natively (same program, with an fsync of its output so both are durable).
 */
static void bench_channels(const struct options *o)
{
	char *data = xasprintf("%s/data", o->dir), *in = xasprintf("%s/blob-%d.bin", data, CHANNEL_MIB);
	char *out_vm = xasprintf("%s/copy-vm.bin", data), *out_nat = xasprintf("%s/copy-native.bin", data);
	char *prog = dir_file(o->dir, "fcopy-musl");
	char *vm_argv[] = { prog, "/in", "/out", NULL }, *nat_argv[] = { prog, in, out_nat, "fsync", NULL };
	struct vmlet_channel ch[2] = {
		{ "/in", in, VMLET_CHANNEL_FILE, VMLET_CHANNEL_READ, 0,
		  { VMLET_UNLIMITED, VMLET_UNLIMITED, VMLET_UNLIMITED, VMLET_UNLIMITED } },
		{ "/out", out_vm, VMLET_CHANNEL_FILE, VMLET_CHANNEL_WRITE, 0,
		  { VMLET_UNLIMITED, VMLET_UNLIMITED, VMLET_UNLIMITED, VMLET_UNLIMITED } },
	};
	struct samples vm = { 0 }, nat = { 0 }, exits = { 0 };
	int it, iters = 3;

	mkdir(data, 0755);
	make_blob(in, CHANNEL_MIB);
	for (it = -1; it < iters; it++) {
		struct vmlet_config c;
		struct vmlet_error err;
		struct vmlet_result res;
		struct vmlet_vm *v;
		uint64_t t0;
		int r;

		vmlet_config_init(&c);
		c.path = prog;
		c.argv = (const char *const *)vm_argv;
		c.channels = ch;
		c.nchannels = 2;
		c.stdout_fd = c.stderr_fd = devnull;
		c.mem_bytes = 64 << 20;
		if ((r = vmlet_vm_create(&c, &v, &err)))
			die("create for the channel benchmark: %s", err.message);
		t0 = now_ns();
		r = vmlet_vm_run(v, &res, &err);
		t0 = now_ns() - t0;
		if (r || res.exit_code != 0 || !res.committed)
			die("channel benchmark run failed: %s", r ? err.message : res.message);
		vmlet_vm_destroy(v);
		if (it >= 0) {
			add_sample(&vm, t0);
			add_sample(&exits, res.exits);
		}
		t0 = spawn_wait(nat_argv, devnull, devnull);
		if (it >= 0)
			add_sample(&nat, t0);
	}
	{
		int a = open_read(out_vm), b = open_read(in);
		if (!same_contents(a, b))
			die("the VM's copy differs from its input");
		close(a);
		close(b);
	}
	double vm_mbs = CHANNEL_MIB * 1.048576 / (median(&vm) / 1e9);
	double nat_mbs = CHANNEL_MIB * 1.048576 / (median(&nat) / 1e9);
	bool met = target_min("x", vm_mbs / nat_mbs, TARGET_CHANNEL_RATIO,
			      "file channel cat throughput vm/native");

	out("\n7. File channels: cat of a %d MiB file channel into a written file channel\n", CHANNEL_MIB);
	out("   (64 KiB reads and writes; VM run includes the commit's fsync + rename; native fsyncs too)\n");
	out("   median of %d interleaved runs\n\n", iters);
	out("   %-34s %10.0f MB/s\n", "in the VM", vm_mbs);
	out("   %-34s %10.0f MB/s\n", "native", nat_mbs);
	out("   %-34s %10.2fx  (target >= %.1fx: %s)\n", "ratio vm / native", vm_mbs / nat_mbs,
	    TARGET_CHANNEL_RATIO, verdict(met));
	out("   %-34s %10.2f\n", "KVM exits per MiB moved", median(&exits) / (2.0 * CHANNEL_MIB));
	fprintf(json, "  \"file_channels\": {\"mib\": %d, \"vm_mb_s\": %.1f, \"native_mb_s\": %.1f, "
		"\"ratio\": %.3f, \"exits_per_mib\": %.2f},\n", CHANNEL_MIB, vm_mbs, nat_mbs,
		vm_mbs / nat_mbs, median(&exits) / (2.0 * CHANNEL_MIB));
	unlink(out_vm);
	unlink(out_nat);
	unlink(in);
}

/* ---- main ------------------------------------------------------------------------------------ */

static void usage(void)
{
	fputs("usage: bench [--vmlet PATH] [--dir BUILD/bench] [--out DIR] [--busybox PATH]\n"
	      "             [--bwrap PATH] [--iters N] [--real-iters N] [--commit REV]\n"
	      "             [--parts DIGITS] [--tput-ms MS] [--tput-rounds N]\n"
	      "             [--scale-max N] [--scale-probes N] [--no-scale]\n"
	      "parts: 1 cold start, 2 real programs, 3 start latency (pooled, reset, cold,\n"
	      "       fork+exec), 4 throughput on all cores, 5 scale with N idle VMs, 6 file channels\n",
	      stderr);
	exit(2);
}

static int int_arg(const char *name, const char *v, int lo, int hi)
{
	char *end;
	long n = strtol(v, &end, 10);

	if (*end || end == v || n < lo || n > hi)
		die("%s: expected a number between %d and %d, got \"%s\"", name, lo, hi, v);
	return (int)n;
}

static void parse_options(int argc, char **argv, struct options *o)
{
	int i;

	*o = (struct options){ .vmlet = "build/vmlet", .dir = "build/bench", .out = "bench/results",
			       .busybox = "/bin/busybox", .bwrap = "/usr/bin/bwrap", .commit = "unknown",
			       .parts = "123456", .iters = 50, .real_iters = 7, .tput_ms = 1000,
			       .tput_rounds = 5, .scale_max = 2000, .scale_probes = 10 };
	for (i = 1; i < argc; i++) {
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(argv[i], "--no-scale")) {
			o->scale_max = 0;
			continue;
		}
		if (!v)
			usage();
		if (!strcmp(argv[i], "--vmlet"))
			o->vmlet = v;
		else if (!strcmp(argv[i], "--dir"))
			o->dir = v;
		else if (!strcmp(argv[i], "--out"))
			o->out = v;
		else if (!strcmp(argv[i], "--busybox"))
			o->busybox = v;
		else if (!strcmp(argv[i], "--bwrap"))
			o->bwrap = v;
		else if (!strcmp(argv[i], "--commit"))
			o->commit = v;
		else if (!strcmp(argv[i], "--parts"))
			o->parts = v;
		else if (!strcmp(argv[i], "--iters"))
			o->iters = int_arg(argv[i], v, 1, MAX_SAMPLES);
		else if (!strcmp(argv[i], "--real-iters"))
			o->real_iters = int_arg(argv[i], v, 1, MAX_SAMPLES);
		else if (!strcmp(argv[i], "--tput-ms"))
			o->tput_ms = int_arg(argv[i], v, 100, 60000);
		else if (!strcmp(argv[i], "--tput-rounds"))
			o->tput_rounds = int_arg(argv[i], v, 1, MAX_SAMPLES);
		else if (!strcmp(argv[i], "--scale-max"))
			o->scale_max = int_arg(argv[i], v, 0, 100000);
		else if (!strcmp(argv[i], "--scale-probes"))
			o->scale_probes = int_arg(argv[i], v, 1, MAX_SAMPLES);
		else
			usage();
		i++;
	}
	o->vmlet = xrealpath(o->vmlet);
}

static bool part(const struct options *o, char digit)
{
	return strchr(o->parts, digit) != NULL;
}

int main(int argc, char **argv)
{
	char *txt_path, *json_path, *txt_tmp, *json_tmp;
	struct options o;
	struct machine m;
	double load0, load1;
	int i;

	if (argc == 4 && !strcmp(argv[1], "--helper"))
		return helper_main(argv[2], atoi(argv[3]));
	parse_options(argc, argv, &o);
	/* The library requires SIGPIPE ignored; children get it back at default. */
	signal(SIGPIPE, SIG_IGN);
	devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (devnull < 0)
		die("/dev/null: %s", strerror(errno));

	/* Write to temporaries and rename at the end, so a failed run keeps the last results. */
	mkdir(o.out, 0755);
	txt_path = xasprintf("%s/latest.txt", o.out);
	json_path = xasprintf("%s/latest.json", o.out);
	txt_tmp = xasprintf("%s.tmp", txt_path);
	json_tmp = xasprintf("%s.tmp", json_path);
	if (!(txt = fopen(txt_tmp, "w")) || !(json = fopen(json_tmp, "w")))
		die("%s: %s", o.out, strerror(errno));

	load0 = load_average();
	describe_machine(&m);
	out("vmlet benchmark, %s, vmlet %s\n", m.date, o.commit);
	out("machine: %s, %s, %ld CPUs, %.1f GiB RAM\n", m.kernel, m.cpu, m.cpus,
	    m.mem_kib / 1048576.0);
	out("1-minute load average at the start: %.2f (at the end: with the targets)\n", load0);
	out("all figures are medians of interleaved (round-robin) runs; absolute numbers\n"
	    "move with machine load, ratios are the figures to compare\n");
	fprintf(json, "{\n  \"date\": \"%s\",\n  \"vmlet_commit\": ", m.date);
	json_string(o.commit);
	fprintf(json, ",\n  \"machine\": {\"kernel\": ");
	json_string(m.kernel);
	fprintf(json, ", \"cpu\": ");
	json_string(m.cpu);
	fprintf(json, ", \"nproc\": %ld, \"mem_total_kib\": %llu, \"load_average_start\": %.2f},\n",
		m.cpus, m.mem_kib, load0);

	if (part(&o, '1'))
		bench_cold(&o);
	if (part(&o, '2'))
		bench_real(&o);
	if (part(&o, '3'))
		bench_latency(&o);
	if (part(&o, '4'))
		bench_throughput(&o);
	if (part(&o, '5') && o.scale_max > 0)
		bench_scale(&o);
	if (part(&o, '6'))
		bench_channels(&o);

	out("\n8. Targets (load average at the end: %.2f)\n\n", load1 = load_average());
	fprintf(json, "  \"targets\": [\n");
	for (i = 0; i < ntargets; i++) {
		const struct target *t = &targets[i];

		out("   %-56s %8.2f %-5s %s %-5g %s\n", t->name, t->value, t->unit,
		    t->at_least ? ">=" : "<=", t->limit, verdict(t->met));
		fprintf(json, "    {\"name\": ");
		json_string(t->name);
		fprintf(json, ", \"value\": %.3f, \"limit\": %g, \"compare\": \"%s\", \"unit\": \"%s\", "
			"\"met\": %s}%s\n", t->value, t->limit, t->at_least ? ">=" : "<=", t->unit,
			t->met ? "true" : "false",
			i + 1 < ntargets ? "," : "");
	}
	fprintf(json, "  ],\n  \"load_average_end\": %.2f\n}\n", load1);

	if (fclose(txt) || fclose(json))
		die("%s: write failed", o.out);
	if (rename(txt_tmp, txt_path) || rename(json_tmp, json_path))
		die("%s: %s", o.out, strerror(errno));
	write_breakdown(xasprintf("%s/breakdown.dat", o.out));
	printf("\nwrote %s and %s\n", txt_path, json_path);
	return 0;
}
