/* test_memory.c - guest memory is lazy and freed memory goes back to the host. */
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

static long rss_kib(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long v = -1;

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %ld kB", &v) == 1)
			break;
	if (f)
		fclose(f);
	return v;
}

struct run {
	struct vmlet_vm *vm;
	struct vmlet_result res;
};

static void *run_vm(void *arg)
{
	struct run *r = arg;
	struct vmlet_error err;

	if (vmlet_vm_run(r->vm, &r->res, &err))
		r->res.exit_code = -1;
	return NULL;
}

static void expect_line(FILE *f, const char *want)
{
	char line[64];

	assert_non_null(fgets(line, sizeof(line), f));
	line[strcspn(line, "\n")] = 0;
	assert_string_equal(line, want);
}

static void freed_memory_returns_to_the_host(void **state)
{
	skip_without_kvm();
	char path[512];
	struct vmlet_config c;
	struct vmlet_error err;
	struct run r;
	pthread_t t;
	int in[2], out[2];
	long base, touched, freed;
	FILE *f;

	(void)state;
	snprintf(path, sizeof(path), "%s/progs/memreturn-musl", getenv("BUILD") ? getenv("BUILD") : "build");
	assert_int_equal(pipe(in), 0);
	assert_int_equal(pipe(out), 0);
	vmlet_config_init(&c);
	c.path = path;
	c.stdin_fd = in[0];
	c.stdout_fd = out[1];
	assert_int_equal(vmlet_vm_create(&c, &r.vm, &err), 0);
	base = rss_kib();
	assert_int_equal(pthread_create(&t, NULL, run_vm, &r), 0);
	f = fdopen(out[0], "r");
	expect_line(f, "touched");
	touched = rss_kib();
	assert_int_equal(write(in[1], "x", 1), 1);
	expect_line(f, "freed");
	freed = rss_kib();
	assert_int_equal(write(in[1], "x", 1), 1);
	pthread_join(t, NULL);
	assert_int_equal(r.res.exit_code, 0);
	/* 64 MiB touched shows up, and goes away when the guest unmaps it. */
	if (touched - base < 48 * 1024 || touched - freed < 48 * 1024)
		fail_msg("RSS KiB: before %ld, touched %ld, freed %ld", base, touched, freed);
	vmlet_vm_destroy(r.vm);
	fclose(f);
	close(out[1]);
	close(in[0]);
	close(in[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(freed_memory_returns_to_the_host),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
