/* test_reset.c - vmlet_vm_reuse: nothing of a previous run is visible to the next (registers, memory, seed, fds). */
#include <errno.h>
#include <fcntl.h>
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

static char build_dir[256];

static const char *prog(const char *name)
{
	static char buf[4][512];
	static unsigned next;
	char *b = buf[next++ % 4];

	snprintf(b, sizeof(buf[0]), "%s/progs/%s", build_dir, name);
	return b;
}

/* Load (create or reuse) `path arg`, run it with stdout captured; returns the exit code. */
static int run_in(struct vmlet_vm **vm, const char *path, const char *arg, uint64_t timeout_ns,
		  char *out, size_t outlen)
{
	const char *argv[] = { path, arg, NULL };
	struct vmlet_config c;
	struct vmlet_error err;
	struct vmlet_result res;
	int p[2], r;
	ssize_t n;

	assert_int_equal(pipe(p), 0);
	vmlet_config_init(&c);
	c.path = path;
	c.argv = argv;
	c.stdout_fd = p[1];
	c.timeout_ns = timeout_ns;
	r = *vm ? vmlet_vm_reuse(*vm, &c, &err) : vmlet_vm_create(&c, vm, &err);
	if (r)
		fail_msg("load %s: %s", path, err.message);
	assert_int_equal(vmlet_vm_run(*vm, &res, &err), 0);
	close(p[1]);
	n = read(p[0], out, outlen - 1);
	out[n > 0 ? n : 0] = 0;
	close(p[0]);
	return res.exit_code;
}

static void registers_and_memory_do_not_leak(void **state)
{
	skip_without_kvm();
	struct vmlet_vm *vm = NULL;
	char out[64];

	(void)state;
	/* The probe checks vector, FPU, FS/GS base and a memory marker at its first instruction. */
	assert_int_equal(run_in(&vm, prog("reset_probe-asm"), NULL, 0, out, sizeof(out)), 0);
	assert_int_equal(run_in(&vm, prog("reset_probe-asm"), "dirty", 0, out, sizeof(out)), 0);
	assert_int_equal(run_in(&vm, prog("reset_probe-asm"), NULL, 0, out, sizeof(out)), 0);
	vmlet_vm_destroy(vm);
}

static void random_seed_is_drawn_anew(void **state)
{
	skip_without_kvm();
	struct vmlet_vm *vm = NULL;
	char a[128], b[128];

	(void)state;
	assert_int_equal(run_in(&vm, prog("random_probe-musl"), NULL, 0, a, sizeof(a)), 0);
	assert_int_equal(run_in(&vm, prog("random_probe-musl"), NULL, 0, b, sizeof(b)), 0);
	assert_int_equal(strlen(a), 66);
	assert_string_not_equal(a, b);
	vmlet_vm_destroy(vm);
}

static void reuse_after_crash_timeout_and_other_programs(void **state)
{
	skip_without_kvm();
	struct vmlet_vm *vm = NULL;
	char out[128];

	(void)state;
	assert_int_equal(run_in(&vm, prog("crash-glibc"), "null", 0, out, sizeof(out)), 139);
	assert_int_equal(run_in(&vm, prog("demo_hello-musl"), NULL, 0, out, sizeof(out)), 0);
	assert_string_equal(out, "hello from a vmlet micro-VM\n");
	assert_int_equal(run_in(&vm, prog("crash-musl"), "spin", 100000000ull, out, sizeof(out)), 124);
	assert_int_equal(run_in(&vm, prog("demo_hello-glibc"), NULL, 0, out, sizeof(out)), 0);
	assert_string_equal(out, "hello from a vmlet micro-VM\n");
	assert_int_equal(run_in(&vm, prog("reset_probe-asm"), NULL, 0, out, sizeof(out)), 0);
	vmlet_vm_destroy(vm);
}

static void files_of_a_previous_run_are_closed(void **state)
{
	skip_without_kvm();
	struct vmlet_vm *vm = NULL;
	char out[256];

	(void)state;
	/* The first run exits with fd 3 open; the next must find it closed. */
	assert_int_equal(run_in(&vm, prog("fdprobe-musl"), "/dev/null", 0, out, sizeof(out)), 0);
	assert_int_equal(run_in(&vm, prog("fdprobe-musl"), NULL, 0, out, sizeof(out)), 0);
	assert_string_equal(out, "fd 3: closed\n");
	vmlet_vm_destroy(vm);
}

static void reuse_rejects_another_memory_size(void **state)
{
	skip_without_kvm();
	struct vmlet_vm *vm = NULL;
	struct vmlet_config c;
	struct vmlet_error err;
	char out[64];

	(void)state;
	assert_int_equal(run_in(&vm, prog("demo_hello-musl"), NULL, 0, out, sizeof(out)), 0);
	vmlet_config_init(&c);
	c.path = prog("demo_hello-musl");
	c.mem_bytes = 64 << 20;
	assert_int_equal(vmlet_vm_reuse(vm, &c, &err), -EINVAL);
	vmlet_vm_destroy(vm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(registers_and_memory_do_not_leak),
		cmocka_unit_test(random_seed_is_drawn_anew),
		cmocka_unit_test(reuse_after_crash_timeout_and_other_programs),
		cmocka_unit_test(files_of_a_previous_run_are_closed),
		cmocka_unit_test(reuse_rejects_another_memory_size),
	};

	snprintf(build_dir, sizeof(build_dir), "%s", getenv("BUILD") ? getenv("BUILD") : "build");
	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
