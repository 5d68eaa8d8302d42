/* test_pool.c - prepared shells with real VMs: exhaustion, concurrency, crashes among good runs, leaks, image cache. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "vmlet.h"
#include "needs_kvm.h"

static char build_dir[256];

/* Paths stay valid for a whole test: a small ring of buffers. */
static const char *prog(const char *name)
{
	static char buf[8][512];
	static unsigned next;
	char *b = buf[next++ % 8];

	snprintf(b, sizeof(buf[0]), "%s/progs/%s", build_dir, name);
	return b;
}

struct job {
	struct vmlet_pool *pool;
	const char *path;
	const char *arg;
	uint64_t timeout_ns;
	int runs;
	int want_code;
	const char *want_out;  /* NULL: don't check */
	int failures;
};

/* One run: create (from the pool), run with stdout in a pipe, destroy; checks code and output. */
static int run_once(struct job *j)
{
	const char *argv[] = { j->path, j->arg, NULL };
	struct vmlet_config c;
	struct vmlet_error err;
	struct vmlet_result res;
	struct vmlet_vm *vm;
	char out[256] = "";
	int p[2], ok;
	ssize_t n;

	if (pipe(p))
		return 0;
	vmlet_config_init(&c);
	c.path = j->path;
	c.argv = argv;
	c.pool = j->pool;
	c.stdout_fd = p[1];
	c.stderr_fd = p[1];
	c.timeout_ns = j->timeout_ns;
	ok = vmlet_vm_create(&c, &vm, &err) == 0;
	if (ok) {
		ok = vmlet_vm_run(vm, &res, &err) == 0 && res.exit_code == j->want_code;
		vmlet_vm_destroy(vm);
	}
	close(p[1]);
	n = read(p[0], out, sizeof(out) - 1);
	out[n > 0 ? n : 0] = 0;
	close(p[0]);
	return ok && (!j->want_out || strcmp(out, j->want_out) == 0);
}

static void *job_thread(void *arg)
{
	struct job *j = arg;
	int i;

	for (i = 0; i < j->runs; i++)
		if (!run_once(j))
			j->failures++;
	return NULL;
}

static void run_jobs(struct job *jobs, int n)
{
	pthread_t t[16];
	int i;

	for (i = 0; i < n; i++)
		assert_int_equal(pthread_create(&t[i], NULL, job_thread, &jobs[i]), 0);
	for (i = 0; i < n; i++) {
		pthread_join(t[i], NULL);
		if (jobs[i].failures)
			fail_msg("job %d (%s %s): %d of %d runs failed", i, jobs[i].path,
				 jobs[i].arg ? jobs[i].arg : "", jobs[i].failures, jobs[i].runs);
	}
}

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	while (d && readdir(d))
		n++;
	if (d)
		closedir(d);
	return n;
}

static const char hello_out[] = "hello from a vmlet micro-VM\n";

static void exhaustion_never_fails(void **state)
{
	skip_without_kvm();
	struct vmlet_pool_config pc = { .shells = 1 };
	struct vmlet_pool_stats s;
	struct vmlet_pool *pool;
	struct vmlet_error err;
	struct job jobs[4];
	int i;

	(void)state;
	assert_int_equal(vmlet_pool_create(&pc, &pool, &err), 0);
	for (i = 0; i < 4; i++)
		jobs[i] = (struct job){ pool, prog("demo_hello-musl"), NULL, 0, 10, 0, hello_out, 0 };
	run_jobs(jobs, 4);
	vmlet_pool_stats(pool, &s);
	assert_int_equal(s.taken + s.missed, 40);
	vmlet_pool_destroy(pool);
}

static void crashes_and_timeouts_among_good_runs(void **state)
{
	skip_without_kvm();
	struct vmlet_pool_config pc = { .shells = 2 };
	struct vmlet_pool *pool;
	struct vmlet_error err;
	struct job jobs[4];

	(void)state;
	assert_int_equal(vmlet_pool_create(&pc, &pool, &err), 0);
	jobs[0] = (struct job){ pool, prog("crash-musl"), "null", 0, 5, 139, NULL, 0 };
	jobs[1] = (struct job){ pool, prog("crash-glibc"), "spin", 100000000ull, 3, 124, NULL, 0 };
	jobs[2] = (struct job){ pool, prog("demo_hello-musl"), NULL, 0, 20, 0, hello_out, 0 };
	jobs[3] = (struct job){ pool, prog("crash-glibc"), "abort", 0, 5, 134, NULL, 0 };
	run_jobs(jobs, 4);
	vmlet_pool_destroy(pool);
}

static void reaper_under_load_leaks_nothing(void **state)
{
	skip_without_kvm();
	struct vmlet_pool_config pc = { .shells = 2 };
	struct vmlet_pool_stats s;
	struct vmlet_pool *pool;
	struct vmlet_error err;
	struct job jobs[2];
	int before;

	(void)state;
	assert_int_equal(vmlet_pool_create(&pc, &pool, &err), 0);
	jobs[0] = (struct job){ pool, prog("demo_hello-musl"), NULL, 0, 5, 0, hello_out, 0 };
	run_jobs(jobs, 1); /* warm: the image cache and keepalive VM hold fds for good */
	before = count_fds();
	jobs[0].runs = jobs[1].runs = 100;
	jobs[1] = jobs[0];
	run_jobs(jobs, 2);
	vmlet_pool_stats(pool, &s);
	assert_true(s.reaped + s.reaped_inline + s.reaping >= 205 - 2);
	vmlet_pool_destroy(pool);
	/* Everything the pool held is closed; what remains is what existed before. */
	assert_true(count_fds() <= before);
}

struct sampler {
	struct vmlet_pool *pool;
	volatile int stop;
	unsigned max_reaping;
	int max_fds;
};

static void *sample(void *arg)
{
	struct sampler *s = arg;

	while (!s->stop) {
		struct vmlet_pool_stats st;
		int fds = count_fds();

		vmlet_pool_stats(s->pool, &st);
		if (st.reaping > s->max_reaping)
			s->max_reaping = st.reaping;
		if (fds > s->max_fds)
			s->max_fds = fds;
		usleep(500);
	}
	return NULL;
}

/* Eight threads hand VMs back faster than the worker destroys them: the backlog and fds stay bounded. */
static void reap_backlog_is_bounded(void **state)
{
	skip_without_kvm();
	struct vmlet_pool_config pc = { .shells = 2 };
	struct sampler smp = { 0 };
	struct vmlet_pool_stats st;
	struct vmlet_error err;
	struct job jobs[8];
	pthread_t t;
	int i, before;

	(void)state;
	assert_int_equal(vmlet_pool_create(&pc, &smp.pool, &err), 0);
	jobs[0] = (struct job){ smp.pool, prog("demo_hello-musl"), NULL, 0, 2, 0, hello_out, 0 };
	run_jobs(jobs, 1); /* warm: the image cache and keepalive VM hold fds for good */
	before = count_fds();
	jobs[0].runs = 40;
	for (i = 1; i < 8; i++)
		jobs[i] = jobs[0];
	assert_int_equal(pthread_create(&t, NULL, sample, &smp), 0);
	run_jobs(jobs, 8);
	smp.stop = 1;
	pthread_join(t, NULL);
	vmlet_pool_stats(smp.pool, &st);
	assert_true(smp.max_reaping <= pc.shells);
	/* Each VM holds a VM fd, a vCPU fd and its stdio duplicates: 8 in use, 2 ready,
	 * 2 waiting, 1 being prepared, with room for the pipes of the 8 runs. */
	assert_true(smp.max_fds <= before + 13 * 8 + 16);
	vmlet_pool_destroy(smp.pool);
	assert_true(count_fds() <= before);
}

static void image_cache_sees_a_changed_binary(void **state)
{
	skip_without_kvm();
	struct vmlet_pool_config pc = { .shells = 1 };
	struct vmlet_pool *pool;
	struct vmlet_error err;
	char path[] = "/tmp/vmlet-image-XXXXXX", cmd[1200];
	struct job j;
	int fd;

	(void)state;
	assert_int_equal(vmlet_pool_create(&pc, &pool, &err), 0);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	snprintf(cmd, sizeof(cmd), "cp %s %s && chmod +x %s", prog("demo_hello-musl"), path, path);
	assert_int_equal(system(cmd), 0);
	j = (struct job){ pool, path, NULL, 0, 3, 0, hello_out, 0 };
	run_jobs(&j, 1);
	/* Same path and inode, new contents: the next run must see the new program. */
	snprintf(cmd, sizeof(cmd), "cat %s > %s", prog("crash-musl"), path);
	assert_int_equal(system(cmd), 0);
	j = (struct job){ pool, path, "nothing", 0, 3, 1, "still alive after 'nothing'\n", 0 };
	run_jobs(&j, 1);
	unlink(path);
	vmlet_pool_destroy(pool);
}

static void pool_rejects_bad_config(void **state)
{
	skip_without_kvm();
	struct vmlet_pool_config pc = { .shells = 1, .mem_bytes = 1 << 20 };
	struct vmlet_pool *pool;
	struct vmlet_error err;

	(void)state;
	assert_int_equal(vmlet_pool_create(&pc, &pool, &err), -EINVAL);
	pc = (struct vmlet_pool_config){ .shells = 100000 };
	assert_int_equal(vmlet_pool_create(&pc, &pool, &err), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(exhaustion_never_fails),
		cmocka_unit_test(crashes_and_timeouts_among_good_runs),
		cmocka_unit_test(reaper_under_load_leaks_nothing),
		cmocka_unit_test(reap_backlog_is_bounded),
		cmocka_unit_test(image_cache_sees_a_changed_binary),
		cmocka_unit_test(pool_rejects_bad_config),
	};

	snprintf(build_dir, sizeof(build_dir), "%s", getenv("BUILD") ? getenv("BUILD") : "build");
	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
