/* repeat.c - runs one program N times in fresh VMs from a pool of prepared shells, P concurrently. */
#include "repeat.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../confine/confine.h"

struct batch {
	struct cli_options *o;
	pthread_mutex_t lock;
	pthread_barrier_t start;
	unsigned next, done, failed;
	int first_failure;  /* exit code of the first run that did not exit 0 */
	char message[VMLET_MESSAGE_MAX]; /* and why, if vmlet said */
	uint64_t *latency;  /* per run, ns */
	int progress;       /* stderr is a terminal */
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/*
 * A fresh VM from the pool per run; with --reset, one VM per runner that is
 * reset between runs (*kept holds it).
 */
static int one_run(struct batch *b, struct vmlet_vm **kept, struct vmlet_result *res,
		   struct vmlet_error *err)
{
	struct vmlet_vm *vm = *kept;
	int r = vm ? vmlet_vm_reuse(vm, &b->o->config, err) : vmlet_vm_create(&b->o->config, &vm, err);

	if (r) {
		if (vm)
			vmlet_vm_destroy(vm);
		*kept = NULL;
		return r;
	}
	r = vmlet_vm_run(vm, res, err);
	if (b->o->reset && !r)
		*kept = vm;
	else {
		vmlet_vm_destroy(vm); /* back to the pool's reaper */
		*kept = NULL;
	}
	return r;
}

static void *runner(void *arg)
{
	struct batch *b = arg;
	struct vmlet_vm *kept = NULL;

	pthread_barrier_wait(&b->start);
	for (;;) {
		struct vmlet_result res;
		struct vmlet_error err;
		uint64_t t0 = now_ns();
		unsigned i;
		int r, code;

		pthread_mutex_lock(&b->lock);
		i = b->next < b->o->repeat ? b->next++ : b->o->repeat;
		pthread_mutex_unlock(&b->lock);
		if (i == b->o->repeat) {
			vmlet_vm_destroy(kept);
			return NULL;
		}
		r = one_run(b, &kept, &res, &err);
		code = r ? 125 : res.exit_code;
		pthread_mutex_lock(&b->lock);
		b->latency[i] = now_ns() - t0;
		b->done++;
		if (code != 0 && b->failed++ == 0) {
			b->first_failure = code;
			snprintf(b->message, sizeof(b->message), "%s", r ? err.message : res.message);
		}
		if (b->progress)
			fprintf(stderr, "\rvmlet: %u/%u runs, %u failed", b->done, b->o->repeat, b->failed);
		pthread_mutex_unlock(&b->lock);
	}
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int creator_files(struct vmlet_error *err)
{
#ifdef __SANITIZE_ADDRESS__
	(void)err; /* the sanitizer runtime writes where the ruleset forbids */
	return 0;
#else
	return vmlet_confine_creator_files(err);
#endif
}

int run_repeated(struct cli_options *o)
{
	struct vmlet_pool_config pc = { .shells = o->parallel + 1, .mem_bytes = o->config.mem_bytes };
	struct batch b = { .o = o, .progress = isatty(2) };
	pthread_t *threads = calloc(o->parallel, sizeof(*threads));
	struct vmlet_pool *pool;
	struct vmlet_error err;
	uint64_t t0;
	unsigned i;
	int r;

	b.latency = calloc(o->repeat, sizeof(*b.latency));
	r = !threads || !b.latency ? -ENOMEM : 0;
	if (r)
		snprintf(err.message, sizeof(err.message), "out of memory");
	/* Before any thread exists (the pool's worker, the runners): Landlock binds threads
	 * started later, and --user applies once /dev/kvm is open. */
	if (!r && o->user)
		r = vmlet_become_user(o->user, &err);
	if (!r && !o->no_seccomp)
		r = creator_files(&err);
	if (!r)
		r = vmlet_pool_create(&pc, &pool, &err);
	if (r) {
		fprintf(stderr, "vmlet: %s\n", err.message);
		free(threads);
		free(b.latency);
		return 125;
	}
	o->config.pool = pool;
	pthread_mutex_init(&b.lock, NULL);
	pthread_barrier_init(&b.start, NULL, o->parallel + 1);
	for (i = 0; i < o->parallel; i++)
		pthread_create(&threads[i], NULL, runner, &b);
	/* Threads exist now; the filter covers them all (TSYNC). */
	r = 0;
	if (!o->no_seccomp) {
#ifndef __SANITIZE_ADDRESS__
		int stdio[3] = { o->config.stdin_fd, o->config.stdout_fd, o->config.stderr_fd };
		r = vmlet_confine_creator(stdio, o->config.trace_fd, &err);
#endif
	}
	if (r) {
		fprintf(stderr, "vmlet: %s\n", err.message);
		_exit(125); /* runner threads are parked at the barrier */
	}
	t0 = now_ns();
	pthread_barrier_wait(&b.start);
	for (i = 0; i < o->parallel; i++)
		pthread_join(threads[i], NULL);
	t0 = now_ns() - t0;
	if (b.progress)
		fputc('\n', stderr);
	qsort(b.latency, o->repeat, sizeof(*b.latency), cmp_u64);
	fprintf(stderr, "vmlet: %u runs, %u failed; median %.0f us per run, %.0f runs/s\n", o->repeat,
		b.failed, b.latency[o->repeat / 2] / 1e3, o->repeat / (t0 / 1e9));
	if (b.failed && b.message[0])
		fprintf(stderr, "vmlet: first failure: %s\n", b.message);
	free(threads);
	free(b.latency);
	vmlet_pool_destroy(pool);
	return b.failed ? b.first_failure : 0;
}
