/* test_library.c - the embedding API against real VMs: errors as values, two VMs on two threads, kill. */
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
#include <unistd.h>

#include <cmocka.h>

#include "vmlet.h"
#include "needs_kvm.h"

#define HELLO "build/progs/demo_hello-musl"
#define SPIN "build/progs/demo_spin-musl"

static const char *prog(const char *path)
{
	static char buf[512];
	const char *b = getenv("BUILD");

	if (!b)
		return path;
	snprintf(buf, sizeof(buf), "%s/%s", b, path + strlen("build/"));
	return buf;
}

/* Run `path` with stdout captured into a pipe; returns the result, output in out. */
static int run_capture(const char *path, uint64_t timeout_ns, struct vmlet_result *res, char *out,
		       size_t outlen)
{
	struct vmlet_config c;
	struct vmlet_error err;
	struct vmlet_vm *vm;
	int p[2], r;
	ssize_t n;

	if (pipe(p))
		return -errno;
	vmlet_config_init(&c);
	c.path = path;
	c.stdout_fd = p[1];
	c.timeout_ns = timeout_ns;
	r = vmlet_vm_create(&c, &vm, &err);
	if (r == 0) {
		r = vmlet_vm_run(vm, res, &err);
		vmlet_vm_destroy(vm);
	}
	close(p[1]);
	n = read(p[0], out, outlen - 1);
	out[n > 0 ? n : 0] = 0;
	close(p[0]);
	return r;
}

static void create_reports_errors_as_values(void **state)
{
	struct vmlet_config c;
	struct vmlet_error err;
	struct vmlet_vm *vm = (struct vmlet_vm *)1;

	(void)state;
	vmlet_config_init(&c);
	c.path = "/nonexistent/program";
	assert_int_equal(vmlet_vm_create(&c, &vm, &err), -ENOENT);
	assert_null(vm);
	assert_int_equal(err.code, -ENOENT);
	assert_non_null(strstr(err.message, "No such file"));

	c.path = "/etc/passwd"; /* not executable */
	assert_int_equal(vmlet_vm_create(&c, &vm, &err), -EACCES);

	c.path = "/bin/true"; /* dynamically linked on Debian */
	assert_int_equal(vmlet_vm_create(&c, &vm, &err), -ENOEXEC);
	assert_non_null(strstr(err.message, "dynamically linked"));

	c.path = prog(HELLO);
	c.mem_bytes = 1 << 20;
	assert_int_equal(vmlet_vm_create(&c, &vm, &err), -EINVAL);
	assert_non_null(strstr(err.message, "guest memory"));
}

static void runs_once_and_reports_exit(void **state)
{
	skip_without_kvm();
	struct vmlet_result res;
	char out[256];

	(void)state;
	assert_int_equal(run_capture(prog(HELLO), 0, &res, out, sizeof(out)), 0);
	assert_int_equal(res.outcome, VMLET_EXITED);
	assert_int_equal(res.exit_code, 0);
	assert_string_equal(out, "hello from a vmlet micro-VM\n");
	assert_true(res.exits >= 1 && res.exits <= 3);
	assert_true(res.syscalls > 0);
}

static void *thread_run(void *arg)
{
	struct vmlet_result res;
	char out[256];
	int i;

	for (i = 0; i < 5; i++) {
		if (run_capture(prog(HELLO), 0, &res, out, sizeof(out)) != 0 || res.exit_code != 0 ||
		    strcmp(out, "hello from a vmlet micro-VM\n") != 0)
			return arg; /* non-NULL: failure */
	}
	return NULL;
}

static void two_vms_on_two_threads(void **state)
{
	skip_without_kvm();
	pthread_t a, b;
	void *ra, *rb;

	(void)state;
	assert_int_equal(pthread_create(&a, NULL, thread_run, (void *)1), 0);
	assert_int_equal(pthread_create(&b, NULL, thread_run, (void *)1), 0);
	pthread_join(a, &ra);
	pthread_join(b, &rb);
	assert_null(ra);
	assert_null(rb);
}

static void timeout_stops_a_spinning_guest(void **state)
{
	skip_without_kvm();
	struct vmlet_result res;
	char out[16];

	(void)state;
	assert_int_equal(run_capture(prog(SPIN), 200000000ull, &res, out, sizeof(out)), 0);
	assert_int_equal(res.outcome, VMLET_TIMEOUT);
	assert_int_equal(res.exit_code, 124);
}

struct killer {
	struct vmlet_vm *vm;
};

static void *kill_soon(void *arg)
{
	usleep(100000);
	vmlet_vm_kill(((struct killer *)arg)->vm);
	return NULL;
}

static void kill_from_another_thread(void **state)
{
	skip_without_kvm();
	struct vmlet_config c;
	struct vmlet_error err;
	struct vmlet_result res;
	struct killer k;
	pthread_t t;

	(void)state;
	vmlet_config_init(&c);
	c.path = prog(SPIN);
	assert_int_equal(vmlet_vm_create(&c, &k.vm, &err), 0);
	assert_int_equal(pthread_create(&t, NULL, kill_soon, &k), 0);
	assert_int_equal(vmlet_vm_run(k.vm, &res, &err), 0);
	pthread_join(t, NULL);
	assert_int_equal(res.outcome, VMLET_FAILED);
	assert_string_equal(res.message, "run cancelled");
	assert_int_equal(vmlet_vm_run(k.vm, &res, &err), -EALREADY);
	vmlet_vm_destroy(k.vm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(create_reports_errors_as_values),
		cmocka_unit_test(runs_once_and_reports_exit),
		cmocka_unit_test(two_vms_on_two_threads),
		cmocka_unit_test(timeout_stops_a_spinning_guest),
		cmocka_unit_test(kill_from_another_thread),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
