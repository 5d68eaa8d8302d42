/* start.c - issue 4 "start a VM faster than fork+exec": pooled, reset and cold VMs vs native spawns, throughput, scale. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

#define POOL_SHELLS 4                      /* shells kept ready by the pools used here */
#define REFILL_BOUND_NS (20 * 1000000ull)  /* latency: at most this long waiting for a refill */
#define QUIET_BOUND_NS (2000 * 1000000ull) /* throughput: before a window, wait for a full pool */
#define DRAIN_BOUND_NS (10000 * 1000000ull) /* throughput: teardown of a window must end */

#define TARGET_POOLED_VS_SPAWN 0.5  /* pooled shell <= 0.5x fork+exec */
#define TARGET_RESET_VS_SPAWN 0.25  /* reset shell <= 0.25x fork+exec */
#define TARGET_TPUT_VS_SPAWN 1.5    /* fresh VMs per second >= 1.5x fork+exec per second */
#define TARGET_SCALE_RATIO 1.25     /* a cold run with 2000 idle VMs <= 1.25x with 1 */

#define SCALE_MEM (16ull << 20)     /* guest memory of each idle VM */
#define TPUT_THREADS 2

static void sleep_ns(uint64_t ns)
{
	struct timespec ts = { .tv_sec = (time_t)(ns / 1000000000u),
			       .tv_nsec = (long)(ns % 1000000000u) };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* Every VM created from the pool has been handed back and destroyed (by its worker or inline). */
static bool pool_drained(const struct vmlet_pool_stats *s)
{
	return s->reaping == 0 && s->reaped + s->reaped_inline == s->taken + s->missed;
}

/* The pool is back to POOL_SHELLS ready shells and has no used VM left to destroy. */
static bool pool_quiet(struct vmlet_pool *pool)
{
	struct vmlet_pool_stats s;

	vmlet_pool_stats(pool, &s);
	return s.ready >= POOL_SHELLS && pool_drained(&s);
}

/* Sleep until the pool is quiet, at most bound_ns; whether it got there. */
static bool wait_pool_quiet(struct vmlet_pool *pool, uint64_t bound_ns)
{
	uint64_t end = now_ns() + bound_ns;

	while (!pool_quiet(pool)) {
		if (now_ns() >= end)
			return false;
		sleep_ns(100000);
	}
	return true;
}

static struct vmlet_pool *make_pool(void)
{
	struct vmlet_pool_config pc = { .shells = POOL_SHELLS };
	struct vmlet_pool *pool;
	struct vmlet_error err;

	if (vmlet_pool_create(&pc, &pool, &err))
		die("pool: %s", err.message);
	if (!wait_pool_quiet(pool, QUIET_BOUND_NS))
		die("pool: %d shells not ready after %llu ms", POOL_SHELLS,
		    (unsigned long long)(QUIET_BOUND_NS / 1000000));
	return pool;
}

static void pool_counts(struct vmlet_pool *pool, uint64_t *taken, uint64_t *missed)
{
	struct vmlet_pool_stats s;

	vmlet_pool_stats(pool, &s);
	*taken = s.taken;
	*missed = s.missed;
}

/* ---- native spawns --------------------------------------------------------------------------- */

/* vfork or fork, then execve with stdin and stdout on /dev/null; the child never returns. */
static pid_t start_child(char *const argv[], bool use_vfork)
{
	pid_t pid = use_vfork ? vfork() : fork();

	if (pid == 0) {
		dup2(devnull, STDIN_FILENO);
		dup2(devnull, STDOUT_FILENO);
		execve(argv[0], argv, guest_env);
		_exit(127);
	}
	if (pid < 0)
		die("%s: %s", use_vfork ? "vfork" : "fork", strerror(errno));
	return pid;
}

/* (v)fork + execve + waitpid, timed from before the fork to the reaped exit. */
static uint64_t fork_wait(char *const argv[], bool use_vfork)
{
	uint64_t t0 = now_ns(), t1;
	pid_t pid = start_child(argv, use_vfork);
	int status;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			die("waitpid: %s", strerror(errno));
	t1 = now_ns();
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		die("%s failed (status 0x%x)", argv[0], status);
	return t1 - t0;
}

/* ---- VM runs --------------------------------------------------------------------------------- */

/* A fresh VM from the pool: create (takes a shell) + run + destroy (hands it to the worker). */
static uint64_t vm_pooled(char *const argv[], struct vmlet_pool *pool, struct vmlet_result *res)
{
	struct vmlet_config c;
	struct vmlet_error err;
	struct vmlet_vm *vm;
	uint64_t t0, t1;
	int r;

	vm_config(&c, argv, devnull, devnull);
	c.pool = pool;
	t0 = now_ns();
	if (vmlet_vm_create(&c, &vm, &err))
		die("create %s from the pool: %s", argv[0], err.message);
	r = vmlet_vm_run(vm, res, &err);
	vmlet_vm_destroy_timed(vm, res);
	t1 = now_ns();
	check_result(argv[0], r, &err, res);
	return t1 - t0;
}

/* A VM that has run, reset and loaded with the program again (vmlet_vm_reuse) + run. */
static uint64_t vm_reset(char *const argv[], struct vmlet_vm *vm, struct vmlet_result *res)
{
	struct vmlet_config c;
	struct vmlet_error err;
	uint64_t t0, t1;
	int r;

	vm_config(&c, argv, devnull, devnull);
	t0 = now_ns();
	if (vmlet_vm_reuse(vm, &c, &err))
		die("reuse for %s: %s", argv[0], err.message);
	r = vmlet_vm_run(vm, res, &err);
	t1 = now_ns();
	check_result(argv[0], r, &err, res);
	return t1 - t0;
}

/* A VM created cold (no pool) and run once, ready for vm_reset. */
static struct vmlet_vm *vm_ran_once(char *const argv[])
{
	struct vmlet_result res;
	struct vmlet_config c;
	struct vmlet_error err;
	struct vmlet_vm *vm;
	int r;

	vm_config(&c, argv, devnull, devnull);
	if (vmlet_vm_create(&c, &vm, &err))
		die("create %s: %s", argv[0], err.message);
	r = vmlet_vm_run(vm, &res, &err);
	check_result(argv[0], r, &err, &res);
	return vm;
}

static char *hello_path(const struct options *o, int libc)
{
	char name[32];

	snprintf(name, sizeof(name), "hello-%s", libc_name[libc]);
	return dir_file(o->dir, name);
}

/* ---- part 3: start latency ------------------------------------------------------------------- */

enum { LAT_POOLED, LAT_RESET, LAT_COLD, LAT_SPAWN, LAT_VFORK, LAT_FORK, LAT_MODES };
#define LAT_VMS 3 /* the modes before LAT_SPAWN run VMs */

static const char *const lat_label[LAT_MODES] = {
	"pooled shell: create+run+hand-off", "reset shell: reuse+run",
	"cold VM: create+run+destroy",       "fork+exec: posix_spawn+wait",
	"vfork+execve+waitpid",              "fork+execve+waitpid",
};
static const char *const lat_key[LAT_MODES] = { "pooled_us", "reset_us",  "cold_us",
						"posix_spawn_us", "vfork_us", "fork_us" };

struct lat {
	char *hello;
	struct vmlet_vm *kept; /* reset mode: the one VM, reused every round */
	struct samples t[LAT_MODES], exits[LAT_VMS], phase[LAT_VMS][NPHASE];
};

static void lat_once(struct lat *l, int mode, struct vmlet_pool *pool)
{
	char *argv[] = { l->hello, NULL };
	struct vmlet_result res;
	uint64_t t, ph[NPHASE];
	int i;

	switch (mode) {
	case LAT_POOLED:
		t = vm_pooled(argv, pool, &res);
		break;
	case LAT_RESET:
		t = vm_reset(argv, l->kept, &res);
		break;
	case LAT_COLD:
		t = vm_cold(argv, devnull, devnull, &res);
		break;
	case LAT_SPAWN:
		t = spawn_wait(argv, devnull, devnull);
		break;
	default:
		t = fork_wait(argv, mode == LAT_VFORK);
		break;
	}
	add_sample(&l->t[mode], t);
	if (mode < LAT_VMS) {
		add_sample(&l->exits[mode], res.exits);
		split_phases(&res, t, ph);
		for (i = 0; i < NPHASE; i++)
			add_sample(&l->phase[mode][i], ph[i]);
	}
}

static void lat_reset_samples(struct lat *l)
{
	int m, i;

	for (m = 0; m < LAT_MODES; m++)
		l->t[m].n = 0;
	for (m = 0; m < LAT_VMS; m++) {
		l->exits[m].n = 0;
		for (i = 0; i < NPHASE; i++)
			l->phase[m][i].n = 0;
	}
}

void bench_latency(const struct options *o)
{
	static struct lat l[NLIBC];
	const int nalt = NLIBC * LAT_MODES;
	struct vmlet_pool *pool = make_pool();
	uint64_t taken0, missed0, taken1, missed1;
	int it, k, i, m, bound_hits = 0;
	double ratio[NLIBC][2];

	for (i = 0; i < NLIBC; i++) {
		l[i].hello = hello_path(o, i);
		l[i].kept = vm_ran_once((char *[]){ l[i].hello, NULL });
	}
	pool_counts(pool, &taken0, &missed0);
	/*
	 * Before every run, whatever its mode, the pool gets back to POOL_SHELLS ready
	 * shells and no used VM to destroy (untimed, at most 20 ms): requests arrive at
	 * a steady rate that the worker keeps up with, and its background work does not
	 * overlap the next measurement.
	 */
	for (it = -1; it < o->iters; it++) {
		for (k = 0; k < nalt; k++) {
			int a = (k + (it < 0 ? 0 : it)) % nalt;

			if (!wait_pool_quiet(pool, REFILL_BOUND_NS) && it >= 0)
				bound_hits++;
			lat_once(&l[a / LAT_MODES], a % LAT_MODES, pool);
		}
		if (it < 0) { /* warm-up round */
			for (i = 0; i < NLIBC; i++)
				lat_reset_samples(&l[i]);
			pool_counts(pool, &taken0, &missed0);
		}
	}
	pool_counts(pool, &taken1, &missed1);
	for (i = 0; i < NLIBC; i++) {
		ratio[i][0] = median(&l[i].t[LAT_POOLED]) / median(&l[i].t[LAT_SPAWN]);
		ratio[i][1] = median(&l[i].t[LAT_RESET]) / median(&l[i].t[LAT_SPAWN]);
	}

	out("\n3. Start latency of a static hello: prepared or reset VM vs native fork+exec\n");
	out("   (stdout -> /dev/null); median of %d interleaved runs per row, microseconds.\n",
	    o->iters);
	out("   Pool of %d shells (library, config.pool); before each run the pool is refilled\n"
	    "   (ready == %d, nothing left to destroy; untimed, waits at most 20 ms)\n\n",
	    POOL_SHELLS, POOL_SHELLS);
	out("   %-38s %10s %10s\n", "", libc_name[0], libc_name[1]);
	for (m = 0; m < LAT_MODES; m++)
		out("   %-38s %10.0f %10.0f\n", lat_label[m], median(&l[0].t[m]) / 1e3,
		    median(&l[1].t[m]) / 1e3);
	out("   %-38s %9.2fx %9.2fx\n", "ratio pooled / fork+exec", ratio[0][0], ratio[1][0]);
	out("   %-38s %9.2fx %9.2fx\n", "ratio reset / fork+exec", ratio[0][1], ratio[1][1]);
	out("   %-38s %9.2fx %9.2fx\n", "ratio fork+exec / vfork+exec",
	    median(&l[0].t[LAT_SPAWN]) / median(&l[0].t[LAT_VFORK]),
	    median(&l[1].t[LAT_SPAWN]) / median(&l[1].t[LAT_VFORK]));
	for (m = 0; m < LAT_VMS; m++)
		out("   KVM exits per run, %-18s %10.0f %10.0f\n", m == LAT_POOLED ? "pooled" :
		    m == LAT_RESET ? "reset" : "cold", median(&l[0].exits[m]),
		    median(&l[1].exits[m]));
	out("   pool: %llu runs took a ready shell, %llu prepared one on the spot;\n"
	    "   %d waits for the refill hit the 20 ms bound\n",
	    (unsigned long long)(taken1 - taken0), (unsigned long long)(missed1 - missed0),
	    bound_hits);
	out("\n   phases, median microseconds (pooled: destroy is the hand-off to the worker;\n"
	    "   reset: memory is the whole reset; plotted in breakdown.png)\n");
	out("   %-12s %9s %9s %9s %9s %9s %9s\n", "", "musl", "musl", "musl", "glibc", "glibc",
	    "glibc");
	out("   %-12s %9s %9s %9s %9s %9s %9s\n", "", "pooled", "reset", "cold", "pooled", "reset",
	    "cold");
	for (i = 0; i < NPHASE; i++) {
		out("   %-12s", phase_name[i]);
		for (k = 0; k < NLIBC * LAT_VMS; k++)
			out(" %9.0f", median(&l[k / LAT_VMS].phase[k % LAT_VMS][i]) / 1e3);
		out("\n");
	}

	fprintf(json, "  \"start_latency\": {\n    \"iterations\": %d,\n    \"pool_shells\": %d,\n",
		o->iters, POOL_SHELLS);
	fprintf(json, "    \"pool_taken\": %llu,\n    \"pool_missed\": %llu,\n"
		"    \"refill_bound_hits\": %d,\n", (unsigned long long)(taken1 - taken0),
		(unsigned long long)(missed1 - missed0), bound_hits);
	for (i = 0; i < NLIBC; i++) {
		fprintf(json, "    \"%s\": {\n      ", libc_name[i]);
		for (m = 0; m < LAT_MODES; m++)
			json_stats(lat_key[m], &l[i].t[m], 1e3, ",\n      ");
		fprintf(json, "\"ratio_pooled_fork_exec\": %.3f,\n      \"ratio_reset_fork_exec\": %.3f,\n",
			ratio[i][0], ratio[i][1]);
		fprintf(json, "      \"exits\": {\"pooled\": %.0f, \"reset\": %.0f, \"cold\": %.0f},\n",
			median(&l[i].exits[LAT_POOLED]), median(&l[i].exits[LAT_RESET]),
			median(&l[i].exits[LAT_COLD]));
		for (m = 0; m < 2; m++) {
			int mode = m ? LAT_RESET : LAT_POOLED, p;

			fprintf(json, "      \"%s_phases_us\": {", m ? "reset" : "pooled");
			for (p = 0; p < NPHASE; p++)
				fprintf(json, "\"%s\": %.1f%s", phase_name[p],
					median(&l[i].phase[mode][p]) / 1e3, p + 1 < NPHASE ? ", " : "}");
			fprintf(json, "%s\n", m ? "" : ",");
		}
		fprintf(json, "    }%s\n", i + 1 < NLIBC ? "," : "");
	}
	fprintf(json, "  },\n");

	for (m = 0; m < 2; m++)
		for (i = 0; i < NLIBC; i++) {
			char label[48];

			snprintf(label, sizeof(label), "%s hello, %s shell", libc_name[i],
				 m ? "reset" : "pooled");
			breakdown_bar(label, l[i].phase[m ? LAT_RESET : LAT_POOLED]);
		}
	for (i = 0; i < NLIBC; i++) {
		target("x", ratio[i][0], TARGET_POOLED_VS_SPAWN, "pooled shell / fork+exec (%s hello)",
		       libc_name[i]);
		target("x", ratio[i][1], TARGET_RESET_VS_SPAWN, "reset shell / fork+exec (%s hello)",
		       libc_name[i]);
	}
	for (i = 0; i < NLIBC; i++)
		vmlet_vm_destroy(l[i].kept);
	vmlet_pool_destroy(pool);
}

/* ---- part 4: throughput on all cores --------------------------------------------------------- */

enum { TP_POOLED, TP_RESET, TP_COLD, TP_SPAWN, TP_MODES };

static const char *const tp_label[TP_MODES] = {
	"fresh VM per run (one shared pool)", "reset VM per thread",
	"cold VM per run (no pool)",          "fork+exec: posix_spawn+wait",
};
static const char *const tp_key[TP_MODES] = { "fresh_vm_runs_s", "reset_runs_s", "cold_vm_runs_s",
					      "posix_spawn_runs_s" };

/* One measurement window: TPUT_THREADS threads run one mode back to back. */
struct window {
	int mode;
	char *hello;
	struct vmlet_pool *pool;
	uint64_t length_ns;
	pthread_barrier_t start;
};

struct runner {
	struct window *w;
	pthread_t thread;
	uint64_t runs, end_ns; /* end_ns: when its last run finished */
};

static void *tp_runner(void *arg)
{
	struct runner *r = arg;
	struct window *w = r->w;
	char *argv[] = { w->hello, NULL };
	struct vmlet_vm *kept = w->mode == TP_RESET ? vm_ran_once(argv) : NULL;
	struct vmlet_result res;
	uint64_t deadline;

	pthread_barrier_wait(&w->start);
	deadline = now_ns() + w->length_ns;
	do {
		if (w->mode == TP_POOLED)
			vm_pooled(argv, w->pool, &res);
		else if (w->mode == TP_RESET)
			vm_reset(argv, kept, &res);
		else if (w->mode == TP_COLD)
			vm_cold(argv, devnull, devnull, &res);
		else
			spawn_wait(argv, devnull, devnull);
		r->runs++;
	} while (now_ns() < deadline);
	r->end_ns = now_ns();
	vmlet_vm_destroy(kept); /* outside the window */
	return NULL;
}

/*
 * Runs per second of one window, as runs/s x 1000. For pooled VMs the window
 * ends when the worker has destroyed every VM handed to it: a fresh VM per run
 * is only sustainable if its teardown keeps up too. *missed_pct: runs that
 * found no ready shell; *drain_ns: how long the teardown went on after the last run.
 */
static uint64_t tp_window(struct window *w, double *missed_pct, uint64_t *drain_ns)
{
	struct runner r[TPUT_THREADS];
	uint64_t t0, end = 0, runs = 0, taken0, missed0, taken1, missed1;
	int i;

	wait_pool_quiet(w->pool, QUIET_BOUND_NS); /* untimed: every window starts alike */
	pool_counts(w->pool, &taken0, &missed0);
	pthread_barrier_init(&w->start, NULL, TPUT_THREADS + 1);
	for (i = 0; i < TPUT_THREADS; i++) {
		r[i] = (struct runner){ .w = w };
		if (pthread_create(&r[i].thread, NULL, tp_runner, &r[i]))
			die("pthread_create failed");
	}
	pthread_barrier_wait(&w->start);
	t0 = now_ns();
	for (i = 0; i < TPUT_THREADS; i++) {
		pthread_join(r[i].thread, NULL);
		runs += r[i].runs;
		end = r[i].end_ns > end ? r[i].end_ns : end;
	}
	pthread_barrier_destroy(&w->start);
	if (w->mode == TP_POOLED) {
		struct vmlet_pool_stats s;
		uint64_t bound = now_ns() + DRAIN_BOUND_NS;

		for (vmlet_pool_stats(w->pool, &s); !pool_drained(&s); vmlet_pool_stats(w->pool, &s)) {
			if (now_ns() > bound)
				die("pool: used VMs still not destroyed after 10 s");
			sleep_ns(50000);
		}
		*drain_ns = now_ns() - end;
		end = now_ns();
	}
	pool_counts(w->pool, &taken1, &missed1);
	*missed_pct = taken1 + missed1 > taken0 + missed0
			      ? 100.0 * (double)(missed1 - missed0) /
					(double)(taken1 - taken0 + missed1 - missed0)
			      : 0;
	return (uint64_t)(runs * 1e12 / (double)(end - t0));
}

void bench_throughput(const struct options *o)
{
	static struct samples rate[NLIBC][TP_MODES], missed[NLIBC], drain[NLIBC];
	const int nalt = NLIBC * TP_MODES;
	struct vmlet_pool *pool = make_pool();
	char *hello[NLIBC];
	double ratio[NLIBC][2];
	int it, k, i, m;

	for (i = 0; i < NLIBC; i++)
		hello[i] = hello_path(o, i);
	/* A short warm-up round, then rounds of full windows rotating their first alternative. */
	for (it = -1; it < o->tput_rounds; it++) {
		for (k = 0; k < nalt; k++) {
			int a = (k + (it < 0 ? 0 : it)) % nalt, l = a / TP_MODES, mode = a % TP_MODES;
			struct window w = { .mode = mode, .hello = hello[l], .pool = pool,
					    .length_ns = (uint64_t)o->tput_ms * 1000000u / (it < 0 ? 4 : 1) };
			double pct = 0;
			uint64_t drain_ns = 0, v = tp_window(&w, &pct, &drain_ns);

			if (it < 0)
				continue;
			add_sample(&rate[l][mode], v);
			if (mode == TP_POOLED) {
				add_sample(&missed[l], (uint64_t)(pct * 1000));
				add_sample(&drain[l], drain_ns);
			}
		}
	}
	vmlet_pool_destroy(pool);
	for (i = 0; i < NLIBC; i++) {
		ratio[i][0] = median(&rate[i][TP_POOLED]) / median(&rate[i][TP_SPAWN]);
		ratio[i][1] = median(&rate[i][TP_RESET]) / median(&rate[i][TP_SPAWN]);
	}

	out("\n4. Throughput on both cores: %d threads run hello back to back for %d ms windows;\n",
	    TPUT_THREADS, o->tput_ms);
	out("   median runs/s of %d interleaved windows per row. Fresh VMs come from one pool of %d\n"
	    "   shared by the threads; the window ends when the pool's worker has destroyed\n"
	    "   every used VM (teardown counted, refill not)\n\n",
	    o->tput_rounds, POOL_SHELLS);
	out("   %-38s %10s %10s\n", "", libc_name[0], libc_name[1]);
	for (m = 0; m < TP_MODES; m++)
		out("   %-38s %10.0f %10.0f\n", tp_label[m], median(&rate[0][m]) / 1e3,
		    median(&rate[1][m]) / 1e3);
	out("   %-38s %9.2fx %9.2fx\n", "ratio fresh VM / fork+exec", ratio[0][0], ratio[1][0]);
	out("   %-38s %9.2fx %9.2fx\n", "ratio reset / fork+exec", ratio[0][1], ratio[1][1]);
	out("   %-38s %9.2fx %9.2fx\n", "ratio fresh VM / cold VM",
	    median(&rate[0][TP_POOLED]) / median(&rate[0][TP_COLD]),
	    median(&rate[1][TP_POOLED]) / median(&rate[1][TP_COLD]));
	out("   %-38s %9.1f%% %9.1f%%\n", "fresh VM runs finding no ready shell",
	    median(&missed[0]) / 1e3, median(&missed[1]) / 1e3);
	out("   %-38s %10.0f %10.0f\n", "teardown left after the last run, ms",
	    median(&drain[0]) / 1e6, median(&drain[1]) / 1e6);

	fprintf(json, "  \"throughput\": {\n    \"threads\": %d,\n    \"window_ms\": %d,\n"
		"    \"rounds\": %d,\n    \"pool_shells\": %d,\n", TPUT_THREADS, o->tput_ms,
		o->tput_rounds, POOL_SHELLS);
	for (i = 0; i < NLIBC; i++) {
		fprintf(json, "    \"%s\": {\n      ", libc_name[i]);
		for (m = 0; m < TP_MODES; m++)
			json_stats(tp_key[m], &rate[i][m], 1e3, ",\n      ");
		fprintf(json, "\"ratio_fresh_vm_fork_exec\": %.3f,\n      \"ratio_reset_fork_exec\": %.3f,\n"
			"      \"fresh_vm_pool_missed_pct\": %.1f,\n", ratio[i][0], ratio[i][1],
			median(&missed[i]) / 1e3);
		json_stats("fresh_vm_teardown_drain_ms", &drain[i], 1e6, "\n");
		fprintf(json, "    }%s\n", i + 1 < NLIBC ? "," : "");
	}
	fprintf(json, "  },\n");
	for (i = 0; i < NLIBC; i++)
		target_min("x", ratio[i][0], TARGET_TPUT_VS_SPAWN,
			   "throughput fresh VM / fork+exec, %d threads (%s hello)", TPUT_THREADS,
			   libc_name[i]);
}

/* ---- part 5: scale with idle VMs ------------------------------------------------------------- */

/* Memory figures, KiB: this process (/proc/self/status) and the system (/proc/meminfo). */
enum { MEM_RSS, MEM_ANON, MEM_AVAIL, MEM_SLAB, MEM_KSTACK, MEM_PT, MEM_SECPT, MEM_VMALLOC, NMEM };

static const char *const mem_field[NMEM] = { "VmRSS:", "RssAnon:", "MemAvailable:", "Slab:",
					     "KernelStack:", "PageTables:", "SecPageTables:",
					     "VmallocUsed:" };

static void read_mem(long long kib[NMEM])
{
	const char *files[2] = { "/proc/self/status", "/proc/meminfo" };
	char line[256];
	int f, i;

	memset(kib, 0, NMEM * sizeof(kib[0]));
	for (f = 0; f < 2; f++) {
		FILE *fp = fopen(files[f], "r");

		if (!fp)
			die("%s: %s", files[f], strerror(errno));
		while (fgets(line, sizeof(line), fp))
			for (i = 0; i < NMEM; i++) {
				size_t n = strlen(mem_field[i]);

				if (!strncmp(line, mem_field[i], n))
					kib[i] = atoll(line + n);
			}
		fclose(fp);
	}
}

/* Kernel memory: slab, kernel stacks, page tables (the process's and KVM's), vmalloc. */
static long long kernel_kib(const long long kib[NMEM])
{
	return kib[MEM_SLAB] + kib[MEM_KSTACK] + kib[MEM_PT] + kib[MEM_SECPT] + kib[MEM_VMALLOC];
}

struct step {
	int n;
	struct samples vm, native;    /* cold runs next to the idle VMs (both passes), ns */
	struct samples control;       /* cold runs in the control process at the same time, ns */
	struct samples pass[2];       /* the VM runs, growing (0) and shrinking (1) */
	struct samples phase[NPHASE]; /* phases of the VM runs, ns */
	double create_us;             /* mean create time of the idle VMs added for this step */
	double per_vm[NMEM];          /* memory per idle VM, KiB (MEM_AVAIL: the drop) */
	double kernel;                /* kernel memory per idle VM, KiB */
};

/* Enough fds for n VMs (2 each); as root the hard limit can go up too. Returns how many fit. */
static int raise_nofile(int n)
{
	struct rlimit rl;
	rlim_t need = (rlim_t)n * 2 + 64;

	if (getrlimit(RLIMIT_NOFILE, &rl))
		die("getrlimit: %s", strerror(errno));
	if (rl.rlim_cur >= need)
		return n;
	rl.rlim_cur = need;
	if (rl.rlim_max < need)
		rl.rlim_max = need;
	if (setrlimit(RLIMIT_NOFILE, &rl)) {
		getrlimit(RLIMIT_NOFILE, &rl);
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
		return rl.rlim_cur > 64 ? (int)((rl.rlim_cur - 64) / 2) : 0;
	}
	return n;
}

/*
 * A helper process, this program run as `bench --helper HELLO N`: it creates N
 * idle VMs, says "ready", then runs a cold hello for every 'r' it reads and
 * answers with the run's wall time (8 bytes); it exits when its stdin closes.
 * With N = 0 it is the control: cold runs beside the measured ones, hit by the
 * same machine load but by none of this process's idle VMs. With N idle VMs it
 * tells a per-process cost from a system-wide one.
 */
int helper_main(const char *hello, int n)
{
	char *argv[] = { (char *)hello, NULL };
	struct vmlet_result res;
	struct vmlet_config c;
	struct vmlet_error err;
	struct vmlet_vm *vm;
	uint64_t t;
	char cmd;
	int i;

	devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (devnull < 0 || raise_nofile(n) < n)
		die("helper: no /dev/null or not enough fds");
	vm_config(&c, argv, devnull, devnull);
	c.mem_bytes = SCALE_MEM;
	for (i = 0; i < n; i++)
		if (vmlet_vm_create(&c, &vm, &err))
			die("helper: idle VM %d: %s", i + 1, err.message);
	if (write(STDOUT_FILENO, "ready\n", 6) != 6)
		die("helper: cannot report");
	while (read(STDIN_FILENO, &cmd, 1) == 1) {
		t = vm_cold(argv, devnull, devnull, &res);
		if (write(STDOUT_FILENO, &t, sizeof(t)) != (ssize_t)sizeof(t))
			die("helper: cannot report");
	}
	return 0; /* the kernel tears the idle VMs down with the process */
}

struct helper {
	pid_t pid;
	int to, from; /* its stdin and stdout */
};

static void helper_start(struct helper *h, const char *hello, int n)
{
	char count[16], line[8];
	char *hargv[] = { "bench", "--helper", (char *)hello, count, NULL };
	posix_spawn_file_actions_t fa;
	int to[2], from[2], r;

	snprintf(count, sizeof(count), "%d", n);
	if (pipe2(to, O_CLOEXEC) || pipe2(from, O_CLOEXEC))
		die("pipe: %s", strerror(errno));
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, to[0], STDIN_FILENO);
	posix_spawn_file_actions_adddup2(&fa, from[1], STDOUT_FILENO);
	r = posix_spawn(&h->pid, "/proc/self/exe", &fa, NULL, hargv, guest_env);
	posix_spawn_file_actions_destroy(&fa);
	if (r)
		die("spawn a helper: %s", strerror(r));
	close(to[0]);
	close(from[1]);
	h->to = to[1];
	h->from = from[0];
	if (read(h->from, line, 6) != 6 || strncmp(line, "ready\n", 6))
		die("a helper process failed to start");
}

static uint64_t helper_run(struct helper *h)
{
	uint64_t t;

	if (write(h->to, "r", 1) != 1 || read(h->from, &t, sizeof(t)) != (ssize_t)sizeof(t))
		die("a helper process failed");
	return t;
}

static void helper_stop(struct helper *h)
{
	int status;

	close(h->to);
	close(h->from);
	while (waitpid(h->pid, &status, 0) < 0)
		if (errno != EINTR)
			die("waitpid: %s", strerror(errno));
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		die("a helper process failed (status 0x%x)", status);
}

/* Cold runs of hello here, each next to a native posix_spawn and a control run, rotating. */
static void probe(struct step *s, int pass, char *const argv[], int probes, struct helper *ctl)
{
	struct vmlet_result res;
	uint64_t t, ph[NPHASE];
	int i, k, j;

	for (i = 0; i < probes; i++)
		for (j = 0; j < 3; j++)
			switch ((i + j) % 3) {
			case 0:
				t = vm_cold(argv, devnull, devnull, &res);
				add_sample(&s->vm, t);
				add_sample(&s->pass[pass], t);
				split_phases(&res, t, ph);
				for (k = 0; k < NPHASE; k++)
					add_sample(&s->phase[k], ph[k]);
				break;
			case 1:
				add_sample(&s->native, spawn_wait(argv, devnull, devnull));
				break;
			default:
				add_sample(&s->control, helper_run(ctl));
				break;
			}
}

/* A step's run relative to its control, divided by the same at N = 1: load cancels out. */
static double corrected_ratio(const struct step *s, const struct step *one)
{
	return (median(&s->vm) / median(&s->control)) / (median(&one->vm) / median(&one->control));
}

static void write_scale_dat(const char *path, const struct step *st, int nsteps,
			    const struct step *other)
{
	FILE *f = fopen(path, "w");
	int i;

	if (!f)
		die("%s: %s", path, strerror(errno));
	fprintf(f, "# cold hello run next to N idle VMs (bench/start.c); times in ms, memory in KiB "
		   "per idle VM\n");
	fprintf(f, "n run_ms run_min_ms run_p90_ms native_ms rss_kib anon_kib kernel_kib "
		   "avail_drop_kib create_us control_ms\n");
	for (i = 0; i < nsteps; i++) {
		const struct step *s = &st[i];

		fprintf(f, "%d %.3f %.3f %.3f %.3f %.1f %.1f %.1f %.1f %.1f %.3f\n", s->n,
			median(&s->vm) / 1e6, quantile(&s->vm, 0) / 1e6, quantile(&s->vm, 0.9) / 1e6,
			median(&s->native) / 1e6, s->per_vm[MEM_RSS], s->per_vm[MEM_ANON], s->kernel,
			s->per_vm[MEM_AVAIL], s->create_us, median(&s->control) / 1e6);
	}
	fprintf(f, "\n\n# the same idle VMs held by another process (gnuplot: index 1)\n");
	fprintf(f, "n run_ms run_min_ms run_p90_ms native_ms control_ms\n"
		   "%d %.3f %.3f %.3f %.3f %.3f\n", other->n, median(&other->vm) / 1e6,
		quantile(&other->vm, 0) / 1e6, quantile(&other->vm, 0.9) / 1e6,
		median(&other->native) / 1e6, median(&other->control) / 1e6);
	if (fclose(f))
		die("%s: write failed", path);
}

static void scale_report(const struct options *o, const struct step *st, int nsteps,
			 const struct step *other, double teardown_us, const long long base[NMEM],
			 const long long after[NMEM])
{
	const struct step *top = &st[nsteps - 1];
	double ratio = median(&top->vm) / median(&st[0].vm);
	int i, k;

	out("\n5. Scale: a cold hello run (library create+run+destroy, %d MiB) next to N idle VMs\n",
	    (int)(VMLET_DEFAULT_MEM >> 20));
	out("   (%d MiB each, hello loaded, never run; all in this process). N grows step by\n"
	    "   step, then shrinks back: %d rounds at each N on the way up and %d on the way\n"
	    "   down; a round is a cold run here, a native posix_spawn, and a cold run in a\n"
	    "   control process without idle VMs (same machine load), rotating. Medians of\n"
	    "   both passes; corrected = (run / control) / (the same at N = 1). Memory per\n"
	    "   idle VM (KiB, on the way up): this process's VmRSS and RssAnon; kernel = Slab\n"
	    "   + KernelStack + PageTables + SecPageTables + VmallocUsed and the MemAvailable\n"
	    "   drop, both system-wide from /proc/meminfo (other load shows at small N).\n"
	    "   Plotted in scale.png\n\n",
	    (int)(SCALE_MEM >> 20), o->scale_probes, o->scale_probes);
	out("   %5s %6s %6s %6s %7s %9s %6s %9s %6s %6s %6s %8s\n", "N", "run ms", "up", "down",
	    "control", "corrected", "native", "create us", "RSS", "anon", "kernel", "MemAvail");
	for (i = 0; i < nsteps; i++) {
		const struct step *s = &st[i];

		out("   %5d %6.2f %6.2f %6.2f %7.2f %8.2fx %6.2f %9.0f %6.0f %6.0f %6.0f %8.0f\n",
		    s->n, median(&s->vm) / 1e6, median(&s->pass[0]) / 1e6, median(&s->pass[1]) / 1e6,
		    median(&s->control) / 1e6, corrected_ratio(s, &st[0]), median(&s->native) / 1e6,
		    s->create_us, s->per_vm[MEM_RSS], s->per_vm[MEM_ANON], s->kernel,
		    s->per_vm[MEM_AVAIL]);
	}
	out("\n   phases of the cold run, median microseconds\n   %5s", "N");
	for (k = 0; k < NPHASE; k++)
		out(" %11s", phase_name[k]);
	for (i = 0; i < nsteps; i++) {
		out("\n   %5d", st[i].n);
		for (k = 0; k < NPHASE; k++)
			out(" %11.0f", median(&st[i].phase[k]) / 1e3);
	}
	out("\n\n   kernel memory per idle VM at N = %d, KiB: slab %.0f, kernel stacks %.1f,\n"
	    "   page tables %.1f, secondary page tables %.1f, vmalloc %.0f\n",
	    top->n, top->per_vm[MEM_SLAB], top->per_vm[MEM_KSTACK], top->per_vm[MEM_PT],
	    top->per_vm[MEM_SECPT], top->per_vm[MEM_VMALLOC]);
	out("   ratio run at N = %d / at N = 1: %.2fx (corrected %.2fx); idle VMs destroyed\n"
	    "   at %.0f us each\n", top->n, ratio, corrected_ratio(top, &st[0]), teardown_us);
	out("   the %d idle VMs held by another process instead: run here %.2f ms, control\n"
	    "   %.2f ms, corrected %.2fx N = 1, native %.2f ms\n", other->n,
	    median(&other->vm) / 1e6, median(&other->control) / 1e6,
	    corrected_ratio(other, &st[0]), median(&other->native) / 1e6);
	out("   after everything is destroyed, vs before: VmRSS %+lld KiB, kernel %+lld KiB,\n"
	    "   MemAvailable %+lld KiB\n", after[MEM_RSS] - base[MEM_RSS],
	    kernel_kib(after) - kernel_kib(base), after[MEM_AVAIL] - base[MEM_AVAIL]);

	fprintf(json, "  \"scale\": {\n    \"idle_vm_mem_mib\": %d,\n    \"probe_mem_mib\": %d,\n"
		"    \"rounds_per_pass\": %d,\n", (int)(SCALE_MEM >> 20),
		(int)(VMLET_DEFAULT_MEM >> 20), o->scale_probes);
	fprintf(json, "    \"memory_note\": \"KiB per idle VM, measured while growing: rss/rss_anon "
		      "from /proc/self/status VmRSS/RssAnon; kernel = Slab+KernelStack+PageTables+"
		      "SecPageTables+VmallocUsed and avail_drop = MemAvailable drop, system-wide "
		      "from /proc/meminfo\",\n");
	fprintf(json, "    \"steps\": [\n");
	for (i = 0; i < nsteps; i++) {
		const struct step *s = &st[i];

		fprintf(json, "      {\"n\": %d, ", s->n);
		json_stats("run_us", &s->vm, 1e3, ", ");
		json_stats("run_up_us", &s->pass[0], 1e3, ", ");
		json_stats("run_down_us", &s->pass[1], 1e3, ", ");
		json_stats("control_us", &s->control, 1e3, ", ");
		json_stats("native_us", &s->native, 1e3, ", ");
		fprintf(json, "\"corrected_ratio\": %.3f, \"phases_us\": {", corrected_ratio(s, &st[0]));
		for (k = 0; k < NPHASE; k++)
			fprintf(json, "\"%s\": %.1f%s", phase_name[k], median(&s->phase[k]) / 1e3,
				k + 1 < NPHASE ? ", " : "}, ");
		fprintf(json, "\"create_us_per_vm\": %.1f, \"rss_kib\": %.1f, \"rss_anon_kib\": %.1f, "
			"\"kernel_kib\": %.1f, \"slab_kib\": %.1f, \"kernel_stack_kib\": %.2f, "
			"\"page_tables_kib\": %.2f, \"sec_page_tables_kib\": %.2f, \"vmalloc_kib\": %.1f, "
			"\"avail_drop_kib\": %.1f}%s\n", s->create_us, s->per_vm[MEM_RSS],
			s->per_vm[MEM_ANON], s->kernel, s->per_vm[MEM_SLAB], s->per_vm[MEM_KSTACK],
			s->per_vm[MEM_PT], s->per_vm[MEM_SECPT], s->per_vm[MEM_VMALLOC],
			s->per_vm[MEM_AVAIL], i + 1 < nsteps ? "," : "");
	}
	fprintf(json, "    ],\n    \"ratio_max_n_vs_1\": %.3f,\n"
		"    \"corrected_ratio_max_n_vs_1\": %.3f,\n    \"destroy_us_per_idle_vm\": %.1f,\n",
		ratio, corrected_ratio(top, &st[0]), teardown_us);
	fprintf(json, "    \"other_process\": {\"n\": %d, ", other->n);
	json_stats("run_us", &other->vm, 1e3, ", ");
	json_stats("control_us", &other->control, 1e3, ", ");
	json_stats("native_us", &other->native, 1e3, ", ");
	fprintf(json, "\"corrected_ratio\": %.3f},\n", corrected_ratio(other, &st[0]));
	fprintf(json, "    \"residual_kib\": {\"rss\": %lld, \"kernel\": %lld, \"avail\": %lld}\n  },\n",
		after[MEM_RSS] - base[MEM_RSS], kernel_kib(after) - kernel_kib(base),
		after[MEM_AVAIL] - base[MEM_AVAIL]);
	target("x", ratio, TARGET_SCALE_RATIO, "cold run with %d idle VMs / with 1", top->n);
}

void bench_scale(const struct options *o)
{
	static const int want[] = { 1, 10, 100, 500, 1000, 2000 };
	static struct step st[8], warm, other;
	const int nwant = (int)(sizeof(want) / sizeof(want[0]));
	char *hello = hello_path(o, 0), *argv[] = { hello, NULL };
	int max = raise_nofile(o->scale_max), nsteps = 0, alive = 0, i, k;
	long long base[NMEM], now[NMEM], after[NMEM];
	struct helper control, holder;
	uint64_t t0, teardown = 0;
	struct vmlet_vm **vms;
	struct vmlet_config c;
	struct vmlet_error err;

	if (max < 1)
		die("scale: no file descriptors for even one VM");
	if (max < o->scale_max)
		fprintf(stderr, "bench: scale: RLIMIT_NOFILE allows %d VMs, not %d\n", max,
			o->scale_max);
	for (i = 0; i < nwant && want[i] < max; i++)
		st[nsteps++].n = want[i];
	st[nsteps++].n = max;
	vms = calloc((size_t)max, sizeof(*vms));
	if (!vms)
		die("out of memory");
	vm_config(&c, argv, devnull, devnull);
	c.mem_bytes = SCALE_MEM;

	helper_start(&control, hello, 0);
	probe(&warm, 0, argv, 2, &control); /* image cache, allocator: before the baseline */
	read_mem(base);
	/* Up: grow to each N, take the memory figures, probe. */
	for (i = 0; i < nsteps; i++) {
		struct step *s = &st[i];
		int added = s->n - alive;

		t0 = now_ns();
		for (; alive < s->n; alive++)
			if (vmlet_vm_create(&c, &vms[alive], &err))
				die("scale: idle VM %d: %s", alive + 1, err.message);
		s->create_us = (now_ns() - t0) / 1e3 / (added > 0 ? added : 1);
		read_mem(now);
		for (k = 0; k < NMEM; k++)
			s->per_vm[k] = (double)(now[k] - base[k]) / s->n;
		s->per_vm[MEM_AVAIL] = -s->per_vm[MEM_AVAIL];
		s->kernel = (double)(kernel_kib(now) - kernel_kib(base)) / s->n;
		probe(s, 0, argv, o->scale_probes, &control);
	}
	/* Down: shrink back to each N and probe again, so slow drift weighs on both ends alike. */
	for (i = nsteps - 1; i >= 0; i--) {
		t0 = now_ns();
		while (alive > st[i].n)
			vmlet_vm_destroy(vms[--alive]);
		teardown += now_ns() - t0;
		probe(&st[i], 1, argv, o->scale_probes, &control);
	}
	while (alive > 0)
		vmlet_vm_destroy(vms[--alive]);
	free(vms);
	read_mem(after);
	/* The same idle VMs in another process: is the cost per process or system-wide? */
	other.n = max;
	helper_start(&holder, hello, max);
	probe(&other, 0, argv, o->scale_probes, &control);
	helper_stop(&holder);
	helper_stop(&control);
	write_scale_dat(xasprintf("%s/scale.dat", o->out), st, nsteps, &other);
	scale_report(o, st, nsteps, &other, max > 1 ? teardown / 1e3 / (max - 1) : 0, base, after);
}
